import assert from "node:assert/strict";
import { DynamoDBError } from "../../src/aws/mod.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { localOptions, startDynamoDb } from "../support/dynamodb_server.ts";
import {
  dynamoDbFault,
  type Fault,
  type FaultPlan,
  startFaultyServer,
} from "../support/faulty_server.ts";

const RUN = (i: number): string => `archive/run=2020-02-02-02-02-${String(i).padStart(2, "0")}/`;

const TRANSIENT: [string, Fault][] = [
  ["429", { status: 429 }],
  ["500", { status: 500 }],
  ["503", { status: 503 }],
  ["ThrottlingException", dynamoDbFault(400, "ThrottlingException", "Rate exceeded")],
  [
    "ProvisionedThroughputExceededException",
    dynamoDbFault(400, "ProvisionedThroughputExceededException", "Throughput exceeded"),
  ],
  ["connection reset", "reset"],
  ["body cut off mid-stream", "cut"],
];

function operationOf(request: Request): string {
  return (request.headers.get("x-amz-target") ?? "").replace("DynamoDB_20120810.", "");
}

/** dynalite behind a faulty endpoint; `fn` gets manifests bound to the faulty endpoint. */
async function behindFaults(
  faults: FaultPlan,
  fn: (manifests: RunManifests, requests: Request[]) => Promise<void>,
  options: { create?: boolean; signal?: AbortSignal; idleTimeoutMs?: number } = {},
): Promise<void> {
  const dynamo = await startDynamoDb();
  const create = options.create ?? true;
  if (create) {
    await new RunManifests("snowplow-runs", localOptions(dynamo.endpoint)).create();
  }
  const faulty = startFaultyServer({ upstream: dynamo.endpoint, faults });
  try {
    const manifests = new RunManifests("snowplow-runs", {
      ...localOptions(faulty.endpoint, options.signal ? { signal: options.signal } : {}),
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    });
    await fn(manifests, faulty.requests);
  } finally {
    await faulty.close();
    await dynamo.close();
  }
}

Deno.test("RunManifests succeeds within the retry budget while the endpoint fails", async () => {
  const injected: string[] = [];
  // Every other request fails, cycling through the faults. A cut-off DeleteItem would have
  // been applied before the cut, so its retry finds nothing to release: skip that one.
  const plan: FaultPlan = (index, request) => {
    if (index % 2 === 1) return undefined;
    let [name, fault] = TRANSIENT[(index / 2) % TRANSIENT.length];
    if (fault === "cut" && operationOf(request) === "DeleteItem") [name, fault] = TRANSIENT[0];
    injected.push(`${operationOf(request)}:${name}`);
    return fault;
  };
  await behindFaults(plan, async (manifests, requests) => {
    assert.deepEqual(await manifests.create(), { created: false });
    await manifests.add(RUN(1));
    await manifests.add(RUN(2));
    assert.equal(await manifests.contains(RUN(1)), true);
    assert.equal(await manifests.contains(RUN(3)), false);
    const ids = Array.from({ length: 250 }, (_, i) => `x/run=${i}/`).concat([RUN(1), RUN(4)]);
    assert.deepEqual(await manifests.filterUnprocessed(ids), ids.filter((id) => id !== RUN(1)));
    assert.equal((await manifests.claim(RUN(3), { owner: "w1", leaseMs: 60_000 })).claimed, true);
    assert.equal(await manifests.complete(RUN(3), "w1"), true);
    assert.equal((await manifests.claim(RUN(4), { owner: "w1", leaseMs: 60_000 })).claimed, true);
    assert.equal(await manifests.release(RUN(4), "w1"), true);
    assert.deepEqual(await manifests.filterUnprocessed([RUN(1), RUN(2), RUN(3), RUN(4)]), [RUN(4)]);
    // Every fault kind was met, and every call needed exactly one retry.
    for (const [name] of TRANSIENT) assert.ok(injected.some((s) => s.endsWith(`:${name}`)), name);
    assert.equal(requests.length, injected.length * 2);
  });
});

Deno.test("RunManifests gives up with the typed error after the retry budget", async (t) => {
  const cases: [string, Fault, string, number][] = [
    ["503", { status: 503 }, "ServiceUnavailable", 503],
    [
      "ProvisionedThroughputExceededException",
      dynamoDbFault(400, "ProvisionedThroughputExceededException", "Throughput exceeded"),
      "ProvisionedThroughputExceededException",
      400,
    ],
    ["ThrottlingException", dynamoDbFault(400, "ThrottlingException"), "ThrottlingException", 400],
    ["connection reset", "reset", "NetworkError", 0],
    ["body cut off", "cut", "NetworkError", 0],
  ];
  for (const [name, fault, code, status] of cases) {
    await t.step(name, () =>
      behindFaults(() => fault, async (manifests, requests) => {
        await assert.rejects(manifests.contains(RUN(1)), (e: unknown) => {
          assert.ok(e instanceof DynamoDBError, String(e));
          assert.equal(e.code, code);
          assert.equal(e.status, status);
          assert.equal(e.operation, "GetItem");
          assert.equal(e.retryable, true);
          return true;
        });
        assert.equal(requests.length, 4);
      }));
  }
});

