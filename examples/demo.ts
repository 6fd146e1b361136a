/**
 * `deno task demo`: the whole Snowplow run-manifest loop on local servers, with no AWS account
 * and no network beyond 127.0.0.1.
 *
 * 1. The plain transform of the sample file `examples/data/sample_enriched.tsv`.
 * 2. A local S3 (the project's SigV4-checking fake S3 from `tests/support/`, because it reports
 *    storage classes, which s3rver cannot) and DynamoDB (dynalite) on 127.0.0.1; runs of the
 *    sample events uploaded as gzip parts in `run=YYYY-MM-DD-HH-mm-ss/` folders, one of them
 *    archived to GLACIER, each with a `_SUCCESS` marker.
 * 3. The seed's loop: list the runs, process those not in the manifest, add them; then the
 *    same loop again, which processes nothing.
 * 4. A new run arrives and two workers run `processRuns` at the same time: claims make sure
 *    it is processed exactly once.
 *
 * @module
 */

import {
  EventStream,
  listRunIds,
  processRuns,
  readRun,
  type RunLine,
  RunManifests,
} from "@snowplow/analytics-sdk";
import dynalite from "npm:dynalite@4.0.0";
import { gzipSync } from "npm:fflate@0.8.3";
import { FakeS3 } from "../tests/support/fake_s3.ts";

const SAMPLE = new URL("./data/sample_enriched.tsv", import.meta.url);
const BUCKET = "demo-pipeline";
const PREFIX = "enriched/archive/";
const URI = `s3://${BUCKET}/${PREFIX}`;
const TABLE = "snowplow-demo-runs";
const encoder = new TextEncoder();

/** What processing one run found. */
interface RunCounts {
  events: number;
  badRows: number;
  byType: Map<string, number>;
  byApp: Map<string, number>;
}

function emptyCounts(): RunCounts {
  return { events: 0, badRows: 0, byType: new Map(), byApp: new Map() };
}

function countRecord(counts: RunCounts, record: RunLine): void {
  if (!record.event) {
    counts.badRows++;
    return;
  }
  counts.events++;
  const type = String(record.event.event ?? "unknown");
  const app = String(record.event.app_id ?? "unknown");
  counts.byType.set(type, (counts.byType.get(type) ?? 0) + 1);
  counts.byApp.set(app, (counts.byApp.get(app) ?? 0) + 1);
}

function merge(into: RunCounts, counts: RunCounts): void {
  into.events += counts.events;
  into.badRows += counts.badRows;
  for (const [k, v] of counts.byType) into.byType.set(k, (into.byType.get(k) ?? 0) + v);
  for (const [k, v] of counts.byApp) into.byApp.set(k, (into.byApp.get(k) ?? 0) + v);
}

