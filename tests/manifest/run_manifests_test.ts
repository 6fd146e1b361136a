import assert from "node:assert/strict";
import { dynamoDbCall, DynamoDBError } from "../../src/aws/mod.ts";
import { RunManifests, type RunManifestsOptions } from "../../src/manifest/mod.ts";
import { localOptions, startDynamoDb } from "../support/dynamodb_server.ts";
import { startFaultyServer } from "../support/faulty_server.ts";

const RUN = (i: number): string =>
  `enriched/archive/run=2017-01-${String(1 + (i % 28)).padStart(2, "0")}-00-00-${
    String(i).padStart(4, "0")
  }/`;

/** Wraps fetch to record the DynamoDB operation of every request. */
function counting(): { fetch: typeof fetch; operations: string[] } {
  const operations: string[] = [];
  return {
    operations,
    fetch: (input, init) => {
      const target = new Headers(init?.headers).get("x-amz-target") ?? "";
      operations.push(target.replace("DynamoDB_20120810.", ""));
      return fetch(input, init);
    },
  };
}

/** Adds runs, a few at a time. */
async function addAll(manifests: RunManifests, runIds: string[]): Promise<void> {
  for (let i = 0; i < runIds.length; i += 25) {
    await Promise.all(runIds.slice(i, i + 25).map((runId) => manifests.add(runId)));
  }
}

/** Polls DescribeTable until the table is ACTIVE (at most about 60 s). */
async function waitUntilActive(table: string, options: RunManifestsOptions): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const out = await dynamoDbCall<{ Table: { TableStatus: string } }>(
      "DescribeTable",
      { TableName: table },
      options,
    );
    if (out.Table.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`table ${table} is still not ACTIVE`);
}

async function withTable(
  fn: (manifests: RunManifests, endpoint: string) => Promise<void>,
  extra: Partial<RunManifestsOptions> = {},
): Promise<void> {
  const server = await startDynamoDb();
  try {
    const manifests = new RunManifests("snowplow-runs", {
      ...localOptions(server.endpoint),
      ...extra,
    });
    await manifests.create();
    await fn(manifests, server.endpoint);
  } finally {
    await server.close();
  }
}

Deno.test("RunManifests() rejects a bad table name at once", async (t) => {
  const options = localOptions("http://127.0.0.1:1");
  await t.step("empty", () => assert.throws(() => new RunManifests("", options), TypeError));
  await t.step("not a string", () => {
    assert.throws(() => new RunManifests(undefined as unknown as string, options), TypeError);
  });
  await t.step("too short", () => assert.throws(() => new RunManifests("ab", options), RangeError));
  await t.step("bad characters", () => {
    assert.throws(() => new RunManifests("runs/prod", options), /Invalid run manifest table name/);
  });
});

