import assert from "node:assert/strict";
import { gzipSync } from "npm:fflate@0.8.3";
import { S3Error } from "../../src/aws/mod.ts";
import {
  type FailedRun,
  LeaseLostError,
  processRuns,
  type ProcessRunsOptions,
  type RunContents,
} from "../../src/job/mod.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { type DynamoDbServer, localOptions, startDynamoDb } from "../support/dynamodb_server.ts";
import { FakeS3 } from "../support/fake_s3.ts";
import { generateLines } from "../support/generator.ts";

const encoder = new TextEncoder();
const BUCKET = "pipeline";
const PREFIX = "enriched/archive/";
const URI = `s3://${BUCKET}/${PREFIX}`;
const TABLE = "snowplow-runs";

const runId = (i: number): string =>
  `${PREFIX}run=2026-11-${String(1 + (i % 28)).padStart(2, "0")}-${
    String(Math.floor(i / 28)).padStart(2, "0")
  }-00-00/`;

interface Seeded {
  /** Run id → [events, bad rows] of the readable runs. */
  expected: Map<string, [number, number]>;
  archived: string[];
}

/** Writes `count` runs: two gzip parts each (a few bad lines), a `_SUCCESS` marker. */
function seedRuns(s3: FakeS3, count: number, first = 0, archived: number[] = []): Seeded {
  const expected = new Map<string, [number, number]>();
  const archivedIds: string[] = [];
  for (let i = first; i < first + count; i++) {
    const id = runId(i);
    let events = 0;
    let bad = 0;
    for (let part = 0; part < 2; part++) {
      const lines = [...generateLines({ seed: i * 10 + part, count: 6, badRate: 0.2 })];
      events += lines.filter((l) => l.label === "ok").length;
      bad += lines.filter((l) => l.label !== "ok").length;
      const body = gzipSync(encoder.encode(lines.map((l) => l.line).join("\n") + "\n"));
      const storageClass = archived.includes(i) ? "GLACIER" : "STANDARD";
      s3.put({ bucket: BUCKET, key: `${id}part-0000${part}.gz`, storageClass }, body);
    }
    s3.put({ bucket: BUCKET, key: `${id}_SUCCESS` }, "");
    if (archived.includes(i)) archivedIds.push(id);
    else expected.set(id, [events, bad]);
  }
  return { expected, archived: archivedIds };
}

interface Env {
  s3: FakeS3;
  dynamo: DynamoDbServer;
  manifests: RunManifests;
  /** Options for processRuns, with a handler counting the records of each run. */
  options(extra?: Partial<ProcessRunsOptions>): ProcessRunsOptions;
  /** How many times the default handler was called for each run. */
  calls: Map<string, number>;
}

async function withEnv(fn: (env: Env) => Promise<void>): Promise<void> {
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  const dynamo = await startDynamoDb();
  try {
    const manifests = new RunManifests(TABLE, localOptions(dynamo.endpoint));
    await manifests.create();
    const calls = new Map<string, number>();
    const env: Env = {
      s3,
      dynamo,
      manifests,
      calls,
      options: (extra = {}) => ({
        manifests,
        s3: s3.awsOptions(),
        handleRun: async (id: string, records: RunContents) => {
          calls.set(id, (calls.get(id) ?? 0) + 1);
          for await (const _ of records) { /* read to the end */ }
        },
        ...extra,
      }),
    };
    await fn(env);
  } finally {
    await dynamo.close();
    await s3.close();
  }
}

Deno.test("processRuns() processes each run exactly once across two sequential calls", async () => {
  await withEnv(async ({ s3, manifests, options, calls }) => {
    const { expected, archived } = seedRuns(s3, 5, 0, [2]);
    const first = await processRuns(URI, options({ owner: "worker-1" }));
    assert.equal(first.owner, "worker-1");
    assert.equal(first.seen, 5);
    assert.equal(first.archived, 1, "the archived run is left alone");
    assert.equal(first.processed, 4);
    assert.deepEqual(
      [first.alreadyDone, first.skipped, first.failed, first.notStarted],
      [0, 0, 0, 0],
    );
    for (const outcome of first.runs) {
      assert.equal(outcome.status, "processed");
      if (outcome.status !== "processed") continue;
      assert.deepEqual([outcome.events, outcome.badRows], expected.get(outcome.runId));
    }
    const totals = [...expected.values()].reduce((a, b) => [a[0] + b[0], a[1] + b[1]]);
    assert.deepEqual([first.events, first.badRows], totals);
    assert.deepEqual([...calls.keys()].sort(), [...expected.keys()].sort());
    for (const id of expected.keys()) assert.equal(await manifests.contains(id), true);
    assert.equal(await manifests.contains(archived[0]), false);

    const requestsBefore = s3.requests.length;
    const second = await processRuns(URI, options({ owner: "worker-1" }));
    const probes = s3.requests.slice(requestsBefore)
      .filter((r) => r.operation === "ListObjectsV2" && r.query.get("prefix") !== PREFIX)
      .map((r) => r.query.get("prefix"));
    assert.deepEqual(probes, archived, "only runs not done are probed for archiving");
    assert.deepEqual(
      [
        second.seen,
        second.alreadyDone,
        second.archived,
        second.processed,
        second.events,
        second.runs.length,
      ],
      [5, 4, 1, 0, 0, 0],
    );
    assert.ok([...calls.values()].every((n) => n === 1), "no run handled twice");
  });
});

