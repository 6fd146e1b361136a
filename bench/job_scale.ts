/**
 * How `processRuns` spreads runs over workers, measured on the local servers (dynalite and the
 * fake S3, in this process): for N workers started together over the same runs, the wall time,
 * runs per second, DynamoDB and S3 requests per run, and claim conflicts.
 *
 * ```sh
 * deno run -A bench/job_scale.ts            # 200 runs, 1/2/4/8 workers, 0 and 50 ms of work per run
 * deno run -A bench/job_scale.ts 400 25     # 400 runs, 25 ms of work per run
 * deno run -A bench/job_scale.ts steady     # 1,000 runs of which 5 are new: the seed's loop vs processRuns
 * deno run -A bench/job_scale.ts objects    # 10,000 done S3 Loader objects + 5 new: processObjects with and without its cursor
 * ```
 *
 * Every worker is a `processRuns` call in this process (concurrency 1 each), so the workers,
 * dynalite and the fake S3 share the same cores: the figures show the coordination cost
 * (requests, conflicts), not what separate machines would reach.
 *
 * @module
 */

import { gzipSync } from "npm:fflate@0.8.3";
import {
  type AwsCredentials,
  listRunIds,
  processObjects,
  processRuns,
  readRun,
  RunManifests,
} from "../mod.ts";
import { dynamoDbCall } from "../src/aws/mod.ts";
import { startDynamoDb } from "../tests/support/dynamodb_server.ts";
import { FakeS3 } from "../tests/support/fake_s3.ts";
import { generateLines } from "../tests/support/generator.ts";
import { dynamoDbCounter } from "./_dynamodb_counter.ts";

const STEADY = Deno.args[0] === "steady";
const OBJECTS = Deno.args[0] === "objects";
const RUNS = STEADY ? 1000 : OBJECTS ? 200 : Number(Deno.args[0] ?? 200);
const WORK_MS = Deno.args[1] === undefined ? [0, 50] : [Number(Deno.args[1])];
const WORKERS = [1, 2, 4, 8];
const EVENTS_PER_RUN = 20;
const BUCKET = "bench";
const URI = `s3://${BUCKET}/archive/`;

const part = gzipSync(
  new TextEncoder().encode(
    [...generateLines({ seed: 1, count: EVENTS_PER_RUN })].map((g) => g.line).join("\n") + "\n",
  ),
);

interface Row {
  workers: number;
  order: string;
  workMs: number;
  seconds: number;
  runsPerSecond: number;
  ddbPerRun: number;
  ddbByOp: Record<string, number>;
  s3PerRun: number;
  skipped: number;
  processed: number;
}

async function measure(workers: number, order: "listed" | "shuffled", workMs: number) {
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  const dynamo = await startDynamoDb();
  try {
    for (let i = 0; i < RUNS; i++) {
      const day = String(1 + (i % 28)).padStart(2, "0");
      const hour = String(Math.floor(i / 28) % 24).padStart(2, "0");
      const minute = String(Math.floor(i / (28 * 24))).padStart(2, "0");
      const run = `archive/run=2026-11-${day}-${hour}-${minute}-00/`;
      s3.put({ bucket: BUCKET, key: `${run}part-00000.gz` }, part);
      s3.put({ bucket: BUCKET, key: `${run}_SUCCESS` }, "");
    }
    const { byOp: ddbByOp, fetch: countingFetch } = dynamoDbCounter();
    const ddbOptions = {
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
      endpoint: dynamo.endpoint,
    };
    await new RunManifests("runs", ddbOptions).create();
    for (const key of Object.keys(ddbByOp)) delete ddbByOp[key];
    const manifests = new RunManifests("runs", { ...ddbOptions, fetch: countingFetch });
    const s3Before = s3.requests.length;
    const start = performance.now();
    const summaries = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        processRuns(URI, {
          manifests,
          s3: s3.awsOptions(),
          owner: `worker-${w}`,
          order,
          handleRun: async (_runId, records) => {
            for await (const _ of records) { /* read */ }
            if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
          },
        })),
    );
    const seconds = (performance.now() - start) / 1000;
    const processed = summaries.reduce((n, s) => n + s.processed, 0);
    if (processed !== RUNS) throw new Error(`processed ${processed} of ${RUNS} runs`);
    const ddb = Object.values(ddbByOp).reduce((a, b) => a + b, 0);
    return {
      workers,
      order,
      workMs,
      seconds,
      runsPerSecond: RUNS / seconds,
      ddbPerRun: ddb / RUNS,
      ddbByOp: { ...ddbByOp },
      s3PerRun: (s3.requests.length - s3Before) / RUNS,
      skipped: summaries.reduce((n, s) => n + s.skipped, 0),
      processed,
    } satisfies Row;
  } finally {
    await dynamo.close();
    await s3.close();
  }
}