Deno.test("create() creates the table, then treats an existing one as success", async () => {
  const server = await startDynamoDb();
  try {
    const { fetch, operations } = counting();
    const manifests = new RunManifests("snowplow-runs", localOptions(server.endpoint, { fetch }));
    assert.deepEqual(await manifests.create(), { created: true });
    assert.deepEqual(await manifests.create(), { created: false });
    assert.deepEqual(operations, ["CreateTable", "DescribeTable", "CreateTable", "DescribeTable"]);
    const described = await dynamoDbCall<{ Table: Record<string, unknown> }>(
      "DescribeTable",
      { TableName: "snowplow-runs" },
      localOptions(server.endpoint),
    );
    assert.equal(described.Table.TableStatus, "ACTIVE");
    assert.deepEqual(described.Table.KeySchema, [{ AttributeName: "RunId", KeyType: "HASH" }]);
    assert.deepEqual(described.Table.AttributeDefinitions, [
      { AttributeName: "RunId", AttributeType: "S" },
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("create() waits until a CREATING table is ACTIVE, also when it already exists", async () => {
  const server = await startDynamoDb({ createTableMs: 400 });
  try {
    const first = counting();
    const second = counting();
    const options = { tablePollMs: 10, tableWaitMs: 5_000 };
    const a = new RunManifests("snowplow-runs", {
      ...localOptions(server.endpoint, { fetch: first.fetch }),
      ...options,
    });
    const b = new RunManifests("snowplow-runs", {
      ...localOptions(server.endpoint, { fetch: second.fetch }),
      ...options,
    });
    const created = a.create();
    while (first.operations.length === 0) await new Promise((r) => setTimeout(r, 1));
    const existing = b.create(); // the table is CREATING: ResourceInUseException, then wait
    assert.deepEqual(await created, { created: true });
    assert.deepEqual(await existing, { created: false });
    for (const { operations } of [first, second]) {
      assert.equal(operations[0], "CreateTable");
      assert.ok(operations.filter((op) => op === "DescribeTable").length >= 2, String(operations));
    }
    // Both returned only once ACTIVE: the table takes writes now.
    await a.add(RUN(1));
    assert.equal(await b.contains(RUN(1)), true);
  } finally {
    await server.close();
  }
});

Deno.test("create() gives up with TableNotActive after tableWaitMs and stops on abort", async (t) => {
  // A table that stays CREATING forever.
  const server = startFaultyServer({
    handler: (request) =>
      Response.json(
        request.headers.get("x-amz-target")?.endsWith(".DescribeTable")
          ? { Table: { TableName: "slow-table", TableStatus: "CREATING" } }
          : { TableDescription: { TableName: "slow-table", TableStatus: "CREATING" } },
      ),
  });
  try {
    await t.step("bounded", async () => {
      const manifests = new RunManifests("slow-table", {
        ...localOptions(server.endpoint),
        tablePollMs: 10,
        tableWaitMs: 30,
      });
      await assert.rejects(manifests.create(), (e: unknown) => {
        assert.ok(e instanceof DynamoDBError);
        assert.equal(e.code, "TableNotActive");
        assert.match(e.message, /slow-table is still CREATING after 30 ms/);
        return true;
      });
      // CreateTable, then DescribeTable at 0, 10, 20 and 30 ms.
      assert.equal(server.requests.length, 5);
    });
    await t.step("aborted while waiting", async () => {
      const controller = new AbortController();
      const reason = new Error("stop waiting");
      const manifests = new RunManifests("slow-table", {
        ...localOptions(server.endpoint, { signal: controller.signal }),
        tablePollMs: 3_600_000,
      });
      const before = server.requests.length;
      const call = manifests.create();
      while (server.requests.length < before + 2) await new Promise((r) => setTimeout(r, 1));
      controller.abort(reason);
      await assert.rejects(call, (e: unknown) => e === reason);
    });
  } finally {
    await server.close();
  }
});

Deno.test("add() and contains() record and find runs", () =>
  withTable(async (manifests, endpoint) => {
    assert.equal(await manifests.contains(RUN(1)), false);
    await manifests.add(RUN(1));
    assert.equal(await manifests.contains(RUN(1)), true);
    assert.equal(await manifests.contains(RUN(2)), false);
    await manifests.add(RUN(1)); // adding twice is fine
    const { Item } = await dynamoDbCall<{ Item: Record<string, Record<string, string>> }>(
      "GetItem",
      { TableName: "snowplow-runs", Key: { RunId: { S: RUN(1) } } },
      localOptions(endpoint),
    );
    assert.equal(Item.RunId.S, RUN(1));
    assert.equal(Item.State.S, "done");
    assert.match(Item.AddedAt.N, /^\d+$/);
  }));

Deno.test("contains() reads a table written in the Python SDK's shape", async () => {
  const server = await startDynamoDb();
  try {
    const options = localOptions(server.endpoint);
    // Exactly what the Python SDK 0.2 does: CreateTable with provisioned throughput, PutItem {RunId}.
    await dynamoDbCall("CreateTable", {
      TableName: "python-runs",
      AttributeDefinitions: [{ AttributeName: "RunId", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "RunId", KeyType: "HASH" }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }, options);
    // The table is CREATING for a while (dynalite refuses writes then): wait, as the Python SDK's
    // users do, until it is ACTIVE (polling, bounded by the test's own safety net).
    await waitUntilActive("python-runs", options);
    for (const i of [1, 2, 3]) {
      await dynamoDbCall(
        "PutItem",
        { TableName: "python-runs", Item: { RunId: { S: RUN(i) } } },
        options,
      );
    }
    const manifests = new RunManifests("python-runs", options);
    assert.deepEqual(await manifests.create(), { created: false });
    assert.equal(await manifests.contains(RUN(1)), true);
    assert.equal(await manifests.contains(RUN(4)), false);
    assert.deepEqual(await manifests.get(RUN(2)), { runId: RUN(2), state: "done" });
    assert.deepEqual(await manifests.filterUnprocessed([RUN(1), RUN(4), RUN(3), RUN(5)]), [
      RUN(4),
      RUN(5),
    ]);
    assert.deepEqual(await manifests.claim(RUN(3), { owner: "w1", leaseMs: 1000 }), {
      claimed: false,
      runId: RUN(3),
      reason: "done",
    });
    // And the reverse: what we add reads as present for the Python SDK (an item with RunId).
    await manifests.add(RUN(9));
    const { Item } = await dynamoDbCall<{ Item?: Record<string, unknown> }>(
      "GetItem",
      { TableName: "python-runs", Key: { RunId: { S: RUN(9) } } },
      options,
    );
    assert.deepEqual(Item?.RunId, { S: RUN(9) });
  } finally {
    await server.close();
  }
});

Deno.test("filterUnprocessed() checks 1,000 run ids in 10 BatchGetItem requests", async () => {
  const { fetch, operations } = counting();
  await withTable(async (manifests) => {
    const ids = Array.from({ length: 1000 }, (_, i) => RUN(i));
    await addAll(manifests, ids.filter((_, i) => i % 3 === 0));
    await manifests.claim(ids[1], { owner: "w1", leaseMs: 60_000 }); // claimed: not processed
    operations.length = 0;
    const todo = await manifests.filterUnprocessed(ids);
    assert.deepEqual(todo, ids.filter((_, i) => i % 3 !== 0));
    assert.deepEqual(operations, Array(10).fill("BatchGetItem"));
  }, { fetch });
});

Deno.test("filterUnprocessed() keeps input order and duplicates, and sends nothing for none", () =>
  withTable(async (manifests) => {
    await manifests.add(RUN(2));
    assert.deepEqual(
      await manifests.filterUnprocessed([RUN(3), RUN(2), RUN(1), RUN(3)]),
      [RUN(3), RUN(1), RUN(3)],
    );
    assert.deepEqual(await manifests.filterUnprocessed([]), []);
    await assert.rejects(manifests.filterUnprocessed([RUN(1), ""]), TypeError);
  }));

Deno.test("filterUnprocessed() retries UnprocessedKeys with backoff", async () => {
  const server = await startDynamoDb();
  try {
    let batches = 0;
    // Hand back half of the keys of the first two BatchGetItem requests as unprocessed, like
    // DynamoDB does under load.
    const partial: typeof fetch = async (input, init) => {
      const target = new Headers(init?.headers).get("x-amz-target") ?? "";
      if (!target.endsWith(".BatchGetItem") || ++batches > 2) return await fetch(input, init);
      const body = JSON.parse(String(init?.body));
      const request = body.RequestItems["snowplow-runs"];
      const keys: unknown[] = request.Keys;
      const half = keys.slice(0, keys.length >> 1);
      const rest = keys.slice(keys.length >> 1);
      const response = await fetch(new Request(input, init), {
        body: JSON.stringify({ RequestItems: { "snowplow-runs": { ...request, Keys: half } } }),
      });
      const out = await response.json();
      out.UnprocessedKeys = { "snowplow-runs": { ...request, Keys: rest } };
      return Response.json(out);
    };
    const manifests = new RunManifests(
      "snowplow-runs",
      localOptions(server.endpoint, { fetch: partial }),
    );
    await manifests.create();
    const ids = Array.from({ length: 150 }, (_, i) => RUN(i));
    await addAll(manifests, ids.filter((_, i) => i % 2 === 0));
    assert.deepEqual(await manifests.filterUnprocessed(ids), ids.filter((_, i) => i % 2 === 1));
    assert.ok(batches >= 4, `expected retries of unprocessed keys, saw ${batches} requests`);
  } finally {
    await server.close();
  }
});

Deno.test("filterUnprocessed() gives up when keys stay unprocessed", async () => {
  const server = await startDynamoDb();
  try {
    const stuck: typeof fetch = async (input, init) => {
      const target = new Headers(init?.headers).get("x-amz-target") ?? "";
      if (!target.endsWith(".BatchGetItem")) return await fetch(input, init);
      const body = JSON.parse(String(init?.body));
      return Response.json({
        Responses: { "snowplow-runs": [] },
        UnprocessedKeys: body.RequestItems,
      });
    };
    const manifests = new RunManifests("snowplow-runs", {
      ...localOptions(server.endpoint, { fetch: stuck }),
      retry: { maxAttempts: 3, baseDelayMs: 1 },
    });
    await manifests.create();
    await assert.rejects(manifests.filterUnprocessed([RUN(1)]), (e: unknown) => {
      assert.ok(e instanceof DynamoDBError);
      assert.equal(e.code, "UnprocessedKeys");
      assert.equal(e.operation, "BatchGetItem");
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("claim() lets one worker hold a run until it completes or releases it", () =>
  withTable(async (manifests) => {
    const first = await manifests.claim(RUN(1), { owner: "w1", leaseMs: 60_000 });
    assert.equal(first.claimed, true);
    const second = await manifests.claim(RUN(1), { owner: "w2", leaseMs: 60_000 });
    assert.equal(second.claimed, false);
    assert.ok(!second.claimed && second.reason === "held" && second.heldBy === "w1");
    assert.equal(await manifests.contains(RUN(1)), false, "a claim is not processed");
    assert.deepEqual(await manifests.filterUnprocessed([RUN(1)]), [RUN(1)]);
    assert.equal(await manifests.complete(RUN(1), "w2"), false, "w2 does not hold it");
    assert.equal(await manifests.release(RUN(1), "w2"), false, "w2 does not hold it");
    assert.equal(await manifests.complete(RUN(1), "w1"), true);
    assert.equal(await manifests.complete(RUN(1), "w1"), true, "a retried complete is harmless");
    assert.equal(await manifests.contains(RUN(1)), true);
    assert.deepEqual(await manifests.claim(RUN(1), { owner: "w2", leaseMs: 1 }), {
      claimed: false,
      runId: RUN(1),
      reason: "done",
    });
    assert.equal(await manifests.release(RUN(1), "w1"), false, "a done run cannot be released");

    assert.equal((await manifests.claim(RUN(2), { owner: "w1", leaseMs: 60_000 })).claimed, true);
    assert.equal(await manifests.release(RUN(2), "w1"), true);
    assert.equal(await manifests.contains(RUN(2)), false);
    assert.equal((await manifests.claim(RUN(2), { owner: "w2", leaseMs: 60_000 })).claimed, true);
    assert.equal(await manifests.complete(RUN(3), "w1"), false, "never claimed");
    assert.equal(await manifests.release(RUN(3), "w1"), false, "never claimed");
  }));

Deno.test("claim() takes over a claim whose lease expired", async () => {
  let now = 1_000_000;
  await withTable(async (manifests) => {
    const a = await manifests.claim(RUN(1), { owner: "w1", leaseMs: 500 });
    assert.deepEqual(a, { claimed: true, runId: RUN(1), leaseExpiresAt: 1_000_500 });
    now += 499;
    const early = await manifests.claim(RUN(1), { owner: "w2", leaseMs: 500 });
    assert.deepEqual(early, {
      claimed: false,
      runId: RUN(1),
      reason: "held",
      heldBy: "w1",
      leaseExpiresAt: 1_000_500,
    });
    now += 1;
    const late = await manifests.claim(RUN(1), { owner: "w2", leaseMs: 500 });
    assert.deepEqual(late, {
      claimed: true,
      runId: RUN(1),
      leaseExpiresAt: 1_001_000,
      tookOverFrom: "w1",
    });
    assert.equal(await manifests.complete(RUN(1), "w1"), false, "w1 lost the run");
    assert.equal(await manifests.complete(RUN(1), "w2"), true);
    assert.deepEqual(await manifests.get(RUN(1)), { runId: RUN(1), state: "done", owner: "w2" });
  }, { now: () => now });
});

Deno.test("claim() renews the lease for the worker that holds the run", async () => {
  let now = 5_000;
  await withTable(async (manifests) => {
    await manifests.claim(RUN(1), { owner: "w1", leaseMs: 100 });
    now += 50;
    assert.deepEqual(await manifests.claim(RUN(1), { owner: "w1", leaseMs: 100 }), {
      claimed: true,
      runId: RUN(1),
      leaseExpiresAt: 5_150,
    });
    assert.deepEqual(await manifests.get(RUN(1)), {
      runId: RUN(1),
      state: "claimed",
      owner: "w1",
      leaseExpiresAt: 5_150,
    });
  }, { now: () => now });
});

Deno.test("claim() rejects bad arguments at once", () =>
  withTable(async (manifests) => {
    await assert.rejects(manifests.claim("", { owner: "w", leaseMs: 1 }), TypeError);
    await assert.rejects(manifests.claim(RUN(1), { owner: "", leaseMs: 1 }), TypeError);
    await assert.rejects(manifests.claim(RUN(1), { owner: "w", leaseMs: 0 }), RangeError);
    await assert.rejects(manifests.claim(RUN(1), { owner: "w", leaseMs: NaN }), RangeError);
    await assert.rejects(manifests.complete(RUN(1), ""), TypeError);
    await assert.rejects(manifests.add(""), TypeError);
  }));

Deno.test("claim() makes 8 racing workers, some crashing, complete every run exactly once", async () => {
  const RUNS = Array.from({ length: 200 }, (_, i) => RUN(i));
  const LEASE_MS = 150;
  const completions = new Map<string, number>();
  const takeovers: string[] = [];
  const crashedClaims: string[] = [];
  let lost = 0;
  const holders = new Map<string, string>();
  const doubleClaims: string[] = [];
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  await withTable(async (manifests) => {
    const worker = async (id: number): Promise<void> => {
      const owner = `worker-${id}`;
      // Workers 5, 6 and 7 crash on their 2nd, 3rd and 4th claim: the claim stays behind.
      const crashAfter = id >= 5 ? id - 3 : Infinity;
      let claims = 0;
      for (;;) {
        const todo = await manifests.filterUnprocessed(RUNS);
        if (todo.length === 0) return;
        // Workers start in pairs at 4 places (a little at random), so every pair races for
        // the same runs and then runs into the next pair's stretch.
        const start = Math.floor(((id % 4) / 4 + random() / 64) * todo.length);
        let progressed = false;
        let misses = 0;
        for (let k = 0; k < todo.length && misses < 3; k++) {
          const runId = todo[(start + k) % todo.length];
          const claim = await manifests.claim(runId, { owner, leaseMs: LEASE_MS });
          if (!claim.claimed) {
            lost++;
            misses++; // probably in another worker's stretch: look again at what is left
            continue;
          }
          misses = 0;
          progressed = true;
          if (claim.tookOverFrom !== undefined) takeovers.push(runId);
          else if (holders.has(runId)) doubleClaims.push(`${runId} ${holders.get(runId)} ${owner}`);
          holders.set(runId, owner);
          if (++claims >= crashAfter) {
            crashedClaims.push(runId);
            return; // crashed: never completes nor releases
          }
          await pause(Math.floor(random() * 4));
          if (await manifests.complete(runId, owner)) {
            completions.set(runId, (completions.get(runId) ?? 0) + 1);
          }
          if (holders.get(runId) === owner) holders.delete(runId);
        }
        if (!progressed) await pause(20); // everything left is held: wait for leases to expire
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
    assert.equal(crashedClaims.length, 3);
    assert.ok(lost > 0, "workers really competed for runs");
    assert.deepEqual(doubleClaims, [], "a run held by a live claim was never claimed again");
    for (const runId of crashedClaims) assert.ok(takeovers.includes(runId), `${runId} taken over`);
    assert.equal(completions.size, 200, "every run completed");
    for (const [runId, count] of completions) assert.equal(count, 1, `${runId} completed once`);
    assert.deepEqual(await manifests.filterUnprocessed(RUNS), [], "no run left behind");
  }, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
});