Deno.test("processRuns() with 4 concurrent workers processes each of 30 runs exactly once", async () => {
  await withEnv(async ({ s3, manifests, options, calls }) => {
    const { expected } = seedRuns(s3, 30);
    const summaries = await Promise.all(
      [0, 1, 2, 3].map((w) =>
        processRuns(
          URI,
          options({
            owner: `worker-${w}`,
            concurrency: 2,
            order: w % 2 === 0 ? "listed" : "shuffled",
          }),
        )
      ),
    );
    assert.equal(calls.size, 30);
    assert.ok([...calls.values()].every((n) => n === 1), "every run handled once");
    assert.equal(summaries.reduce((n, s) => n + s.processed, 0), 30);
    assert.equal(summaries.reduce((n, s) => n + s.failed, 0), 0);
    for (const s of summaries) {
      assert.equal(s.seen, 30);
      assert.equal(
        s.alreadyDone + s.archived + s.processed + s.skipped + s.failed + s.notStarted,
        s.seen,
      );
    }
    const events = [...expected.values()].reduce((n, [e]) => n + e, 0);
    assert.equal(summaries.reduce((n, s) => n + s.events, 0), events);
    assert.deepEqual(await manifests.filterUnprocessed(expected.keys()), []);
  });
});

Deno.test("processRuns() releases a run whose handler fails, and a later call processes it", async () => {
  await withEnv(async ({ s3, manifests, options }) => {
    seedRuns(s3, 3);
    const failing = runId(1);
    const boom = new Error("warehouse unavailable");
    const first = await processRuns(
      URI,
      options({
        owner: "worker-1",
        handleRun: async (id, records) => {
          for await (const _ of records) if (id === failing) throw boom;
        },
      }),
    );
    assert.deepEqual([first.processed, first.failed], [2, 1]);
    const failed = first.runs.find((r) => r.status === "failed") as FailedRun;
    assert.equal(failed.runId, failing);
    assert.equal(failed.error, boom);
    assert.equal(failed.released, true);
    assert.equal(failed.events + failed.badRows, 1, "it failed on the first record");
    assert.equal(await manifests.get(failing), undefined, "the claim is gone");

    const handled: string[] = [];
    const second = await processRuns(
      URI,
      options({
        owner: "worker-2",
        handleRun: async (id, records) => {
          handled.push(id);
          for await (const _ of records) { /* read */ }
        },
      }),
    );
    assert.deepEqual(handled, [failing]);
    assert.deepEqual([second.alreadyDone, second.processed], [2, 1]);
    assert.equal(await manifests.contains(failing), true);
  });
});

Deno.test("processRuns() skips runs another worker holds and takes over expired claims", async () => {
  await withEnv(async ({ s3, manifests, options, calls, dynamo }) => {
    seedRuns(s3, 3);
    await manifests.claim(runId(0), { owner: "busy-worker", leaseMs: 3_600_000 });
    // A claim made an hour ago with a one-minute lease: expired.
    const past = new RunManifests(TABLE, {
      ...localOptions(dynamo.endpoint),
      now: () => Date.now() - 3_600_000,
    });
    await past.claim(runId(1), { owner: "crashed-worker", leaseMs: 60_000 });

    const summary = await processRuns(URI, options({ owner: "worker-1", order: "listed" }));
    assert.deepEqual(summary.runs.map((r) => [r.runId, r.status]), [
      [runId(0), "skipped"],
      [runId(1), "processed"],
      [runId(2), "processed"],
    ]);
    assert.deepEqual(summary.runs[0], {
      status: "skipped",
      runId: runId(0),
      reason: "held",
      heldBy: "busy-worker",
    });
    const takenOver = summary.runs[1];
    assert.ok(takenOver.status === "processed" && takenOver.tookOverFrom === "crashed-worker");
    assert.equal(calls.has(runId(0)), false);
    assert.equal((await manifests.get(runId(0)))?.owner, "busy-worker");
  });
});

