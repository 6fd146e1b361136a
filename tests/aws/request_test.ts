import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@1.0.20";
import {
  AwsError,
  dynamoDbCall,
  DynamoDBError,
  openAwsRequest,
  S3Error,
  sendAwsRequest,
} from "../../src/aws/mod.ts";
import type { AwsOptions } from "../../src/aws/options.ts";
import { crc32 } from "../../src/aws/crc32.ts";
import { dynamoDbFault, type Fault, s3Fault, startFaultyServer } from "../support/faulty_server.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN = "FQoGZXIvYXdzEXAMPLETOKEN";
const FIXED = new Date("2026-11-25T12:00:00.000Z");

function capture(): { fetch: typeof fetch; requests: Request[] } {
  const requests: Request[] = [];
  return {
    requests,
    fetch: (input, init) => {
      requests.push(new Request(input, init));
      return Promise.resolve(new Response("{}"));
    },
  };
}

function options(endpoint: string, extra: Partial<AwsOptions> = {}): AwsOptions {
  return {
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: SECRET, sessionToken: TOKEN },
    endpoint,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  };
}

function s3Get(endpoint: string, operation = "GetObject"): Parameters<typeof sendAwsRequest>[0] {
  return { service: "s3", operation, method: "GET", url: new URL("/bucket/key", endpoint) };
}

// Expected values computed once with an independent Python implementation of SigV4 (hmac,
// hashlib, following the AWS documentation), which also reproduces the official get-vanilla
// vector.
Deno.test("dynamoDbCall() signs a POST exactly like the SigV4 reference", async () => {
  const { fetch, requests } = capture();
  await dynamoDbCall("GetItem", {
    TableName: "snowplow-runs",
    Key: { RunId: { S: "run=2017-01-01-00-00-00/" } },
    ConsistentRead: true,
  }, {
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET },
    fetch,
    clock: () => FIXED,
  });
  assert.equal(requests.length, 1);
  const [request] = requests;
  assert.equal(request.url, "https://dynamodb.us-east-1.amazonaws.com/");
  assert.equal(request.method, "POST");
  assert.equal(request.headers.get("x-amz-target"), "DynamoDB_20120810.GetItem");
  assert.equal(request.headers.get("content-type"), "application/x-amz-json-1.0");
  assert.equal(request.headers.get("x-amz-date"), "20261125T120000Z");
  assert.equal(
    request.headers.get("authorization"),
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/dynamodb/aws4_request, " +
      "SignedHeaders=host;x-amz-date;x-amz-target, " +
      "Signature=cd7b1a0292459e37c0dfcd377bd9e507aef7ab3b3ba6b093f8499673b0444b40",
  );
});

Deno.test("sendAwsRequest() signs an S3 GET exactly like the SigV4 reference", async () => {
  const { fetch, requests } = capture();
  const url = new URL("https://s3.eu-west-1.amazonaws.com/my-bucket");
  url.searchParams.set("list-type", "2");
  url.searchParams.set("prefix", "enriched/archive/");
  url.searchParams.set("delimiter", "/");
  url.searchParams.set("encoding-type", "url");
  await sendAwsRequest({ service: "s3", operation: "ListObjectsV2", method: "GET", url }, {
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET, sessionToken: TOKEN },
    fetch,
    clock: () => FIXED,
  });
  const [request] = requests;
  assert.equal(request.headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  assert.equal(request.headers.get("x-amz-security-token"), TOKEN);
  assert.equal(
    request.headers.get("authorization"),
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/s3/aws4_request, " +
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, " +
      "Signature=5c57f2b0856f6abffd96471c24ef856859000a82f30b5898ecd839679d2307de",
  );
});

