/**
 * AWS Lambda functions for Snowplow data, three entry points in one module:
 *
 * - `objects`: an SQS-triggered function fed S3 event notifications (directly, through SNS, or
 *   from EventBridge) for the S3 Loader's enriched files; each file is processed once, and the
 *   answer is a partial batch response (enable `ReportBatchItemFailures`).
 * - `backfill`: the item processor of a Step Functions Distributed Map that lists the same
 *   prefix (`ItemReader` `s3:listObjectsV2`, `ItemBatcher` with `BatchInput.bucket`): files
 *   the notifications already processed are skipped.
 * - `stream`: a Kinesis-triggered function on Enrich's enriched stream (plain, gzip or zstd
 *   records), answering the first failed record.
 *
 * What "processing" means here is a stand-in: counting events per type and logging one JSON
 * line per file or record. Put your loading there, idempotent per key or sequence number.
 *
 * Configuration: the standard `AWS_*` variables (Lambda sets them), `MANIFEST_TABLE`. Bundle
 * for the Node.js runtime (`deno bundle --platform node -o dist/handler.mjs handler.ts`) or run
 * on a Deno layer. `run_local.ts` beside this file invokes all three against the project's
 * local servers.
 *
 * @module
 */

import { awsOptionsFromEnv, type RunLine, RunManifests } from "@snowplow/analytics-sdk";
import {
  distributedMapHandler,
  type EnrichedStreamRecord,
  kinesisHandler,
  lambdaHandler,
} from "@snowplow/analytics-sdk/engines";

/** The environment, on Node.js (`process.env`) and Deno alike. */
function environment(): Record<string, string | undefined> {
  const node = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
  return node?.env ?? Deno.env.toObject();
}

const env = environment();
const manifests = new RunManifests(
  env.MANIFEST_TABLE ?? "snowplow-objects",
  awsOptionsFromEnv(env, "dynamodb"),
);
const s3 = awsOptionsFromEnv(env, "s3");

/** Counts a file's events per type and logs the counts: the stand-in for loading them. */
async function load(key: string, records: AsyncIterable<RunLine>): Promise<void> {
  const byType: Record<string, number> = {};
  let badRows = 0;
  for await (const record of records) {
    if (record.event) {
      const type = String(record.event.event ?? "unknown");
      byType[type] = (byType[type] ?? 0) + 1;
    } else {
      badRows++;
    }
  }
  console.log(JSON.stringify({ loaded: key, byType, badRows }));
}

/** Why a message or record failed, for CloudWatch. */
function logFailure(error: unknown, id: string): void {
  console.error(JSON.stringify({ failed: id, error: String(error) }));
}

/** The SQS-triggered function. */
export const objects = lambdaHandler({ manifests, s3, handle: load, onFailure: logFailure });

/** The Distributed Map's item processor. */
export const backfill = distributedMapHandler({ manifests, s3, handle: load });

/** The Kinesis-triggered function on the enriched stream. */
export const stream = kinesisHandler({
  handleRecord(record: EnrichedStreamRecord) {
    const byType: Record<string, number> = {};
    for (const event of record.events) {
      const type = String(event.event ?? "unknown");
      byType[type] = (byType[type] ?? 0) + 1;
    }
    console.log(JSON.stringify({
      record: record.sequenceNumber,
      encoding: record.encoding,
      byType,
      badRows: record.badRows.length,
    }));
  },
  onFailure: logFailure,
});