Deno.test("processRuns() reports a lost claim as a failed run and does not mark it done", async () => {
  await withEnv(async ({ s3, manifests, options, dynamo }) => {
    seedRuns(s3, 1);
    // Another worker whose clock is an hour ahead sees the lease as expired and takes over.
    const intruder = new RunManifests(TABLE, {
      ...localOptions(dynamo.endpoint),
      now: () => Date.now() + 3_600_000,
    });
    const summary = await processRuns(
      URI,
      options({
        owner: "slow-worker",
        leaseMs: 60_000,
        renewLease: false,
        handleRun: async (id, records) => {
          for await (const _ of records) { /* read */ }
          const claim = await intruder.claim(id, { owner: "fast-worker", leaseMs: 60_000 });
          assert.equal(claim.claimed, true);
        },
      }),
    );
    assert.equal(summary.failed, 1);
    const failed = summary.runs[0] as FailedRun;
    assert.ok(failed.error instanceof LeaseLostError);
    assert.equal(failed.error.heldBy, "fast-worker");
    assert.equal(failed.released, false);
    const record = await manifests.get(runId(0));
    assert.deepEqual([record?.state, record?.owner], ["claimed", "fast-worker"]);
  });
});

Deno.test("processRuns() renews the lease of a run that takes longer than the lease", async () => {
  await withEnv(async ({ s3, options, dynamo }) => {
    seedRuns(s3, 1);
    // One clock for every worker, moved by the test: no waiting for leases to run out.
    let clock = Date.now();
    const withClock = () =>
      new RunManifests(TABLE, { ...localOptions(dynamo.endpoint), now: () => clock });
    const manifests = withClock();
    const intruder = withClock();
    const summary = await processRuns(
      URI,
      options({
        manifests,
        owner: "slow-worker",
        leaseMs: 300, // renewed every 100 ms
        handleRun: async (id, records) => {
          const first = (await manifests.get(id))?.leaseExpiresAt ?? 0;
          clock += 3_600_000; // an hour later: the first lease has long run out
          assert.ok(first < clock);
          // Reading is progress: the renewal after it is made at the new time.
          for await (const _ of records) { /* read */ }
          // Wait (bounded) for a renewal made at the new time.
          let renewed = 0;
          for (let i = 0; i < 400 && renewed <= clock; i++) {
            await new Promise((resolve) => setTimeout(resolve, 25));
            renewed = (await manifests.get(id))?.leaseExpiresAt ?? 0;
          }
          assert.ok(renewed > clock, "the lease was renewed");
          const other = await intruder.claim(id, { owner: "other-worker", leaseMs: 300 });
          assert.deepEqual([other.claimed, !other.claimed && other.heldBy], [
            false,
            "slow-worker",
          ]);
        },
      }),
    );
    assert.equal(summary.processed, 1);
    assert.equal(await manifests.contains(runId(0)), true);
  });
});

Deno.test("processRuns() fails and releases a run whose objects cannot be read", async () => {
  await withEnv(async ({ s3, manifests, options }) => {
    seedRuns(s3, 2);
    // Archived beyond the first 3 objects the listing probes: found only when read.
    for (let part = 2; part < 5; part++) {
      s3.put({
        bucket: BUCKET,
        key: `${runId(1)}part-0000${part}`,
        storageClass: part === 4 ? "DEEP_ARCHIVE" : "STANDARD",
      }, "x\n");
    }
    const summary = await processRuns(URI, options());
    assert.deepEqual([summary.processed, summary.failed], [1, 1]);
    const failed = summary.runs.find((r) => r.status === "failed") as FailedRun;
    assert.ok(failed.error instanceof S3Error);
    assert.equal(failed.error.code, "InvalidObjectState");
    assert.equal(failed.released, true);
    assert.equal(await manifests.get(runId(1)), undefined);
  });
});

Deno.test("processRuns() stops claiming at maxRuns and after a failure with stopOnFailure", async (t) => {
  await withEnv(async ({ s3, options }) => {
    seedRuns(s3, 5);
    await t.step("maxRuns", async () => {
      const first = await processRuns(URI, options({ maxRuns: 2 }));
      assert.deepEqual([first.seen, first.processed, first.notStarted], [5, 2, 3]);
      const rest = await processRuns(URI, options());
      assert.deepEqual([rest.alreadyDone, rest.processed], [2, 3]);
    });
    seedRuns(s3, 3, 5);
    await t.step("stopOnFailure", async () => {
      const summary = await processRuns(
        URI,
        options({
          stopOnFailure: true,
          handleRun: () => Promise.reject(new Error("no")),
        }),
      );
      assert.deepEqual(
        [summary.alreadyDone, summary.failed, summary.notStarted, summary.processed],
        [5, 1, 2, 0],
      );
    });
  });
});