async function scaling(): Promise<void> {
  console.log(
    `processRuns over ${RUNS} runs of ${EVENTS_PER_RUN} events (1 gzip object + _SUCCESS each); ` +
      `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores\n`,
  );
  console.log(
    "| work/run | workers | order | time (s) | runs/s | DynamoDB req/run | by operation (total) | S3 req/run | skipped claims |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const workMs of WORK_MS) {
    for (const workers of WORKERS) {
      for (const order of workers === 1 ? ["listed"] as const : ["listed", "shuffled"] as const) {
        const r = await measure(workers, order, workMs);
        const ops = Object.entries(r.ddbByOp).sort().map(([op, n]) => `${op} ${n}`).join(", ");
        console.log(
          `| ${workMs} ms | ${r.workers} | ${r.order} | ${r.seconds.toFixed(2)} | ${
            r.runsPerSecond.toFixed(0)
          } | ${r.ddbPerRun.toFixed(2)} | ${ops} | ${r.s3PerRun.toFixed(2)} | ${r.skipped} |`,
        );
      }
    }
  }
}

/** The steady state: an archive of RUNS runs, all done but 5. One call of each loop. */
async function steady(): Promise<void> {
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  const dynamo = await startDynamoDb();
  try {
    const runs: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const day = String(1 + (i % 28)).padStart(2, "0");
      const hour = String(Math.floor(i / 28) % 24).padStart(2, "0");
      const minute = String(Math.floor(i / (28 * 24))).padStart(2, "0");
      const run = `archive/run=2026-11-${day}-${hour}-${minute}-00/`;
      runs.push(run);
      s3.put({ bucket: BUCKET, key: `${run}part-00000.gz` }, part);
      s3.put({ bucket: BUCKET, key: `${run}_SUCCESS` }, "");
    }
    const { ddbOptions, counted, manifests } = countingTable(dynamo.endpoint);
    const setup = new RunManifests("runs", ddbOptions);
    await setup.create();
    const fresh = new Set(runs.filter((_, i) => i % (RUNS / 5) === 0));
    const done = runs.filter((r) => !fresh.has(r));
    for (let i = 0; i < done.length; i += 50) {
      await Promise.all(done.slice(i, i + 50).map((r) => setup.add(r)));
    }
    const row = async (name: string, job: () => Promise<number>) => {
      counted.requests = 0;
      const s3Before = s3.requests.length;
      const start = performance.now();
      const processed = await job();
      const seconds = (performance.now() - start) / 1000;
      console.log(
        `| ${name} | ${processed} | ${seconds.toFixed(2)} | ${counted.requests} | ${
          s3.requests.length - s3Before
        } |`,
      );
    };
    console.log(
      `One call over ${RUNS} runs of which ${fresh.size} are new; deno ${Deno.version.deno}, ` +
        `${navigator.hardwareConcurrency} cores\n`,
    );
    console.log("| loop | runs processed | time (s) | DynamoDB requests | S3 requests |");
    console.log("| --- | --- | --- | --- | --- |");
    await row("the seed's loop (listRunIds, contains, add)", async () => {
      let processed = 0;
      for await (const runId of listRunIds(URI, s3.awsOptions())) {
        if (!(await manifests.contains(runId))) {
          for await (const _ of readRun({ bucket: BUCKET, prefix: runId }, s3.awsOptions())) {
            /* read */
          }
          await manifests.add(runId);
          processed++;
        }
      }
      return processed;
    });
    // The seed's loop added the new runs: take them out again for processRuns.
    await Promise.all(
      [...fresh].map((runId) => dynamoDbDelete(ddbOptions, runId)),
    );
    await row("processRuns (1 worker)", async () => {
      const summary = await processRuns(URI, {
        manifests,
        s3: s3.awsOptions(),
        handleRun: async (_runId, records) => {
          for await (const _ of records) { /* read */ }
        },
      });
      return summary.processed;
    });
  } finally {
    await dynamo.close();
    await s3.close();
  }
}

