import assert from "node:assert/strict";
import {
  type FailedRun,
  processObject,
  type ProcessObjectOptions,
  type UnitContents,
} from "../../src/job/mod.ts";
import { enrichedBody, type JobEnv, loaderKey, withJobEnv } from "../support/job_env.ts";

const BUCKET = "loader";
const TABLE = "snowplow-units";
const PREFIX = "enriched/";

function options(env: JobEnv, extra: Partial<ProcessObjectOptions> = {}): ProcessObjectOptions {
  return {
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    owner: "worker-1",
    handle: async (_unitId: string, records: UnitContents) => {
      for await (const _ of records) { /* read to the end */ }
    },
    ...extra,
  };
}

Deno.test("processObject() processes an object once; a second call is skipped as done", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = loaderKey(PREFIX, new Date("2026-11-20T10:15:00Z"));
    const { body, events, badRows } = enrichedBody(1, 8);
    env.s3.put({ bucket: BUCKET, key }, body);
    const seen: { unitId: string; uri: string; lines: number[] }[] = [];
    const handle = async (unitId: string, records: UnitContents) => {
      const lines: number[] = [];
      for await (const record of records) {
        assert.equal(record.key, key);
        lines.push(record.line);
      }
      seen.push({ unitId, uri: records.uri, lines });
    };
    const first = await processObject(`s3://${BUCKET}/${key}`, options(env, { handle }));
    assert.deepEqual(first, { status: "processed", runId: key, events, badRows });
    assert.deepEqual(seen, [{
      unitId: key,
      uri: `s3://${BUCKET}/${key}`,
      lines: Array.from({ length: 8 }, (_, i) => i + 1),
    }]);
    assert.equal(await env.manifests.contains(key), true);
    const gets = env.s3.requests.filter((r) => r.operation === "GetObject").length;
    assert.equal(gets, 1, "one GET, no listing");
    assert.equal(env.s3.requests.filter((r) => r.operation === "ListObjectsV2").length, 0);

    const second = await processObject({ bucket: BUCKET, key }, options(env, { handle }));
    assert.deepEqual(second, { status: "skipped", runId: key, reason: "done" });
    assert.equal(seen.length, 1, "the handler is not called again");
  });
});

Deno.test("processObject() reads the version a notification named (etag and size)", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = loaderKey(PREFIX, new Date("2026-11-20T10:15:00Z"));
    const { body, events, badRows } = enrichedBody(5, 6);
    const stored = env.s3.put({ bucket: BUCKET, key }, body);
    const outcome = await processObject(
      { bucket: BUCKET, key },
      options(env, { etag: stored.etag, size: stored.body.length }),
    );
    assert.deepEqual(outcome, { status: "processed", runId: key, events, badRows });
  });
});

Deno.test("processObject() processes a run folder as one unit", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const runId = `${PREFIX}run=2017-01-01-00-00-00/`;
    let events = 0;
    let badRows = 0;
    for (let part = 0; part < 2; part++) {
      const made = enrichedBody(10 + part);
      events += made.events;
      badRows += made.badRows;
      env.s3.put({ bucket: BUCKET, key: `${runId}part-0000${part}.gz` }, made.body);
    }
    env.s3.put({ bucket: BUCKET, key: `${runId}_SUCCESS` }, "");
    const keys = new Set<string>();
    const outcome = await processObject(
      `s3://${BUCKET}/${runId}`,
      options(env, {
        handle: async (_unitId, records) => {
          for await (const record of records) keys.add(record.key);
        },
      }),
    );
    assert.deepEqual(outcome, { status: "processed", runId, events, badRows });
    assert.deepEqual([...keys].sort(), [`${runId}part-00000.gz`, `${runId}part-00001.gz`]);
    assert.equal(await env.manifests.contains(runId), true);
  });
});