Deno.test("processRuns() releases the runs in progress and rejects when the signal aborts", async () => {
  await withEnv(async ({ s3, manifests, options }) => {
    seedRuns(s3, 3);
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const settled: string[] = [];
    await assert.rejects(
      processRuns(
        URI,
        options({
          order: "listed",
          signal: controller.signal,
          onOutcome: (outcome) => settled.push(`${outcome.runId} ${outcome.status}`),
          handleRun: async (id, records) => {
            for await (const _ of records) if (id === runId(1)) controller.abort(reason);
          },
        }),
      ),
      (error) => error === reason,
    );
    assert.deepEqual(settled, [`${runId(0)} processed`, `${runId(1)} failed`]);
    assert.equal(await manifests.contains(runId(0)), true);
    assert.equal(await manifests.get(runId(1)), undefined, "released");
    assert.equal(await manifests.get(runId(2)), undefined, "never claimed");
  });
});

Deno.test("processRuns() hands each run's records once", async () => {
  await withEnv(async ({ s3, options }) => {
    seedRuns(s3, 1);
    const summary = await processRuns(
      URI,
      options({
        handleRun: async (_id, records) => {
          assert.equal(records.uri, `s3://${BUCKET}/${runId(0)}`);
          assert.equal(records.signal.aborted, false);
          for await (const record of records) {
            assert.ok(record.key.startsWith(runId(0)));
            assert.ok(record.line >= 1);
          }
          for await (const _ of records) { /* a second pass */ }
        },
      }),
    );
    const failed = summary.runs[0] as FailedRun;
    assert.ok(failed.error instanceof TypeError);
    assert.equal(
      failed.error.message,
      `Cannot iterate the records of s3://${BUCKET}/${PREFIX}run=2026-11-01-00-00-00/ twice: ` +
        "they are read once",
    );
  });
});

Deno.test("processRuns() builds the manifest from a table name and dynamodb options", async () => {
  await withEnv(async ({ s3, dynamo, manifests, options }) => {
    seedRuns(s3, 2);
    const summary = await processRuns(
      URI,
      options({ manifests: TABLE, dynamodb: localOptions(dynamo.endpoint) }),
    );
    assert.equal(summary.processed, 2);
    assert.deepEqual(await manifests.filterUnprocessed([runId(0), runId(1)]), []);
  });
});

Deno.test("processRuns() rejects invalid options at once", async (t) => {
  const s3 = { credentials: { accessKeyId: "AKID", secretAccessKey: "secret" } };
  const manifests = new RunManifests(TABLE, s3);
  const base: ProcessRunsOptions = { manifests, s3, handleRun: () => {} };
  const cases: [string, string, Partial<ProcessRunsOptions>, ErrorConstructor][] = [
    ["a non-S3 URI", "https://bucket/x/", {}, TypeError],
    ["no handleRun", URI, { handleRun: undefined }, TypeError],
    ["a table name without dynamodb options", URI, { manifests: TABLE }, TypeError],
    ["an empty owner", URI, { owner: "" }, TypeError],
    ["a zero lease", URI, { leaseMs: 0 }, RangeError],
    ["a fractional concurrency", URI, { concurrency: 1.5 }, RangeError],
    ["a zero maxRuns", URI, { maxRuns: 0 }, RangeError],
    ["an unknown order", URI, { order: "random" as "listed" }, TypeError],
  ];
  for (const [name, uri, extra, type] of cases) {
    await t.step(name, () => {
      assert.throws(() => processRuns(uri, { ...base, ...extra }), type);
    });
  }
});