Deno.test("RunManifests fails non-retryable errors on the first attempt", async (t) => {
  await t.step("403", () =>
    behindFaults(
      () => dynamoDbFault(403, "UnrecognizedClientException", "The security token is invalid"),
      async (manifests, requests) => {
        await assert.rejects(manifests.add(RUN(1)), (e: unknown) => {
          assert.ok(e instanceof DynamoDBError);
          assert.equal(e.code, "UnrecognizedClientException");
          assert.equal(e.status, 403);
          assert.equal(e.operation, "PutItem");
          return true;
        });
        assert.equal(requests.length, 1);
      },
    ));
  await t.step(
    "ResourceNotFoundException from dynalite (no table)",
    () =>
      behindFaults(() => undefined, async (manifests, requests) => {
        await assert.rejects(manifests.contains(RUN(1)), (e: unknown) => {
          assert.ok(e instanceof DynamoDBError);
          assert.equal(e.code, "ResourceNotFoundException");
          assert.equal(e.retryable, false);
          return true;
        });
        await assert.rejects(manifests.filterUnprocessed([RUN(1)]), (e: unknown) => {
          assert.ok(e instanceof DynamoDBError);
          assert.equal(e.code, "ResourceNotFoundException");
          return true;
        });
        assert.equal(requests.length, 2);
      }, { create: false }),
  );
  await t.step(
    "ValidationException from dynalite (key too large)",
    () =>
      behindFaults(() => undefined, async (manifests, requests) => {
        await assert.rejects(manifests.add("r".repeat(3000)), (e: unknown) => {
          assert.ok(e instanceof DynamoDBError);
          assert.equal(e.code, "ValidationException");
          assert.equal(e.status, 400);
          return true;
        });
        assert.equal(requests.length, 1);
      }),
  );
});

Deno.test("RunManifests stops at once when the signal aborts", async (t) => {
  await t.step("during a request", async () => {
    const controller = new AbortController();
    const reason = new Error("job cancelled");
    await behindFaults(() => "hang", async (manifests, requests) => {
      const call = manifests.filterUnprocessed([RUN(1)]);
      while (requests.length === 0) await new Promise((r) => setTimeout(r, 1));
      controller.abort(reason);
      await assert.rejects(call, (e: unknown) => e === reason);
      assert.equal(requests.length, 1);
    }, { signal: controller.signal });
  });
  await t.step("before sending", async () => {
    await behindFaults(() => undefined, async (manifests, requests) => {
      const reason = new Error("already cancelled");
      await assert.rejects(
        new RunManifests(manifests.tableName, {
          ...localOptions("http://127.0.0.1:1"),
          signal: AbortSignal.abort(reason),
        }).contains(RUN(1)),
        (e: unknown) => e === reason,
      );
      assert.equal(requests.length, 0);
    });
  });
});

Deno.test("RunManifests turns broken answers into InvalidResponse naming the operation", async (t) => {
  const cases: [string, (m: RunManifests) => Promise<unknown>, string, string][] = [
    [
      "HTML page",
      (m) => m.contains(RUN(1)),
      "GetItem",
      "<html><body>502 Bad Gateway</body></html>",
    ],
    ["truncated JSON", (m) => m.contains(RUN(1)), "GetItem", '{"Item":{"RunId":{"S":"arch'],
    ["Item not an object", (m) => m.contains(RUN(1)), "GetItem", '{"Item":"yes"}'],
    ["RunId not a string", (m) => m.contains(RUN(1)), "GetItem", '{"Item":{"RunId":{"N":"1"}}}'],
    [
      "bad lease",
      (m) => m.get(RUN(1)),
      "GetItem",
      `{"Item":{"RunId":{"S":"${RUN(1)}"},"LeaseExpiresAt":{"N":"soon"}}}`,
    ],
    ["Responses a list", (m) => m.filterUnprocessed([RUN(1)]), "BatchGetItem", '{"Responses":[]}'],
    [
      "items not a list",
      (m) => m.filterUnprocessed([RUN(1)]),
      "BatchGetItem",
      '{"Responses":{"snowplow-runs":{"RunId":{"S":"r"}}}}',
    ],
    ["no TableStatus", (m) => m.create(), "DescribeTable", '{"Table":{}}'],
  ];
  for (const [name, call, operation, body] of cases) {
    await t.step(name, () =>
      behindFaults(
        (_, request) => operationOf(request) === operation ? { status: 200, body } : undefined,
        async (manifests) => {
          await assert.rejects(call(manifests), (e: unknown) => {
            assert.ok(e instanceof DynamoDBError, String(e));
            assert.equal(e.code, "InvalidResponse");
            assert.equal(e.operation, operation);
            assert.match(
              e.message,
              new RegExp(`^DynamoDB ${operation} failed: 200 InvalidResponse: `),
            );
            return true;
          });
        },
      ));
  }
});