function top(map: Map<string, number>): string {
  return [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${v}`).join(", ");
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

async function transformSample(): Promise<void> {
  console.log("1. Transform: examples/data/sample_enriched.tsv");
  const file = await Deno.open(SAMPLE);
  const stream = new EventStream(file.readable);
  let first: Record<string, unknown> | undefined;
  let firstBad: string | undefined;
  for await (const result of stream) {
    if (result.event) first ??= result.event;
    else firstBad ??= `line ${result.line}: ${result.badRow.error.type}`;
  }
  const { lines, events, badRows } = stream.stats;
  console.log(`   ${lines} lines: ${plural(events, "event")}, ${plural(badRows, "bad row")}`);
  if (first) {
    const keys = ["app_id", "event", "event_id", "collector_tstamp", "platform"];
    const shown = Object.fromEntries(keys.filter((k) => k in first!).map((k) => [k, first![k]]));
    console.log(`   first event (${Object.keys(first).length} keys): ${JSON.stringify(shown)}`);
  }
  if (firstBad) console.log(`   first bad row: ${firstBad}`);
}

/** Uploads `lines` as a run of gzip parts (plus `_SUCCESS`). */
function uploadRun(
  s3: FakeS3,
  name: string,
  lines: string[],
  parts: number,
  storageClass = "STANDARD",
): void {
  const size = Math.ceil(lines.length / parts);
  for (let p = 0; p < parts; p++) {
    const text = lines.slice(p * size, (p + 1) * size).join("\n") + "\n";
    s3.put(
      { bucket: BUCKET, key: `${PREFIX}${name}/part-0000${p}.gz`, storageClass },
      gzipSync(encoder.encode(text)),
    );
  }
  s3.put({ bucket: BUCKET, key: `${PREFIX}${name}/_SUCCESS` }, "");
  const archived = storageClass === "STANDARD" ? "" : `, ${storageClass} (archived)`;
  console.log(
    `   ${PREFIX}${name}/  ${plural(lines.length, "line")} in ${plural(parts, "gzip part")} ` +
      `+ _SUCCESS${archived}`,
  );
}

async function main(): Promise<void> {
  console.log("Snowplow Analytics SDK demo: the run-manifest loop on local servers\n");
  await transformSample();

  const lines = (await Deno.readTextFile(SAMPLE)).split("\n").filter((l) => l !== "");
  const ddb = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => ddb.listen(0, "127.0.0.1", () => resolve()));
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  try {
    const { port } = ddb.address() as { port: number };
    const dynamodbOptions = {
      region: s3.region,
      credentials: { accessKeyId: "AKIDDEMO", secretAccessKey: "demo-secret" },
      endpoint: `http://127.0.0.1:${port}`,
    };
    const s3Options = { region: s3.region, credentials: s3.credentials, endpoint: s3.endpoint };
    console.log(
      `\n2. Local servers: S3 ${s3.endpoint} (fake S3), DynamoDB ${dynamodbOptions.endpoint} (dynalite)`,
    );
    console.log(`   uploading to ${URI}`);
    uploadRun(s3, "run=2026-11-20-00-00-00", lines.slice(0, 60), 2);
    uploadRun(s3, "run=2026-11-20-01-00-00", lines.slice(60, 120), 1);
    uploadRun(s3, "run=2026-11-20-02-00-00", lines.slice(120, 140), 1, "GLACIER");
    uploadRun(s3, "run=2026-11-20-03-00-00", lines.slice(140, 180), 2);

    const manifests = new RunManifests(TABLE, dynamodbOptions);
    const { created } = await manifests.create();
    console.log(`\n3. Manifest: table ${TABLE} ${created ? "created" : "already there"} (ACTIVE)`);

    const handled = new Map<string, number>();
    const process = async (runId: string): Promise<RunCounts> => {
      handled.set(runId, (handled.get(runId) ?? 0) + 1);
      const counts = emptyCounts();
      for await (const record of readRun({ bucket: BUCKET, prefix: runId }, s3Options)) {
        countRecord(counts, record);
      }
      return counts;
    };

    for (const pass of [1, 2]) {
      console.log(`\n${pass + 3}. The seed's loop, pass ${pass}:`);
      const total = emptyCounts();
      let listed = 0;
      let processed = 0;
      for await (const runId of listRunIds(URI, s3Options)) {
        listed++;
        if (!(await manifests.contains(runId))) {
          const counts = await process(runId);
          await manifests.add(runId);
          merge(total, counts);
          processed++;
          console.log(
            `   processed ${runId}: ${plural(counts.events, "event")}, ` +
              `${plural(counts.badRows, "bad row")}`,
          );
        }
      }
      console.log(
        `   pass ${pass}: ${plural(listed, "run")} listed (the GLACIER run is skipped), ` +
          `${processed} processed, ${listed - processed} already in the manifest`,
      );
      if (processed > 0) {
        console.log(`   events by type: ${top(total.byType)}`);
        console.log(`   events by app:  ${top(total.byApp)}`);
        console.log(`   bad rows: ${total.badRows}`);
      }
    }

    console.log("\n6. A new run arrives; two workers call processRuns at the same time:");
    uploadRun(s3, "run=2026-11-20-04-00-00", lines.slice(180), 1);
    const summaries = await Promise.all(["worker-a", "worker-b"].map((owner) =>
      processRuns(URI, {
        manifests,
        s3: s3Options,
        owner,
        // Each claimed run's events and bad rows; the summary counts them.
        handleRun: async (runId, records) => {
          handled.set(runId, (handled.get(runId) ?? 0) + 1);
          for await (const _record of records) { /* load into a warehouse, here: count */ }
        },
      })
    ));
    for (const s of summaries) {
      const heldBy = s.runs.flatMap((r) => r.status === "skipped" && r.heldBy ? [r.heldBy] : []);
      const skipped = heldBy.length > 0 ? ` (held by ${heldBy.join(", ")})` : "";
      console.log(
        `   ${s.owner}: ${s.seen} runs listed, ${s.alreadyDone} already done, ` +
          `${s.archived} archived, ` +
          `${s.processed} processed (${plural(s.events, "event")}, ${
            plural(s.badRows, "bad row")
          }), ` +
          `${s.skipped} skipped${skipped}`,
      );
    }

    const twice = [...handled].filter(([, n]) => n > 1);
    const unprocessed = await manifests.filterUnprocessed(handled.keys());
    console.log(
      `\nResult: ${handled.size} runs processed, ${
        twice.length === 0 ? "none twice" : `${twice.length} TWICE`
      }; ${unprocessed.length === 0 ? "all" : "NOT all"} recorded in the manifest.`,
    );
    if (twice.length > 0 || unprocessed.length > 0) Deno.exitCode = 1;
  } finally {
    await s3.close();
    await new Promise((resolve) => ddb.close(resolve));
    console.log("Local servers stopped.");
  }
}

await main();