/** DynamoDB options for dynalite, and the table `runs` through a fetch that counts requests. */
function countingTable(endpoint: string) {
  const ddbOptions = {
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
    endpoint,
  };
  const counted = { requests: 0 };
  const manifests = new RunManifests("runs", {
    ...ddbOptions,
    fetch: (input, init) => {
      counted.requests++;
      return fetch(input, init);
    },
  });
  return { ddbOptions, counted, manifests };
}

/** Deletes a manifest item (to run the second loop on the same state). */
async function dynamoDbDelete(
  options: { region: string; credentials: AwsCredentials; endpoint: string },
  runId: string,
): Promise<void> {
  await dynamoDbCall("DeleteItem", { TableName: "runs", Key: { RunId: { S: runId } } }, options);
}

/**
 * S3 Loader output: 10,000 objects under `yyyy/MM/dd/HH/` partitions, all done, plus 5 new
 * ones. One processObjects call after a first call has set the cursor, against one with
 * `cursor: false` (the whole prefix listed and batch-checked).
 */
async function objects(): Promise<void> {
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  const dynamo = await startDynamoDb();
  try {
    const { ddbOptions, counted, manifests } = countingTable(dynamo.endpoint);
    await new RunManifests("runs", ddbOptions).create();
    const p = (n: number) => String(n).padStart(2, "0");
    const put = (time: Date, i: number): string => {
      const [y, mo, d, h] = [
        time.getUTCFullYear(),
        time.getUTCMonth() + 1,
        time.getUTCDate(),
        time.getUTCHours(),
      ];
      const name = `${y}-${p(mo)}-${p(d)}-${p(h)}${p(time.getUTCMinutes())}${
        p(time.getUTCSeconds())
      }-${crypto.randomUUID()}.gz`;
      const key = `enriched/${y}/${p(mo)}/${p(d)}/${p(h)}/${name}`;
      s3.put({ bucket: BUCKET, key, lastModified: time }, i < 0 ? part : "x\n");
      return key;
    };
    const start = Date.now() - 7 * 86_400_000;
    const keys = Array.from({ length: 10_000 }, (_, i) => put(new Date(start + i * 30_000), i));
    for (let i = 0; i < keys.length; i += 25) {
      await dynamoDbCall("BatchWriteItem", {
        RequestItems: {
          runs: keys.slice(i, i + 25).map((key) => ({
            PutRequest: { Item: { RunId: { S: key }, State: { S: "done" } } },
          })),
        },
      }, ddbOptions);
    }
    const uri = `s3://${BUCKET}/enriched/`;
    const call = async (cursor: boolean) => {
      counted.requests = 0;
      const lists = () => s3.requests.filter((r) => r.operation === "ListObjectsV2").length;
      const listsBefore = lists();
      const t0 = performance.now();
      const summary = await processObjects(uri, {
        manifests,
        s3: s3.awsOptions(),
        cursor,
        handleObject: async (_key, records) => {
          for await (const _ of records) { /* read */ }
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      return { summary, seconds, lists: lists() - listsBefore, ddb: counted.requests };
    };
    await call(true); // sets the cursor past the 10,000 done objects
    console.log(
      `One processObjects call over 10,000 done objects plus 5 new ones; deno ${Deno.version.deno}, ` +
        `${navigator.hardwareConcurrency} cores\n`,
    );
    console.log(
      "| call | objects listed | processed | time (s) | ListObjectsV2 pages | DynamoDB requests |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const cursor of [true, false]) {
      const fresh = Array.from({ length: 5 }, (_, i) => put(new Date(Date.now() - 60_000 + i), -1));
      const r = await call(cursor);
      console.log(
        `| ${
          cursor ? "with the cursor" : "cursor: false"
        } | ${r.summary.seen} | ${r.summary.processed} | ${
          r.seconds.toFixed(2)
        } | ${r.lists} | ${r.ddb} |`,
      );
      if (r.summary.processed !== fresh.length) {
        throw new Error("the new objects were not processed");
      }
    }
  } finally {
    await dynamo.close();
    await s3.close();
  }
}

if (STEADY) await steady();
else if (OBJECTS) await objects();
else await scaling();