Deno.test("RunManifests refuses an answer for another run or a lease that is not a number", async (t) => {
  const item = (fields: string): string => `{"Item":{"RunId":{"S":"${RUN(1)}"}${fields}}}`;
  const cases: [string, (m: RunManifests) => Promise<unknown>, string, string, RegExp][] = [
    [
      "GetItem answers for another run",
      (m) => m.contains(RUN(1)),
      "GetItem",
      `{"Item":{"RunId":{"S":"${RUN(2)}"}}}`,
      /the item of run "[^"]+02\/" answers for run "[^"]+01\/"/,
    ],
    [
      "a lease held as a string",
      (m) => m.get(RUN(1)),
      "GetItem",
      item(`,"State":{"S":"claimed"},"LeaseExpiresAt":{"S":"1700000000000"}`),
      /LeaseExpiresAt is not a number/,
    ],
    [
      "a lease that is not a number",
      (m) => m.get(RUN(1)),
      "GetItem",
      item(`,"State":{"S":"claimed"},"LeaseExpiresAt":{"N":"Infinity"}`),
      /LeaseExpiresAt is not a number/,
    ],
    [
      "an unknown State",
      (m) => m.contains(RUN(1)),
      "GetItem",
      item(`,"State":{"S":"claimd"}`),
      /State is not "claimed" or "done"/,
    ],
    [
      "an Owner that is not a string",
      (m) => m.get(RUN(1)),
      "GetItem",
      item(`,"State":{"S":"claimed"},"Owner":{"N":"1"}`),
      /Owner is not a string/,
    ],
    [
      "BatchGetItem answers for a run not asked",
      (m) => m.filterUnprocessed([RUN(1)]),
      "BatchGetItem",
      `{"Responses":{"snowplow-runs":[{"RunId":{"S":"${RUN(3)}"},"State":{"S":"done"}}]}}`,
      /answers for runs it was not asked for/,
    ],
    [
      "a claim whose old item is another run's",
      (m) => m.claim(RUN(1), { owner: "w", leaseMs: 1000 }),
      "PutItem",
      `{"Attributes":{"RunId":{"S":"${RUN(4)}"},"State":{"S":"claimed"},"Owner":{"S":"x"}}}`,
      /answers for run/,
    ],
  ];
  for (const [name, call, operation, body, message] of cases) {
    await t.step(name, () =>
      behindFaults(
        (_, request) => operationOf(request) === operation ? { status: 200, body } : undefined,
        async (manifests) => {
          await assert.rejects(call(manifests), (e: unknown) => {
            assert.ok(e instanceof DynamoDBError, String(e));
            assert.equal(e.code, "InvalidResponse");
            assert.equal(e.operation, operation);
            assert.equal(e.retryable, false);
            assert.match(e.message, message);
            return true;
          });
        },
      ));
  }
});

Deno.test("RunManifests times out a stalled DynamoDB answer, retries, then fails", async (t) => {
  await t.step("stalled once: the retry succeeds", () =>
    behindFaults(
      (i, request) => operationOf(request) === "GetItem" && i === 0 ? "stall" : undefined,
      async (manifests) => assert.equal(await manifests.contains(RUN(1)), false),
      { idleTimeoutMs: 300, create: true },
    ));
  await t.step("stalled every time: RequestTimeout", () =>
    behindFaults(
      (_i, request) => operationOf(request) === "GetItem" ? "stall" : undefined,
      async (manifests, requests) => {
        await assert.rejects(
          manifests.contains(RUN(1)),
          (e: unknown) => e instanceof DynamoDBError && e.code === "RequestTimeout",
        );
        assert.equal(requests.length, 4);
      },
      { idleTimeoutMs: 300 },
    ));
  await t.step("headers that never come: RequestTimeout", () =>
    behindFaults(
      () => "hang",
      async (manifests, requests) => {
        await assert.rejects(
          manifests.add(RUN(1)),
          (e: unknown) => e instanceof DynamoDBError && e.code === "RequestTimeout",
        );
        assert.equal(requests.length, 4);
      },
      { idleTimeoutMs: 300 },
    ));
});
