/**
 * Runs the Deno Deploy example's job (`main.ts`) four times in a row, as four cron ticks,
 * against the project's local S3 (the fake S3 from `tests/support/`) and DynamoDB (dynalite)
 * on 127.0.0.1 — no Deploy or AWS account, no network:
 *
 * ```sh
 * deno run -A examples/deno-deploy/run_local.ts
 * ```
 *
 * With 12 files and `MAX_OBJECTS=5`, the ticks process 5, 5, 2 and 0 files.
 *
 * @module
 */

import { gzipSync } from "npm:fflate@0.8.3";
import { RunManifests } from "@snowplow/analytics-sdk";
import { localOptions, startDynamoDb } from "../../tests/support/dynamodb_server.ts";
import { FakeS3 } from "../../tests/support/fake_s3.ts";
import { processNewObjects } from "./main.ts";

const SAMPLE = new URL("../data/sample_enriched.tsv", import.meta.url);
const BUCKET = "sp-loader-output";
const lines = (await Deno.readTextFile(SAMPLE)).split("\n").filter((line) => line !== "");

const s3 = await FakeS3.start({ buckets: [BUCKET] });
const dynamo = await startDynamoDb();
try {
  for (let i = 0; i < 12; i++) {
    const key = `enriched/2026/11/30/09/sp-loader-2026-11-30-09${String(i).padStart(4, "0")}.gz`;
    s3.put(
      { bucket: BUCKET, key },
      gzipSync(new TextEncoder().encode(lines.slice(i * 8, i * 8 + 8).join("\n"))),
    );
  }
  await new RunManifests("snowplow-objects", localOptions(dynamo.endpoint)).create();
  const env = {
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: s3.region,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    MANIFEST_TABLE: "snowplow-objects",
    SOURCE_PREFIX: `s3://${BUCKET}/enriched/`,
    MAX_OBJECTS: "5",
  };
  for (let tick = 1; tick <= 4; tick++) {
    // Objects written just now are inside the cursor's settle margin: they are processed,
    // and the cursor waits to move past them, so every tick lists them again (cheaply).
    const summary = await processNewObjects(env);
    console.log(
      `tick ${tick}: ${summary.processed} processed, ${summary.alreadyDone} already done, ` +
        `${summary.notStarted} left for the next tick, ${summary.failed} failed`,
    );
  }
} finally {
  await dynamo.close();
  await s3.close();
}
console.log("Local servers stopped.");
