import assert from "node:assert/strict";
import { dynamoDbCall } from "../../src/aws/request.ts";
import {
  type ObjectRecords,
  processObjects,
  type ProcessObjectsOptions,
  processRuns,
  type ProcessRunsSummary,
} from "../../src/job/mod.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { enrichedBody, type JobEnv, loaderKey, total, withJobEnv } from "../support/job_env.ts";

const BUCKET = "loader";
const TABLE = "snowplow-units";
const PREFIX = "enriched/good/";
const URI = `s3://${BUCKET}/${PREFIX}`;
const CURSOR = `cursor#s3://${BUCKET}/${PREFIX}`;
const HOUR = 3_600_000;
const OLD = new Date(Date.now() - 24 * HOUR);

/** Options with a handler that reads each object to the end and counts the calls per key. */
function options(
  env: JobEnv,
  calls: Map<string, number>,
  extra: Partial<ProcessObjectsOptions> = {},
): ProcessObjectsOptions {
  return {
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    owner: "worker-1",
    handleObject: async (key: string, records: ObjectRecords) => {
      calls.set(key, (calls.get(key) ?? 0) + 1);
      for await (const _ of records) { /* read to the end */ }
    },
    ...extra,
  };
}

/** Puts a loader object written at `time` (its name) and uploaded at `lastModified`. */
function putLoaderObject(
  env: JobEnv,
  time: Date,
  naming: Parameters<typeof loaderKey>[2] = {},
  lastModified = time,
  seed = time.getTime() % 9973,
): { key: string; events: number; badRows: number } {
  const key = loaderKey(PREFIX, time, naming);
  const { body, events, badRows } = enrichedBody(seed, 3);
  env.s3.put({ bucket: BUCKET, key, lastModified }, body);
  return { key, events, badRows };
}

function addsUp(s: ProcessRunsSummary): void {
  assert.equal(
    s.seen,
    s.alreadyDone + s.archived + s.unsealed + s.processed + s.skipped + s.failed + s.notStarted,
  );
}

Deno.test("processObjects() processes S3 Loader 2.x and 3.x objects, with and without partitions, once", async (t) => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const namings: Parameters<typeof loaderKey>[2][] = [
      { version: 3 },
      { version: 3, partitioned: true },
      { version: 2, seq: 1 },
      { version: 2, partitioned: true, seq: 2 },
    ];
    const expected = new Map<string, [number, number]>();
    namings.forEach((naming, i) => {
      for (let j = 0; j < 3; j++) {
        const time = new Date(OLD.getTime() + (i * 3 + j) * 60_000);
        const { key, events, badRows } = putLoaderObject(env, time, naming);
        expected.set(key, [events, badRows]);
      }
    });
    // Not units: a marker, an empty object, a folder marker, a run folder's objects.
    env.s3.put({ bucket: BUCKET, key: `${PREFIX}_SUCCESS`, lastModified: OLD }, "");
    env.s3.put({ bucket: BUCKET, key: `${PREFIX}2026/empty.gz`, lastModified: OLD }, "");
    env.s3.put({ bucket: BUCKET, key: `${PREFIX}2026/`, lastModified: OLD }, "");
    const run = `${PREFIX}run=2017-01-01-00-00-00/`;
    env.s3.put({ bucket: BUCKET, key: `${run}part-00000.gz`, lastModified: OLD }, "x\n");

    const calls = new Map<string, number>();
    const first = await processObjects(URI, options(env, calls, { concurrency: 3 }));
    addsUp(first);
    assert.deepEqual([first.seen, first.processed, first.failed], [12, 12, 0]);
    await t.step("each object once, with its counts", () => {
      for (const outcome of first.runs) {
        assert.equal(outcome.status, "processed");
        if (outcome.status !== "processed") continue;
        assert.deepEqual([outcome.events, outcome.badRows], expected.get(outcome.runId));
      }
      assert.deepEqual([...calls.keys()].sort(), [...expected.keys()].sort());
    });
    await t.step("the manifest holds each object key; the run folder is not touched", async () => {
      assert.deepEqual(await env.manifests.filterUnprocessed(expected.keys()), []);
      assert.equal(await env.manifests.get(run), undefined);
    });
    await t.step("the cursor moved past every settled key", async () => {
      assert.equal(await env.manifests.getCursor(CURSOR), env.s3.keys(BUCKET).at(-1));
    });
    await t.step("a second call lists after the cursor and finds nothing", async () => {
      const second = await processObjects(URI, options(env, calls));
      assert.deepEqual([second.seen, second.processed], [0, 0]);
      assert.ok([...calls.values()].every((n) => n === 1));
    });
    await t.step("without the cursor the whole prefix is listed and found done", async () => {
      const third = await processObjects(URI, options(env, calls, { cursor: false }));
      assert.deepEqual([third.seen, third.alreadyDone, third.processed], [12, 12, 0]);
    });
  });
});