Deno.test("aws4fetch reproduces the official SigV4 get-vanilla vector", async () => {
  const client = new AwsClient({
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: SECRET,
    region: "us-east-1",
    service: "service",
    retries: 0,
  });
  const signed = await client.sign("https://example.amazonaws.com/", {
    method: "GET",
    aws: { datetime: "20150830T123600Z", allHeaders: false },
  });
  assert.equal(
    signed.headers.get("authorization"),
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
      "SignedHeaders=host;x-amz-date, " +
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
});

Deno.test("sendAwsRequest() signs each attempt with the service and region for 127.0.0.1", async () => {
  const server = startFaultyServer({
    faults: [{ status: 503 }],
    handler: () => new Response("ok"),
  });
  try {
    const response = await sendAwsRequest(
      s3Get(server.endpoint),
      options(server.endpoint, { region: "eu-central-1" }),
    );
    assert.equal(new TextDecoder().decode(response.body), "ok");
    assert.equal(server.requests.length, 2);
    for (const request of server.requests) {
      assert.match(
        request.headers.get("authorization") ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-central-1\/s3\/aws4_request, /,
      );
    }
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() retries each transient fault and then succeeds", async (t) => {
  const cases: [string, Fault][] = [
    ["429", { status: 429 }],
    ["500", { status: 500 }],
    ["502", { status: 502 }],
    ["503", { status: 503, body: "<html>Service Unavailable</html>" }],
    ["504", { status: 504 }],
    ["S3 SlowDown", s3Fault(503, "SlowDown", "Please reduce your request rate.")],
    ["ThrottlingException", dynamoDbFault(400, "ThrottlingException", "Rate exceeded")],
    [
      "ProvisionedThroughputExceededException",
      dynamoDbFault(400, "ProvisionedThroughputExceededException", "Rate exceeded"),
    ],
    ["RequestLimitExceeded", dynamoDbFault(400, "RequestLimitExceeded")],
    ["connection reset", "reset"],
    ["body cut off mid-stream", "cut"],
  ];
  for (const [name, fault] of cases) {
    await t.step(name, async () => {
      const server = startFaultyServer({
        faults: [fault, fault],
        handler: () => new Response(JSON.stringify({ Item: { RunId: { S: "r" } } })),
      });
      try {
        const out = await dynamoDbCall<{ Item: unknown }>(
          "GetItem",
          {},
          options(server.endpoint),
        );
        assert.deepEqual(out, { Item: { RunId: { S: "r" } } });
        assert.equal(server.requests.length, 3);
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("sendAwsRequest() throws the last attempt's typed error after the budget", async (t) => {
  const cases: [string, Fault, Partial<AwsError>][] = [
    ["503", { status: 503 }, { code: "ServiceUnavailable", status: 503, throttling: false }],
    ["429", { status: 429 }, { code: "TooManyRequestsException", status: 429, throttling: true }],
    [
      "ProvisionedThroughputExceededException",
      dynamoDbFault(400, "ProvisionedThroughputExceededException", "Rate exceeded"),
      {
        code: "ProvisionedThroughputExceededException",
        status: 400,
        throttling: true,
        requestId: "req-ProvisionedThroughputExceededException",
      },
    ],
    ["connection reset", "reset", { code: "NetworkError", status: 0, throttling: false }],
    ["body cut off", "cut", { code: "NetworkError", status: 0, throttling: false }],
  ];
  for (const [name, fault, expected] of cases) {
    await t.step(name, async () => {
      const server = startFaultyServer({ faults: () => fault, handler: () => new Response("{}") });
      try {
        const error = await dynamoDbCall("PutItem", {}, options(server.endpoint)).then(
          () => assert.fail("expected a failure"),
          (e: unknown) => e,
        );
        assert.ok(error instanceof DynamoDBError, String(error));
        assert.equal(error.operation, "PutItem");
        assert.equal(error.retryable, true);
        for (const [key, value] of Object.entries(expected)) {
          assert.equal(error[key as keyof AwsError], value, key);
        }
        assert.match(error.message, /^DynamoDB PutItem failed: /);
        assert.equal(server.requests.length, 4);
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("sendAwsRequest() fails non-retryable errors on the first attempt", async (t) => {
  const cases: [string, "s3" | "dynamodb", Fault, string, number][] = [
    [
      "403 SignatureDoesNotMatch",
      "s3",
      s3Fault(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"),
      "SignatureDoesNotMatch",
      403,
    ],
    ["403 without a body", "s3", { status: 403 }, "Forbidden", 403],
    [
      "ResourceNotFoundException",
      "dynamodb",
      dynamoDbFault(400, "ResourceNotFoundException", "Requested resource not found"),
      "ResourceNotFoundException",
      400,
    ],
    [
      "ValidationException",
      "dynamodb",
      dynamoDbFault(400, "ValidationException", "One or more parameter values were invalid"),
      "ValidationException",
      400,
    ],
    [
      "ConditionalCheckFailedException",
      "dynamodb",
      dynamoDbFault(400, "ConditionalCheckFailedException", "The conditional request failed"),
      "ConditionalCheckFailedException",
      400,
    ],
  ];
  for (const [name, service, fault, code, status] of cases) {
    await t.step(name, async () => {
      const server = startFaultyServer({ faults: () => fault });
      try {
        const call = service === "s3"
          ? sendAwsRequest(s3Get(server.endpoint, "ListObjectsV2"), options(server.endpoint))
          : dynamoDbCall("GetItem", {}, options(server.endpoint));
        const error = await call.then(() => assert.fail("expected a failure"), (e: unknown) => e);
        assert.ok(error instanceof AwsError);
        assert.ok(service === "s3" ? error instanceof S3Error : error instanceof DynamoDBError);
        assert.equal(error.code, code);
        assert.equal(error.status, status);
        assert.equal(error.retryable, false);
        assert.equal(server.requests.length, 1);
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("sendAwsRequest() formats S3 errors with code, message and request id", async () => {
  const server = startFaultyServer({
    faults: () => s3Fault(403, "SignatureDoesNotMatch", "Check your key &amp; signing method."),
  });
  try {
    const error = await sendAwsRequest(
      s3Get(server.endpoint, "ListObjectsV2"),
      options(server.endpoint),
    ).then(() => assert.fail("expected a failure"), (e: unknown) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(
      error.message,
      "S3 ListObjectsV2 failed: 403 SignatureDoesNotMatch: Check your key & signing method. " +
        "(request id req-SignatureDoesNotMatch)",
    );
    assert.equal(error.requestId, "req-SignatureDoesNotMatch");
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() reads HEAD errors from the status and request id header", async () => {
  const server = startFaultyServer({
    faults: () => ({ status: 404, headers: { "x-amz-request-id": "HEADREQ" } }),
  });
  try {
    const error = await sendAwsRequest(
      { service: "s3", operation: "HeadObject", method: "HEAD", url: new URL(server.endpoint) },
      options(server.endpoint),
    ).then(() => assert.fail("expected a failure"), (e: unknown) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(error.code, "NotFound");
    assert.equal(error.status, 404);
    assert.equal(error.requestId, "HEADREQ");
    assert.equal(error.message, "S3 HeadObject failed: 404 NotFound (request id HEADREQ)");
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() refuses S3 error XML with DOCTYPE or ENTITY declarations", async (t) => {
  const bodies = [
    '<?xml version="1.0"?><!DOCTYPE Error [<!ENTITY x "boom">]><Error><Code>&x;</Code></Error>',
    '<!ENTITY lol "lol"><Error><Code>AccessDenied</Code></Error>',
    "<!doctype html><Error><Code>AccessDenied</Code></Error>",
  ];
  for (const [i, body] of bodies.entries()) {
    await t.step(`body ${i + 1}`, async () => {
      const server = startFaultyServer({ faults: () => ({ status: 403, body }) });
      try {
        const error = await sendAwsRequest(
          s3Get(server.endpoint, "ListObjectsV2"),
          options(server.endpoint),
        ).then(() => assert.fail("expected a failure"), (e: unknown) => e);
        assert.ok(error instanceof S3Error);
        assert.equal(error.code, "InvalidResponse");
        assert.equal(error.status, 403);
        assert.equal(error.retryable, false);
        assert.doesNotMatch(error.message, /boom/);
        assert.match(error.message, /^S3 ListObjectsV2 failed: 403 InvalidResponse: refused/);
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("sendAwsRequest() turns a non-AWS error page into a typed error", async () => {
  const server = startFaultyServer({
    faults: () => ({
      status: 403,
      body: "<html><body><h1>Access denied by proxy</h1></body></html>",
    }),
  });
  try {
    const error = await sendAwsRequest(s3Get(server.endpoint), options(server.endpoint))
      .then(() => assert.fail("expected a failure"), (e: unknown) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(error.code, "Forbidden");
    assert.equal(
      error.message,
      "S3 GetObject failed: 403 Forbidden: the error body is not an AWS error document",
    );
  } finally {
    await server.close();
  }
});

Deno.test("dynamoDbCall() turns a body of the wrong shape into InvalidResponse", async (t) => {
  const cases: [string, string][] = [
    ["HTML page", "<html><body>Welcome to nginx</body></html>"],
    ["truncated JSON", '{"Item":{"RunId":{"S":"run=2017'],
    ["JSON array", "[1,2,3]"],
    ["JSON null", "null"],
    ["empty body", ""],
  ];
  for (const [name, body] of cases) {
    await t.step(name, async () => {
      const server = startFaultyServer({ faults: () => ({ status: 200, body }) });
      try {
        const error = await dynamoDbCall("GetItem", {}, options(server.endpoint))
          .then(() => assert.fail("expected a failure"), (e: unknown) => e);
        assert.ok(error instanceof DynamoDBError, String(error));
        assert.equal(error.code, "InvalidResponse");
        assert.equal(error.operation, "GetItem");
        assert.equal(error.retryable, false);
        assert.match(error.message, /^DynamoDB GetItem failed: 200 InvalidResponse: /);
        assert.equal(server.requests.length, 1);
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("dynamoDbCall() reads the error code after # and Message in either case", async (t) => {
  const cases: [string, string, string][] = [
    [
      '{"__type":"com.amazon.coral.validate#ValidationException","Message":"Bad key"}',
      "ValidationException",
      "Bad key",
    ],
    [
      '{"__type":"ResourceNotFoundException","message":"No table"}',
      "ResourceNotFoundException",
      "No table",
    ],
    ["<html>oops</html>", "BadRequest", "the error body is not an AWS error document"],
  ];
  for (const [body, code, message] of cases) {
    await t.step(code, async () => {
      const server = startFaultyServer({ faults: () => ({ status: 400, body }) });
      try {
        const error = await dynamoDbCall("Query", {}, options(server.endpoint))
          .then(() => assert.fail("expected a failure"), (e: unknown) => e);
        assert.ok(error instanceof DynamoDBError);
        assert.equal(error.code, code);
        assert.equal(error.message, `DynamoDB Query failed: 400 ${code}: ${message}`);
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("sendAwsRequest() never puts credentials in errors", async () => {
  const server = startFaultyServer({ faults: () => s3Fault(403, "AccessDenied", "Access Denied") });
  try {
    const error = await sendAwsRequest(s3Get(server.endpoint), options(server.endpoint))
      .then(() => assert.fail("expected a failure"), (e: unknown) => e);
    assert.ok(error instanceof S3Error);
    const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${String(error)}`;
    assert.ok(!text.includes(SECRET), "secret key leaked");
    assert.ok(!text.includes(TOKEN), "session token leaked");
    assert.ok(!text.includes("Signature="), "authorization header leaked");
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() stops at once when the signal aborts mid-request", async () => {
  const server = startFaultyServer({ faults: () => "hang" });
  try {
    const controller = new AbortController();
    const reason = new Error("stop now");
    const call = sendAwsRequest(
      s3Get(server.endpoint),
      options(server.endpoint, { signal: controller.signal }),
    );
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 1));
    controller.abort(reason);
    await assert.rejects(call, (e: unknown) => e === reason);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() stops at once when the signal aborts during the backoff", async () => {
  const server = startFaultyServer({ faults: () => ({ status: 503 }) });
  try {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const call = sendAwsRequest(s3Get(server.endpoint), {
      ...options(server.endpoint, { signal: controller.signal }),
      // An hour-long backoff: the test only ends (and leaks no timer) if the abort cuts it short.
      retry: { baseDelayMs: 3_600_000, maxDelayMs: 3_600_000, random: () => 0.99 },
    });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 20));
    controller.abort(reason);
    await assert.rejects(call, (e: unknown) => e === reason);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() sends nothing when the signal is already aborted", async () => {
  const { fetch, requests } = capture();
  const reason = new Error("already gone");
  await assert.rejects(
    sendAwsRequest(s3Get("http://127.0.0.1:1"), {
      ...options("http://127.0.0.1:1", { fetch }),
      signal: AbortSignal.abort(reason),
    }),
    (e: unknown) => e === reason,
  );
  assert.equal(requests.length, 0);
});

Deno.test("sendAwsRequest() draws one jittered delay per retry", async () => {
  const server = startFaultyServer({ faults: () => ({ status: 500 }) });
  try {
    let draws = 0;
    await assert.rejects(
      sendAwsRequest(s3Get(server.endpoint), {
        ...options(server.endpoint),
        retry: { maxAttempts: 3, baseDelayMs: 1, random: () => (draws++, 0) },
      }),
      (e: unknown) => e instanceof S3Error && e.code === "InternalError",
    );
    assert.equal(draws, 2);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("openAwsRequest() retries error answers and leaves the body for streaming", async () => {
  const server = startFaultyServer({
    faults: [s3Fault(503, "SlowDown"), "reset"],
    handler: () => new Response("a\nb\nc\n"),
  });
  try {
    const response = await openAwsRequest(s3Get(server.endpoint), options(server.endpoint));
    assert.equal(response.status, 200);
    assert.equal(response.bodyUsed, false);
    assert.equal(await response.text(), "a\nb\nc\n");
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("dynamoDbCall() retries a body that fails its x-amz-crc32 check", async (t) => {
  const body = '{"Item":{"RunId":{"S":"r"}}}';
  const good = String(crc32(new TextEncoder().encode(body)));
  const damaged: Fault = { status: 200, body, headers: { "x-amz-crc32": "12345" } };
  await t.step("then succeeds", async () => {
    const server = startFaultyServer({
      faults: [damaged],
      handler: () => new Response(body, { headers: { "x-amz-crc32": good } }),
    });
    try {
      assert.deepEqual(
        await dynamoDbCall("GetItem", {}, options(server.endpoint)),
        JSON.parse(body),
      );
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });
  await t.step("gives up after the budget", async () => {
    const server = startFaultyServer({ faults: () => damaged });
    try {
      const error = await dynamoDbCall("GetItem", {}, options(server.endpoint))
        .then(() => assert.fail("expected a failure"), (e: unknown) => e);
      assert.ok(error instanceof DynamoDBError);
      assert.equal(error.code, "CRC32CheckFailed");
      assert.equal(error.retryable, true);
      assert.equal(server.requests.length, 4);
    } finally {
      await server.close();
    }
  });
});

Deno.test("dynamoDbCall() takes the code from x-amzn-ErrorType when the body has none", async () => {
  const server = startFaultyServer({
    faults: () => ({
      status: 400,
      headers: { "x-amzn-ErrorType": "ValidationException:http://internal.amazon.com/coral/" },
    }),
  });
  try {
    const error = await dynamoDbCall("PutItem", {}, options(server.endpoint))
      .then(() => assert.fail("expected a failure"), (e: unknown) => e);
    assert.ok(error instanceof DynamoDBError);
    assert.equal(error.code, "ValidationException");
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() retries an S3 RequestTimeout", async () => {
  const server = startFaultyServer({
    faults: [s3Fault(400, "RequestTimeout", "Your socket connection to the server was not read")],
    handler: () => new Response("ok"),
  });
  try {
    const response = await sendAwsRequest(s3Get(server.endpoint), options(server.endpoint));
    assert.equal(new TextDecoder().decode(response.body), "ok");
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("sendAwsRequest() rejects missing credentials at once without sending", async (t) => {
  const cases: [string, unknown][] = [
    ["no credentials", undefined],
    ["empty key id", { accessKeyId: "", secretAccessKey: "top-secret" }],
    ["no secret", { accessKeyId: "AKID" }],
    ["token not a string", { accessKeyId: "AKID", secretAccessKey: "top-secret", sessionToken: 1 }],
  ];
  for (const [name, credentials] of cases) {
    await t.step(name, async () => {
      const { fetch, requests } = capture();
      await assert.rejects(
        sendAwsRequest(s3Get("http://127.0.0.1:1"), {
          credentials: credentials as AwsOptions["credentials"],
          fetch,
        }),
        (e: unknown) =>
          e instanceof TypeError && /credentials\./.test(e.message) &&
          !e.message.includes("top-secret"),
      );
      assert.equal(requests.length, 0);
    });
  }
});

Deno.test("sendAwsRequest() re-signs with the server's time after a clock-skew error", async (t) => {
  const serverDate = "Wed, 25 Nov 2026 12:00:00 GMT";
  const cases: [string, Fault][] = [
    ["S3 RequestTimeTooSkewed", {
      ...s3Fault(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
      ),
      headers: { "content-type": "application/xml", date: serverDate },
    }],
    ["DynamoDB signature expired", {
      ...dynamoDbFault(
        400,
        "InvalidSignatureException",
        "Signature expired: 20200101T000000Z is now earlier than 20261125T115500Z",
      ),
      headers: { "content-type": "application/x-amz-json-1.0", date: serverDate },
    }],
  ];
  for (const [name, fault] of cases) {
    await t.step(name, async () => {
      const server = startFaultyServer({ faults: [fault], handler: () => new Response("{}") });
      try {
        const skewed = {
          ...options(server.endpoint),
          clock: () => new Date("2020-01-01T00:00:00Z"),
          retry: { maxAttempts: 2, baseDelayMs: 3_600_000 }, // no backoff sleep may happen
        };
        const call = (): Promise<unknown> =>
          name.startsWith("S3")
            ? sendAwsRequest(s3Get(server.endpoint), skewed)
            : dynamoDbCall("GetItem", {}, skewed);
        await call();
        assert.deepEqual(server.requests.map((r) => r.headers.get("x-amz-date")), [
          "20200101T000000Z",
          "20261125T120000Z",
        ]);
        // The offset is remembered for the next call with the same options.
        await call();
        assert.equal(server.requests[2].headers.get("x-amz-date"), "20261125T120000Z");
      } finally {
        await server.close();
      }
    });
  }
  await t.step("other signature errors are not retried", async () => {
    const server = startFaultyServer({
      faults: () => ({
        ...dynamoDbFault(
          400,
          "InvalidSignatureException",
          "The request signature we calculated does not match",
        ),
        headers: { date: serverDate },
      }),
    });
    try {
      await assert.rejects(
        dynamoDbCall("GetItem", {}, options(server.endpoint)),
        (e: unknown) => e instanceof DynamoDBError && e.code === "InvalidSignatureException",
      );
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });
});

Deno.test("sendAwsRequest() reports a redirect instead of following it", async () => {
  const elsewhere = startFaultyServer({ handler: () => new Response("followed") });
  const server = startFaultyServer({
    faults: () => ({
      ...s3Fault(
        307,
        "TemporaryRedirect",
        "Please re-send this request to the specified temporary endpoint.",
      ),
      headers: { "content-type": "application/xml", location: `${elsewhere.endpoint}/bucket/key` },
    }),
  });
  try {
    const error = await sendAwsRequest(s3Get(server.endpoint), options(server.endpoint))
      .then(() => assert.fail("expected a failure"), (e: unknown) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(error.code, "TemporaryRedirect");
    assert.equal(error.status, 307);
    assert.equal(server.requests.length, 1);
    assert.equal(elsewhere.requests.length, 0, "the signed request was not sent elsewhere");
  } finally {
    await server.close();
    await elsewhere.close();
  }
});
