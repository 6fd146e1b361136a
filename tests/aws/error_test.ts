import assert from "node:assert/strict";
import { AwsError, DynamoDBError, S3Error } from "../../src/aws/mod.ts";

Deno.test("AwsError classifies retryable and throttling errors", async (t) => {
  const cases: [string, number, boolean, boolean][] = [
    ["ThrottlingException", 400, true, true],
    ["ProvisionedThroughputExceededException", 400, true, true],
    ["SlowDown", 503, true, true],
    ["RequestLimitExceeded", 400, true, true],
    ["TooManyRequestsException", 429, true, true],
    ["Anything", 429, true, true],
    ["InternalError", 500, true, false],
    ["BadGateway", 502, true, false],
    ["ServiceUnavailable", 503, true, false],
    ["GatewayTimeout", 504, true, false],
    ["NetworkError", 0, true, false],
    ["RequestTimeout", 400, true, false],
    ["AccessDenied", 403, false, false],
    ["ValidationException", 400, false, false],
    ["ResourceNotFoundException", 400, false, false],
    ["ConditionalCheckFailedException", 400, false, false],
    ["NotImplemented", 501, false, false],
  ];
  for (const [code, status, retryable, throttling] of cases) {
    await t.step(`${status} ${code}`, () => {
      const error = new DynamoDBError({ operation: "GetItem", code, status });
      assert.equal(error.retryable, retryable);
      assert.equal(error.throttling, throttling);
    });
  }
});

Deno.test("AwsError formats the message with service, operation, status, code and request id", async (t) => {
  await t.step("full", () => {
    const error = new S3Error({
      operation: "ListObjectsV2",
      code: "SignatureDoesNotMatch",
      status: 403,
      message: "The request signature we calculated does not match",
      requestId: "4442587FB7D0A2F9",
    });
    assert.equal(
      error.message,
      "S3 ListObjectsV2 failed: 403 SignatureDoesNotMatch: The request signature we calculated " +
        "does not match (request id 4442587FB7D0A2F9)",
    );
    assert.equal(error.name, "S3Error");
    assert.ok(error instanceof AwsError && error instanceof Error);
    assert.equal(error.service, "s3");
  });
  await t.step("network failure", () => {
    const cause = new TypeError("connection reset");
    const error = new DynamoDBError({
      operation: "PutItem",
      code: "NetworkError",
      status: 0,
      cause,
    });
    assert.equal(error.message, "DynamoDB PutItem failed: NetworkError");
    assert.equal(error.cause, cause);
    assert.equal(error.requestId, undefined);
  });
  await t.step("explicit retryable wins", () => {
    const error = new S3Error({
      operation: "GetObject",
      code: "InvalidResponse",
      status: 503,
      retryable: false,
    });
    assert.equal(error.retryable, false);
  });
});
