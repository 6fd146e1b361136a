/**
 * A Deno Deploy app that processes new S3 Loader files every five minutes with `Deno.cron`:
 * Deploy has cron but no queues, so each invocation claims at most `MAX_OBJECTS` files
 * (`maxRuns`), enough to finish well within the invocation's time limit; the next tick
 * continues where the manifest says. Several invocations (or other workers: Lambda, Workers,
 * the command line) may overlap: the manifest's claims keep every file processed once.
 *
 * For `run=…` folders of the batch pipeline, call `processRuns(uri, { …, handleRun,
 * maxRuns })` the same way.
 *
 * Configuration (Deploy environment variables): the standard `AWS_*` ones,
 * `MANIFEST_TABLE`, `SOURCE_PREFIX` (`s3://bucket/prefix/`), `MAX_OBJECTS` (default 25).
 * `run_local.ts` beside this file runs the job against the project's local servers.
 *
 * @module
 */

import { awsOptionsFromEnv, type RunLine } from "@snowplow/analytics-sdk";
import { processObjects, type ProcessRunsSummary } from "@snowplow/analytics-sdk/job";

/** Counts a file's events per type: the stand-in for loading them somewhere. */
async function load(key: string, records: AsyncIterable<RunLine>): Promise<void> {
  let events = 0;
  for await (const record of records) if (record.event) events++;
  console.log(JSON.stringify({ loaded: key, events }));
}

/** One invocation's work: at most `MAX_OBJECTS` new files under `SOURCE_PREFIX`. */
export function processNewObjects(
  env: Record<string, string | undefined>,
): Promise<ProcessRunsSummary> {
  const { SOURCE_PREFIX, MANIFEST_TABLE } = env;
  if (SOURCE_PREFIX === undefined || MANIFEST_TABLE === undefined) {
    throw new TypeError("Cannot start: set SOURCE_PREFIX and MANIFEST_TABLE");
  }
  return processObjects(SOURCE_PREFIX, {
    manifests: MANIFEST_TABLE,
    s3: awsOptionsFromEnv(env, "s3"),
    dynamodb: awsOptionsFromEnv(env, "dynamodb"),
    maxRuns: Number(env.MAX_OBJECTS ?? 25),
    concurrency: 4,
    owner: `deno-deploy-${crypto.randomUUID()}`,
    handleObject: load,
  });
}

if (import.meta.main) {
  Deno.cron("process new Snowplow files", "*/5 * * * *", async () => {
    const summary = await processNewObjects(Deno.env.toObject());
    const { processed, failed, notStarted, alreadyDone } = summary;
    console.log(JSON.stringify({ processed, failed, notStarted, alreadyDone }));
  });
}
