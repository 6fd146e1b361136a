import assert from "node:assert/strict";
import {
  AwsError,
  dynamoDbCall,
  DynamoDBError,
  openAwsRequest,
  S3Error,
  sendAwsRequest,
} from "../../src/aws/mod.ts";
import { guardResponse, idleTimeoutOf, settleWithin } from "../../src/aws/idle.ts";
import type { AwsOptions } from "../../src/aws/options.ts";
import { type Fault, startFaultyServer } from "../support/faulty_server.ts";

// Small idle timeouts against servers that stall for ever: the outcome is asserted, never a
// duration.
const IDLE_MS = 300;

function options(endpoint: string, extra: Partial<AwsOptions> = {}): AwsOptions {
  return {
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "idle-test-secret" },
    endpoint,
    idleTimeoutMs: IDLE_MS,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  };
}

function s3Get(endpoint: string): Parameters<typeof sendAwsRequest>[0] {
  return { service: "s3", operation: "GetObject", method: "GET", url: new URL("/b/k", endpoint) };
}

const BODY = "x".repeat(64 * 1024);

Deno.test("sendAwsRequest() times out a request whose headers never come, retries, then fails", async () => {
  const server = startFaultyServer({ faults: () => "hang" });
  try {
    await assert.rejects(sendAwsRequest(s3Get(server.endpoint), options(server.endpoint)), (e) => {
      assert.ok(e instanceof S3Error, String(e));
      assert.equal(e.code, "RequestTimeout");
      assert.equal(e.status, 0);
      assert.equal(e.retryable, true);
      assert.match(e.message, /S3 GetObject failed: RequestTimeout: nothing arrived for 300 ms/);
      return true;
    });
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() times out a body that stalls mid-way and retries it whole", async (t) => {
  await t.step("then succeeds", async () => {
    const faults: Fault[] = ["stall", "stall"];
    const server = startFaultyServer({ faults, handler: () => new Response(BODY) });
    try {
      const response = await sendAwsRequest(s3Get(server.endpoint), options(server.endpoint));
      assert.equal(new TextDecoder().decode(response.body), BODY);
      assert.equal(server.requests.length, 3);
    } finally {
      await server.close();
    }
  });
  await t.step("fails after the budget", async () => {
    const server = startFaultyServer({ faults: () => "stall", handler: () => new Response(BODY) });
    try {
      await assert.rejects(
        sendAwsRequest(s3Get(server.endpoint), options(server.endpoint)),
        (e) => e instanceof S3Error && e.code === "RequestTimeout",
      );
      assert.equal(server.requests.length, 3);
    } finally {
      await server.close();
    }
  });
});

Deno.test("dynamoDbCall() times out a stalled DynamoDB answer", async () => {
  const server = startFaultyServer({
    faults: () => "stall",
    handler: () => Response.json({ Table: { TableStatus: "ACTIVE", padding: BODY } }),
  });
  try {
    await assert.rejects(
      dynamoDbCall("DescribeTable", { TableName: "t" }, options(server.endpoint)),
      (e) => e instanceof DynamoDBError && e.code === "RequestTimeout" && e.retryable,
    );
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("openAwsRequest() returns a body whose stalled read fails with RequestTimeout", async () => {
  const server = startFaultyServer({ faults: () => "stall", handler: () => new Response(BODY) });
  try {
    const response = await openAwsRequest(s3Get(server.endpoint), options(server.endpoint));
    assert.equal(response.status, 200);
    await assert.rejects(response.arrayBuffer(), (e) => {
      assert.ok(e instanceof AwsError, String(e));
      assert.equal(e.code, "RequestTimeout");
      return true;
    });
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("openAwsRequest() body fails a pending read at once when the signal aborts", async () => {
  const server = startFaultyServer({ faults: () => "stall", handler: () => new Response(BODY) });
  try {
    const controller = new AbortController();
    const response = await openAwsRequest(
      s3Get(server.endpoint),
      options(server.endpoint, { signal: controller.signal, idleTimeoutMs: Infinity }),
    );
    const reader = response.body!.getReader();
    let received = 0;
    while (received < BODY.length >> 1) received += (await reader.read()).value?.length ?? 0;
    const pending = reader.read();
    const reason = new Error("stop reading");
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
  } finally {
    await server.close();
  }
});

Deno.test("idleTimeoutOf() defaults to 60 s and refuses what is not a positive number", async () => {
  assert.equal(idleTimeoutOf(undefined), 60_000);
  assert.equal(idleTimeoutOf(Infinity), Infinity);
  for (const bad of [0, -1, Number.NaN]) assert.throws(() => idleTimeoutOf(bad), RangeError);
  await assert.rejects(
    sendAwsRequest(
      s3Get("http://127.0.0.1:1"),
      options("http://127.0.0.1:1", { idleTimeoutMs: 0 }),
    ),
    RangeError,
  );
});

Deno.test("settleWithin() settles with the work, the signal or the idle error", async (t) => {
  const guard = { idleTimeoutMs: 50, onIdle: () => new Error("idle") };
  await t.step("the work first", async () => {
    assert.equal(await settleWithin(Promise.resolve(7), guard, () => assert.fail()), 7);
  });
  await t.step("nothing comes: idle, and the work is abandoned", async () => {
    const abandoned: unknown[] = [];
    await assert.rejects(
      settleWithin(new Promise(() => {}), guard, (r) => abandoned.push(r)),
      { message: "idle" },
    );
    assert.equal(abandoned.length, 1);
  });
  await t.step("an aborted signal wins at once", async () => {
    const reason = new Error("gone");
    await assert.rejects(
      settleWithin(new Promise(() => {}), {
        ...guard,
        idleTimeoutMs: Infinity,
        signal: AbortSignal.abort(reason),
      }, () => {}),
      (e) => e === reason,
    );
  });
});

Deno.test("guardResponse() keeps a body-less response as it is", () => {
  const response = new Response(null, { status: 204 });
  assert.equal(guardResponse(response, { idleTimeoutMs: 10, onIdle: () => 0 }), response);
});
