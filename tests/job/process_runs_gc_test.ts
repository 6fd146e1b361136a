import assert from "node:assert/strict";
import { processRuns } from "../../src/job/mod.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { localOptions, startDynamoDb } from "../support/dynamodb_server.ts";
import { collect, gcTests, outcomeWithin } from "../support/expose_gc.ts";
import { FakeS3 } from "../support/fake_s3.ts";

const RUN = "enriched/archive/run=2017-01-01-00-00-00/";

gcTests(import.meta.filename!, (gc) => {
  Deno.test("processRuns() stops at its signal when the stalled body's Response was collected", async () => {
    await using s3 = await FakeS3.start({
      faults: (_i, request) =>
        request.method === "GET" && !request.url.includes("list-type") ? "stall" : undefined,
    });
    const dynamo = await startDynamoDb();
    try {
      s3.put({ bucket: "bucket", key: `${RUN}part-00000` }, "not an event\n".repeat(20_000));
      const manifests = new RunManifests("snowplow-runs", localOptions(dynamo.endpoint));
      await manifests.create();
      const controller = new AbortController();
      let reading!: () => void;
      const started = new Promise<void>((resolve) => reading = resolve);
      let read = 0;
      const job = processRuns("s3://bucket/enriched/archive/", {
        manifests,
        s3: s3.awsOptions({ idleTimeoutMs: Infinity }),
        signal: controller.signal,
        handleRun: async (_id, records) => {
          for await (const _ of records) if (++read === 100) reading();
        },
      });
      await started;
      await collect(gc);
      const reason = new Error("interrupted");
      controller.abort(reason);
      const outcome = await outcomeWithin(job, 15_000);
      assert.notEqual(outcome, "still pending", "the abort was not honoured");
      assert.ok(typeof outcome === "object" && "error" in outcome && outcome.error === reason);
      assert.equal(await manifests.get(RUN), undefined, "the run was released");
      assert.ok(read < 20_000, `${read} records: only what arrived`);
    } finally {
      await dynamo.close();
    }
  });
});