Deno.test("processRuns() with sealedBy claims only sealed runs; an unsealed run waits for its seal", async () => {
  await withEnv(async ({ s3, manifests, options, calls }) => {
    seedRuns(s3, 3);
    // Two runs still being written: data, no shredding_complete.json yet.
    const open = [runId(3), runId(4)];
    for (const id of open) {
      s3.put({ bucket: BUCKET, key: `${id}part-00000.gz` }, gzipSync(encoder.encode("x\n")));
    }
    for (let i = 0; i < 3; i++) {
      s3.put({ bucket: BUCKET, key: `${runId(i)}shredding_complete.json` }, "{}");
    }
    const sealedBy = "shredding_complete.json";
    const first = await processRuns(URI, options({ owner: "worker-1", sealedBy }));
    assert.deepEqual(
      [first.seen, first.unsealed, first.processed, first.alreadyDone, first.failed],
      [5, 2, 3, 0, 0],
    );
    assert.equal(
      first.seen,
      first.alreadyDone + first.archived + first.unsealed + first.processed + first.skipped +
        first.failed + first.notStarted,
    );
    for (const id of open) {
      assert.equal(calls.get(id), undefined, "an unsealed run is not handed over");
      assert.equal(await manifests.get(id), undefined, "an unsealed run is not claimed");
    }
    s3.put({ bucket: BUCKET, key: `${open[0]}shredding_complete.json` }, "{}");
    const second = await processRuns(URI, options({ owner: "worker-1", sealedBy }));
    assert.deepEqual(
      [second.alreadyDone, second.unsealed, second.processed],
      [3, 1, 1],
    );
    assert.equal(await manifests.contains(open[0]), true);
    assert.equal(await manifests.get(open[1]), undefined);
    // Without sealedBy nothing waits (the default is unchanged).
    const third = await processRuns(URI, options({ owner: "worker-1" }));
    assert.deepEqual([third.unsealed, third.processed], [0, 1]);
  });
});

Deno.test("processRuns() fails and releases a run whose S3 body stalls; the next worker processes it", async () => {
  let stalling = true;
  const s3 = await FakeS3.start({
    buckets: [BUCKET],
    faults: (_i, request) =>
      stalling && request.method === "GET" &&
        decodeURIComponent(request.url).includes(`${runId(0)}part-`)
        ? "stall"
        : undefined,
  });
  const dynamo = await startDynamoDb();
  try {
    const { expected } = seedRuns(s3, 2);
    const manifests = new RunManifests(TABLE, localOptions(dynamo.endpoint));
    await manifests.create();
    const read = async (_id: string, records: RunContents) => {
      for await (const _ of records) { /* read to the end */ }
    };
    const first = await processRuns(URI, {
      manifests,
      owner: "stalled-worker",
      s3: s3.awsOptions({ idleTimeoutMs: 300, retry: { maxAttempts: 2, baseDelayMs: 1 } }),
      handleRun: read,
    });
    assert.deepEqual([first.processed, first.failed], [1, 1]);
    const failed = first.runs.find((r) => r.status === "failed") as FailedRun;
    assert.equal(failed.runId, runId(0));
    assert.ok(failed.error instanceof S3Error, String(failed.error));
    assert.equal(failed.error.code, "RequestTimeout");
    assert.equal(failed.released, true);
    assert.equal(await manifests.get(runId(0)), undefined, "released, not done");

    stalling = false;
    const second = await processRuns(URI, {
      manifests,
      owner: "next-worker",
      s3: s3.awsOptions(),
      handleRun: read,
    });
    assert.deepEqual([second.alreadyDone, second.processed], [1, 1]);
    const processed = second.runs[0];
    assert.ok(processed.status === "processed");
    assert.deepEqual([processed.events, processed.badRows], expected.get(runId(0)));
    assert.equal(await manifests.contains(runId(0)), true);
  } finally {
    await dynamo.close();
    await s3.close();
  }
});

Deno.test("processRuns() stops renewing the lease of a run that makes no progress", async () => {
  await withEnv(async ({ s3, manifests, options }) => {
    seedRuns(s3, 1);
    let started!: () => void;
    const running = new Promise<void>((resolve) => started = resolve);
    let release!: () => void;
    const takenOver = new Promise<void>((resolve) => release = resolve);
    const job = processRuns(
      URI,
      options({
        owner: "hung-worker",
        leaseMs: 300, // renewed every 100 ms while the run moves
        handleRun: async (_id, records) => {
          for await (const _ of records) {
            started();
            await takenOver; // hung: holds the first record, reads no further
            break;
          }
        },
      }),
    );
    await running;
    // Another worker polls until it wins the run: it can only once the renewals stopped and
    // the last lease ran out (the loop's bound is a safety net, not a timing).
    let claimed = false;
    for (let i = 0; i < 600 && !claimed; i++) {
      const claim = await manifests.claim(runId(0), { owner: "next-worker", leaseMs: 60_000 });
      claimed = claim.claimed;
      if (!claimed) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    release();
    const summary = await job;
    assert.ok(claimed, "the hung worker's run was taken over");
    assert.equal(summary.failed, 1);
    const failed = summary.runs[0] as FailedRun;
    assert.ok(failed.error instanceof LeaseLostError, String(failed.error));
    assert.equal(failed.error.heldBy, "next-worker");
    assert.equal(failed.released, false);
    assert.equal(await manifests.contains(runId(0)), false, "not marked done");
  });
});