Deno.test("processObject() releases the object when the handler fails; the next call processes it", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = loaderKey(PREFIX, new Date("2026-11-20T10:15:00Z"), { version: 2 });
    env.s3.put({ bucket: BUCKET, key }, enrichedBody(2).body);
    const failing = await processObject(
      `s3://${BUCKET}/${key}`,
      options(env, {
        handle: () => {
          throw new Error("sink down");
        },
      }),
    );
    assert.equal(failing.status, "failed");
    assert.equal((failing as FailedRun).released, true);
    assert.equal(((failing as FailedRun).error as Error).message, "sink down");
    assert.equal(await env.manifests.get(key), undefined, "the claim is gone");
    const retried = await processObject(`s3://${BUCKET}/${key}`, options(env));
    assert.equal(retried.status, "processed");
  });
});

Deno.test("processObject() skips an object another worker holds", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = loaderKey(PREFIX, new Date("2026-11-20T10:15:00Z"));
    env.s3.put({ bucket: BUCKET, key }, enrichedBody(3).body);
    await env.manifests.claim(key, { owner: "worker-2", leaseMs: 60_000 });
    let called = false;
    const outcome = await processObject(
      `s3://${BUCKET}/${key}`,
      options(env, { handle: () => void (called = true) }),
    );
    assert.deepEqual(outcome, {
      status: "skipped",
      runId: key,
      reason: "held",
      heldBy: "worker-2",
    });
    assert.equal(called, false);
  });
});

Deno.test("processObject() fails and releases a missing object", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = `${PREFIX}2026-11-20-101500-missing.gz`;
    const outcome = await processObject(`s3://${BUCKET}/${key}`, options(env));
    assert.equal(outcome.status, "failed");
    const failed = outcome as FailedRun;
    assert.equal((failed.error as { code?: string }).code, "NoSuchKey");
    assert.equal(failed.released, true);
    assert.equal(await env.manifests.get(key), undefined);
  });
});

Deno.test("processObject() releases the object and rejects when the signal aborts", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = loaderKey(PREFIX, new Date("2026-11-20T10:15:00Z"));
    env.s3.put({ bucket: BUCKET, key }, enrichedBody(4).body);
    const controller = new AbortController();
    const reason = new Error("stop");
    await assert.rejects(
      processObject(
        `s3://${BUCKET}/${key}`,
        options(env, {
          signal: controller.signal,
          handle: async (_unitId, records) => {
            controller.abort(reason);
            for await (const _ of records) { /* aborted */ }
          },
        }),
      ),
      (error) => error === reason,
    );
    assert.equal(await env.manifests.get(key), undefined, "the claim was released");
  });
});

Deno.test("processObject() rejects invalid locations and options at once", async (t) => {
  const base = {
    manifests: "snowplow-units",
    dynamodb: { credentials: { accessKeyId: "A", secretAccessKey: "B" } },
    s3: { credentials: { accessKeyId: "A", secretAccessKey: "B" } },
    handle: () => {},
  };
  const cases: [string, () => unknown, ErrorConstructor][] = [
    ["a folder that is not a run folder", () => processObject("s3://b/enriched/", base), TypeError],
    ["a bucket without a key", () => processObject("s3://b/", base), TypeError],
    ["not an S3 URI", () => processObject("https://b/x.gz", base), TypeError],
    [
      "a missing handler",
      () => processObject("s3://b/x.gz", { ...base, handle: undefined as never }),
      TypeError,
    ],
    ["an empty owner", () => processObject("s3://b/x.gz", { ...base, owner: "" }), TypeError],
    ["a zero lease", () => processObject("s3://b/x.gz", { ...base, leaseMs: 0 }), RangeError],
    ["a negative size", () => processObject("s3://b/x.gz", { ...base, size: -1 }), RangeError],
    [
      "an etag number",
      () => processObject("s3://b/x.gz", { ...base, etag: 1 as never }),
      TypeError,
    ],
    [
      "a table name without dynamodb options",
      () => processObject("s3://b/x.gz", { ...base, dynamodb: undefined }),
      TypeError,
    ],
  ];
  for (const [name, call, type] of cases) {
    await t.step(name, () => {
      assert.throws(call, type);
    });
  }
});
