import assert from "node:assert/strict";
import { backoffDelay, retryPolicy, sleep } from "../../src/aws/retry.ts";

Deno.test("retryPolicy() applies the documented defaults", () => {
  const policy = retryPolicy(undefined);
  assert.equal(policy.maxAttempts, 5);
  assert.equal(policy.baseDelayMs, 100);
  assert.equal(policy.maxDelayMs, 5000);
  assert.equal(policy.random, Math.random);
  assert.equal(retryPolicy({ maxAttempts: 0 }).maxAttempts, 1, "at least one attempt");
});

Deno.test("backoffDelay() is full jitter under a capped exponential ceiling", async (t) => {
  const at = (random: number, retry: number): number =>
    backoffDelay(retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => random }), retry);
  await t.step("lowest draw waits nothing", () => assert.equal(at(0, 3), 0));
  await t.step("ceiling doubles", () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => at(0.999, n)), [99, 199, 399, 799]);
  });
  await t.step("ceiling is capped", () => assert.equal(at(0.999, 10), 999));
});

Deno.test("sleep() rejects with the signal's reason as soon as it aborts", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const waiting = sleep(3_600_000, controller.signal); // the timer must be cleared, or Deno reports a leak
  controller.abort(reason);
  await assert.rejects(waiting, (e: unknown) => e === reason);
  await assert.rejects(sleep(1, AbortSignal.abort(reason)), (e: unknown) => e === reason);
  await sleep(1, undefined);
});