Deno.test("processObjects() finds objects arriving late inside the settle margin", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const now = Date.now();
    const old = putLoaderObject(env, new Date(now - 2 * HOUR), {}, new Date(now - 2 * HOUR));
    // Written by a loader a few minutes ago, uploaded just now.
    const recent = putLoaderObject(env, new Date(now - 2 * 60_000), {}, new Date(now));
    const calls = new Map<string, number>();
    const clock = { now };
    const opts = () => options(env, calls, { now: () => clock.now });
    const first = await processObjects(URI, opts());
    assert.deepEqual([first.seen, first.processed], [2, 2]);
    assert.equal(await env.manifests.getCursor(CURSOR), old.key, "not past the recent object");

    // Another loader, its clock a few minutes behind, uploads an object named for an earlier
    // time than `recent`: its key sorts before `recent` but after the cursor.
    const late = putLoaderObject(env, new Date(now - 5 * 60_000), {}, new Date(now));
    assert.ok(late.key > old.key && late.key < recent.key);
    const second = await processObjects(URI, opts());
    assert.deepEqual([second.seen, second.alreadyDone, second.processed], [2, 1, 1]);
    assert.equal(calls.get(late.key), 1);
    assert.equal(await env.manifests.getCursor(CURSOR), old.key);

    // Once everything is older than the margin, the cursor moves past it all.
    clock.now = now + 11 * 60_000;
    const third = await processObjects(URI, opts());
    assert.deepEqual([third.seen, third.alreadyDone, third.processed], [2, 2, 0]);
    assert.equal(await env.manifests.getCursor(CURSOR), recent.key);
    const fourth = await processObjects(URI, opts());
    assert.equal(fourth.seen, 0);
    assert.ok([...calls.values()].every((n) => n === 1));
  });
});

Deno.test("processObjects() keeps the cursor before an object that failed, and retries it", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const objects = [0, 1, 2].map((i) =>
      putLoaderObject(env, new Date(OLD.getTime() + i * 60_000))
    );
    const calls = new Map<string, number>();
    const first = await processObjects(
      URI,
      options(env, calls, {
        order: "listed",
        handleObject: (key) => {
          if (key === objects[1].key) throw new Error("sink down");
        },
      }),
    );
    assert.deepEqual([first.processed, first.failed], [2, 1]);
    assert.equal(await env.manifests.getCursor(CURSOR), objects[0].key);
    const second = await processObjects(URI, options(env, calls));
    assert.deepEqual([second.seen, second.alreadyDone, second.processed], [2, 1, 1]);
    assert.deepEqual([...calls.keys()], [objects[1].key]);
    assert.equal(await env.manifests.getCursor(CURSOR), objects[2].key);
  });
});

Deno.test("processObjects() leaves archived objects alone and counts them", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const key = loaderKey(PREFIX, OLD);
    env.s3.put({ bucket: BUCKET, key, lastModified: OLD, storageClass: "GLACIER" }, "x");
    const readable = putLoaderObject(env, new Date(OLD.getTime() + 60_000));
    const calls = new Map<string, number>();
    const summary = await processObjects(URI, options(env, calls));
    assert.deepEqual([summary.seen, summary.archived, summary.processed], [2, 1, 1]);
    assert.deepEqual([...calls.keys()], [readable.key]);
    assert.equal(await env.manifests.getCursor(CURSOR), undefined, "blocked by the archived one");
  });
});

