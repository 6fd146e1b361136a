import assert from "node:assert/strict";
import {
  awsOptionsFromEnv,
  dynamoDbCall,
  DynamoDBError,
  S3Error,
  sendAwsRequest,
} from "../../src/aws/mod.ts";
import { REDACTED, redactSecrets, requestSecrets } from "../../src/aws/redact.ts";
import { echoingError } from "../support/fake_s3.ts";
import { dynamoDbFault, startFaultyServer } from "../support/faulty_server.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN = "FQoGZXIvYXdzEXAMPLETOKEN+with/base64==";
const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: SECRET, sessionToken: TOKEN };

function assertClean(error: unknown, authorization: string | null): void {
  assert.ok(error instanceof Error);
  const text = `${error.message}\n${String(error)}\n${JSON.stringify(error)}`;
  for (const secret of [TOKEN, encodeURIComponent(TOKEN), SECRET]) {
    assert.ok(!text.includes(secret), `a secret leaked: ${text}`);
  }
  assert.ok(authorization !== null);
  const signature = /Signature=([0-9a-f]+)/.exec(authorization)![1];
  assert.ok(!text.includes(signature), `the signature leaked: ${text}`);
  assert.ok(!text.includes(authorization), `the Authorization header leaked: ${text}`);
  assert.ok(text.includes(REDACTED), text);
}

Deno.test("sendAwsRequest() redacts an S3 error message that echoes the request", async () => {
  const server = startFaultyServer({ faults: (_i, request) => echoingError(request) });
  try {
    const error = await sendAwsRequest({
      service: "s3",
      operation: "GetObject",
      method: "GET",
      url: new URL("/b/k", server.endpoint),
    }, { credentials, endpoint: server.endpoint }).then(() => assert.fail(), (e: unknown) => e);
    assert.ok(error instanceof S3Error);
    assert.equal(error.code, "AccessDenied");
    assertClean(error, server.requests[0].headers.get("authorization"));
    assert.match(error.message, /^S3 GetObject failed: 403 AccessDenied: Denied: /);
  } finally {
    await server.close();
  }
});

Deno.test("dynamoDbCall() redacts a DynamoDB message that quotes the request", async () => {
  const server = startFaultyServer({
    faults: (_i, request) =>
      dynamoDbFault(
        400,
        "ValidationException",
        `bad request: authorization: ${request.headers.get("authorization")}, ` +
          `x-amz-security-token: ${request.headers.get("x-amz-security-token")}`,
      ),
  });
  try {
    const error = await dynamoDbCall("GetItem", {}, { credentials, endpoint: server.endpoint })
      .then(() => assert.fail(), (e: unknown) => e);
    assert.ok(error instanceof DynamoDBError);
    assert.equal(error.code, "ValidationException");
    assertClean(error, server.requests[0].headers.get("authorization"));
  } finally {
    await server.close();
  }
});

Deno.test("redactSecrets() hides secrets as they are, URL-encoded and after their labels", async (t) => {
  const authorization = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, " +
    "SignedHeaders=host;x-amz-date, Signature=" + "ab12".repeat(16);
  const secrets = requestSecrets(credentials, authorization);
  const cases: [string, string][] = [
    [`token ${TOKEN} end`, `token ${REDACTED} end`],
    [
      `q?X-Amz-Security-Token=${encodeURIComponent(TOKEN)}&x=1`,
      `q?X-Amz-Security-Token=${REDACTED}&x=1`,
    ],
    [`Authorization: ${authorization}`, `Authorization: ${REDACTED}`],
    [`sig ${"ab12".repeat(16)}`, `sig ${REDACTED}`],
    ["x-amz-security-token: SOMEOTHERTOKEN", `x-amz-security-token: ${REDACTED}`],
    ["X-Amz-Signature=0123456789abcdef", `X-Amz-Signature=${REDACTED}`],
    [
      "The request signature we calculated does not match",
      "The request signature we calculated does not match",
    ],
  ];
  for (const [input, expected] of cases) {
    await t.step(input.slice(0, 40), () => assert.equal(redactSecrets(input, secrets), expected));
  }
});

Deno.test("a credential that cannot be a header is refused without showing it", async (t) => {
  const bad = ["tok\nen", "tok\r\nen", "tok\0en", " token", "token ", "tök€n"];
  for (const value of bad) {
    await t.step(`awsOptionsFromEnv ${JSON.stringify(value)}`, () => {
      assert.throws(
        () =>
          awsOptionsFromEnv({
            AWS_ACCESS_KEY_ID: "AKID",
            AWS_SECRET_ACCESS_KEY: "secret",
            AWS_SESSION_TOKEN: value,
          }),
        (e: unknown) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, /AWS_SESSION_TOKEN/);
          assert.ok(!e.message.includes(value.trim()), e.message);
          return true;
        },
      );
    });
    await t.step(`sendAwsRequest ${JSON.stringify(value)}`, async () => {
      let sent = 0;
      await assert.rejects(
        sendAwsRequest({
          service: "s3",
          operation: "GetObject",
          method: "GET",
          url: new URL("http://127.0.0.1:1/b/k"),
        }, {
          credentials: { accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: value },
          fetch: () => {
            sent++;
            return Promise.resolve(new Response(""));
          },
        }),
        (e: unknown) =>
          e instanceof TypeError && /credentials\.sessionToken/.test(e.message) &&
          !e.message.includes(value.trim()),
      );
      assert.equal(sent, 0);
    });
  }
});
