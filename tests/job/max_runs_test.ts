import assert from "node:assert/strict";
import { processObjects } from "../../src/job/mod.ts";
import { startEngineEnv } from "../engines/support.ts";

Deno.test("processObjects() claims at most maxRuns units with concurrent workers", async () => {
  await using env = await startEngineEnv(12);
  const options = {
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    maxRuns: 5,
    concurrency: 4,
    handleObject: env.handle,
  };
  const uri = "s3://sp-loader-output/enriched/";
  const first = await processObjects(uri, options);
  assert.deepEqual([first.processed, first.notStarted], [5, 7]);
  const second = await processObjects(uri, options);
  assert.deepEqual([second.processed, second.alreadyDone, second.notStarted], [5, 5, 2]);
});