Deno.test("processObjects() and processRuns() share a mixed prefix and one table", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const run = `${PREFIX}run=2017-01-01-00-00-00/`;
    env.s3.put(
      { bucket: BUCKET, key: `${run}part-00000.gz`, lastModified: OLD },
      enrichedBody(7).body,
    );
    env.s3.put({ bucket: BUCKET, key: `${run}_SUCCESS`, lastModified: OLD }, "");
    const loose = putLoaderObject(env, new Date(OLD.getTime() + 60_000), { partitioned: true });
    const calls = new Map<string, number>();
    const objects = await processObjects(URI, options(env, calls));
    const runs = await processRuns(URI, {
      manifests: env.manifests,
      s3: env.s3.awsOptions(),
      handleRun: async (runId, records) => {
        calls.set(runId, (calls.get(runId) ?? 0) + 1);
        for await (const _ of records) { /* read */ }
      },
    });
    assert.deepEqual(objects.runs.map((o) => o.runId), [loose.key]);
    assert.deepEqual(runs.runs.map((o) => o.runId), [run]);
    assert.deepEqual([...calls.entries()].sort(), [[loose.key, 1], [run, 1]].sort());
  });
});

Deno.test("processObjects() with 8 workers over 500 objects and crashing workers completes each object once", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const keys: string[] = [];
    for (let i = 0; i < 500; i++) {
      const time = new Date(OLD.getTime() + i * 1000);
      const key = loaderKey(PREFIX, time, {
        version: i % 2 === 0 ? 3 : 2,
        partitioned: i % 3 === 0,
      });
      env.s3.put({ bucket: BUCKET, key, lastModified: time }, `line ${i}\n`);
      keys.push(key);
    }
    // A crashing worker: its clock is an hour behind (so its leases look long expired to the
    // others, as a crashed worker's do), and its connection drops every request that would
    // complete or release an object: it claims and reads, but never finishes.
    const dropping: typeof fetch = (input, init) => {
      const target = new Headers(init?.headers).get("x-amz-target") ?? "";
      if (/UpdateItem|DeleteItem/.test(target)) {
        return Promise.reject(new TypeError("connection reset (crash)"));
      }
      return fetch(input, init);
    };
    const crashing = new RunManifests(TABLE, {
      ...env.dynamodb,
      fetch: dropping,
      retry: { maxAttempts: 1 },
      now: () => Date.now() - HOUR,
    });
    const handled = new Map<string, number>();
    const worker = (i: number): Promise<ProcessRunsSummary> => {
      const crashes = i % 4 === 3; // two of the eight
      return processObjects(URI, {
        manifests: crashes ? crashing : env.manifests,
        s3: env.s3.awsOptions(),
        owner: `worker-${i}`,
        concurrency: 2,
        maxRuns: crashes ? 40 : Infinity,
        handleObject: async (key, records) => {
          handled.set(key, (handled.get(key) ?? 0) + 1);
          for await (const _ of records) { /* read */ }
        },
      });
    };
    const processed = new Map<string, number>();
    const count = (summaries: ProcessRunsSummary[]) => {
      for (const summary of summaries) {
        addsUp(summary);
        for (const outcome of summary.runs) {
          if (outcome.status === "processed") {
            processed.set(outcome.runId, (processed.get(outcome.runId) ?? 0) + 1);
          }
        }
      }
    };
    count(await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i))));
    // What the crashed workers left claimed is taken over by the next round of healthy workers.
    for (let round = 0; round < 5 && processed.size < keys.length; round++) {
      count(await Promise.all([0, 1, 2].map((i) => worker(i * 2))));
    }
    assert.equal(processed.size, keys.length, "every object completed");
    assert.ok([...processed.values()].every((n) => n === 1), "no object completed twice");
    assert.deepEqual(await env.manifests.filterUnprocessed(keys), []);
    const crashedOnes = [...handled.entries()].filter(([, n]) => n > 1).length;
    assert.ok(crashedOnes > 0, "some objects were read by a crashing worker and again");
  });
});

