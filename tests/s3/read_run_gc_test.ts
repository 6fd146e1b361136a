import assert from "node:assert/strict";
import { readRun } from "../../src/s3/mod.ts";
import { collect, gcTests, outcomeWithin } from "../support/expose_gc.ts";
import { FakeS3 } from "../support/fake_s3.ts";

const RUN = "enriched/archive/run=2017-01-01-00-00-00/";

gcTests(import.meta.filename!, (gc) => {
  Deno.test("readRun() stops at its signal when the stalled body's Response was collected", async () => {
    // Half of the object arrives, then the body stalls for ever (no idle timeout here).
    await using s3 = await FakeS3.start({
      faults: (_i, request) =>
        request.method === "GET" && !request.url.includes("list-type") ? "stall" : undefined,
    });
    s3.put({ bucket: "bucket", key: `${RUN}part-00000` }, "not an event\n".repeat(20_000));
    const controller = new AbortController();
    const results = readRun(
      `s3://bucket/${RUN}`,
      s3.awsOptions({ signal: controller.signal, idleTimeoutMs: Infinity }),
    )[Symbol.asyncIterator]();
    let read = 0;
    while (read < 100) {
      assert.equal((await results.next()).done, false);
      read++;
    }
    const draining = (async () => {
      while (!(await results.next()).done) read++;
    })();
    await collect(gc);
    const reason = new Error("stop reading");
    controller.abort(reason);
    const outcome = await outcomeWithin(draining, 15_000);
    assert.notEqual(outcome, "still pending", "the abort was not honoured");
    assert.ok(typeof outcome === "object" && "error" in outcome && outcome.error === reason);
    assert.ok(read < 20_000, `${read} lines: only what arrived`);
  });
});
