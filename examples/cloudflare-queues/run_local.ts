/**
 * Runs the Cloudflare Queues example (`worker.ts`) in workerd through miniflare, with a real
 * local Queue and R2 bucket, against the project's local S3 (the fake S3 from `tests/support/`)
 * and DynamoDB (dynalite) on 127.0.0.1 — no Cloudflare or AWS account, no network:
 *
 * ```sh
 * deno run -A examples/cloudflare-queues/run_local.ts
 * ```
 *
 * It uploads 30 S3 Loader-style gzip objects, fires the Worker's `scheduled()` producer (which
 * sends the 30 objects to the queue), waits until the consumer has processed them all, fires
 * the producer again (nothing left to send) and prints what the R2 bucket holds.
 *
 * @module
 */

import { Miniflare } from "npm:miniflare@4.20260426.0";
import { gzipSync } from "npm:fflate@0.8.3";
import { RunManifests } from "@snowplow/analytics-sdk";
import { localOptions, startDynamoDb } from "../../tests/support/dynamodb_server.ts";
import { FakeS3 } from "../../tests/support/fake_s3.ts";

const WORKER = new URL("./worker.ts", import.meta.url).pathname;
const SAMPLE = new URL("../data/sample_enriched.tsv", import.meta.url);
const BUCKET = "sp-loader-output";
const TABLE = "snowplow-objects";
const OBJECTS = 30;

const lines = (await Deno.readTextFile(SAMPLE)).split("\n").filter((line) => line !== "");
const s3 = await FakeS3.start({ buckets: [BUCKET] });
const dynamo = await startDynamoDb();
const dir = await Deno.makeTempDir({ prefix: "cloudflare-queues-example-" });
try {
  for (let i = 0; i < OBJECTS; i++) {
    const key = `enriched/2026/11/30/09/sp-loader-2026-11-30-09${String(i).padStart(4, "0")}.gz`;
    const part = lines.slice((i * 5) % lines.length, (i * 5) % lines.length + 5).join("\n");
    s3.put({ bucket: BUCKET, key }, gzipSync(new TextEncoder().encode(part + "\n")));
  }
  const manifests = new RunManifests(TABLE, localOptions(dynamo.endpoint));
  await manifests.create();
  console.log(`1. ${OBJECTS} objects in s3://${BUCKET}/enriched/, manifest table ${TABLE}`);

  const bundled = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      "-o",
      `${dir}/w.mjs`,
      WORKER,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!bundled.success) throw new Error("deno bundle failed");
  const mf = new Miniflare({
    modules: true,
    script: await Deno.readTextFile(`${dir}/w.mjs`),
    compatibilityDate: "2025-01-01",
    bindings: {
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AWS_REGION: s3.region,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      MANIFEST_TABLE: TABLE,
      SOURCE_PREFIX: `s3://${BUCKET}/enriched/`,
      HELD_RETRY_SECONDS: "1",
    },
    queueProducers: { QUEUE: { queueName: "objects" } },
    queueConsumers: { objects: { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 5 } },
    r2Buckets: ["OUTPUT"],
  });
  try {
    // miniflare's Workers types need @cloudflare/workers-types; these are the parts used here.
    const worker = await mf.getWorker() as unknown as {
      scheduled(options: { cron: string }): Promise<unknown>;
    };
    await worker.scheduled({ cron: "*/5 * * * *" });
    console.log("2. scheduled(): the producer sent the new objects to the queue");
    const keys = s3.keys(BUCKET);
    const deadline = Date.now() + 120_000;
    let left = keys;
    while ((left = await manifests.filterUnprocessed(keys)).length > 0) {
      if (Date.now() > deadline) throw new Error(`${left.length} objects still not done`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(`3. queue(): the consumer processed all ${keys.length} objects`);
    const again = await mf.dispatchFetch("http://localhost/produce", { method: "POST" });
    const { sent } = await again.json() as { sent: number };
    const output = await mf.getR2Bucket("OUTPUT") as unknown as {
      list(): Promise<{ objects: { key: string }[] }>;
      get(key: string): Promise<{ text(): Promise<string> } | null>;
    };
    const listed = await output.list();
    let events = 0;
    for (const object of listed.objects) {
      const body = await (await output.get(object.key))!.text();
      events += body.split("\n").filter((line) => line !== "").length;
    }
    console.log(`4. R2 OUTPUT holds ${listed.objects.length} NDJSON files, ${events} events`);
    console.log(`5. the producer again (POST /produce): ${sent} objects sent, every one is done`);
  } finally {
    await mf.dispose();
  }
} finally {
  await dynamo.close();
  await s3.close();
  await Deno.remove(dir, { recursive: true });
}
console.log("Local servers stopped.");