Deno.test("processObjects() over 10,000 done objects and 5 new ones costs at most 3 listing pages and 20 DynamoDB requests", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const keys: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const time = new Date(OLD.getTime() + i * 1000);
      const key = loaderKey(PREFIX, time, { partitioned: true });
      env.s3.put({ bucket: BUCKET, key, lastModified: time }, "x\n");
      keys.push(key);
    }
    // Marked done as earlier calls would have (BatchWriteItem, 25 items a request).
    for (let i = 0; i < keys.length; i += 25) {
      await dynamoDbCall("BatchWriteItem", {
        RequestItems: {
          [TABLE]: keys.slice(i, i + 25).map((key) => ({
            PutRequest: { Item: { RunId: { S: key }, State: { S: "done" } } },
          })),
        },
      }, env.dynamodb);
    }
    const calls = new Map<string, number>();
    // The first call over this prefix lists it whole and sets the cursor.
    const warm = await processObjects(URI, options(env, calls));
    assert.deepEqual([warm.seen, warm.alreadyDone, warm.processed], [10_000, 10_000, 0]);
    assert.equal(await env.manifests.getCursor(CURSOR), keys.at(-1));

    const fresh = Array.from(
      { length: 5 },
      (_, i) => putLoaderObject(env, new Date(Date.now() - 60_000 + i), { partitioned: true }),
    );
    env.dynamoRequests.clear();
    const listingsBefore = env.s3.requests.filter((r) => r.operation === "ListObjectsV2").length;
    const summary = await processObjects(URI, options(env, calls));
    const listings = env.s3.requests.filter((r) => r.operation === "ListObjectsV2").length -
      listingsBefore;
    assert.deepEqual([summary.seen, summary.processed], [5, 5]);
    assert.deepEqual([...calls.keys()].sort(), fresh.map((f) => f.key).sort());
    assert.ok(listings <= 3, `${listings} ListObjectsV2 pages`);
    const dynamo = total(env.dynamoRequests);
    assert.ok(
      dynamo <= 20,
      `${dynamo} DynamoDB requests: ${JSON.stringify(Object.fromEntries(env.dynamoRequests))}`,
    );
  });
});

Deno.test("processObjects() rejects invalid options at once", async (t) => {
  const base = {
    manifests: "snowplow-units",
    dynamodb: { credentials: { accessKeyId: "A", secretAccessKey: "B" } },
    s3: { credentials: { accessKeyId: "A", secretAccessKey: "B" } },
    handleObject: () => {},
  };
  const cases: [string, () => unknown, ErrorConstructor][] = [
    ["not an S3 URI", () => processObjects("http://x/", base), TypeError],
    ["no handler", () => processObjects(URI, { ...base, handleObject: 1 as never }), TypeError],
    ["a negative settle margin", () => processObjects(URI, { ...base, settleMs: -1 }), RangeError],
    ["zero concurrency", () => processObjects(URI, { ...base, concurrency: 0 }), RangeError],
    ["a bad order", () => processObjects(URI, { ...base, order: "random" as never }), TypeError],
  ];
  for (const [name, call, type] of cases) {
    await t.step(name, () => {
      assert.throws(call, type);
    });
  }
});

Deno.test("processObjects() reads items the Python SDK wrote (RunId only) as done", async () => {
  await withJobEnv([BUCKET], TABLE, async (env) => {
    const objects = [0, 1].map((i) => putLoaderObject(env, new Date(OLD.getTime() + i * 60_000)));
    await dynamoDbCall("PutItem", {
      TableName: TABLE,
      Item: { RunId: { S: objects[0].key } },
    }, env.dynamodb);
    const calls = new Map<string, number>();
    const summary = await processObjects(URI, options(env, calls));
    assert.deepEqual([summary.seen, summary.alreadyDone, summary.processed], [2, 1, 1]);
    assert.deepEqual([...calls.keys()], [objects[1].key]);
  });
});
