import assert from "node:assert/strict";
import { DynamoDBError, S3Error } from "../../src/aws/mod.ts";
import {
  awsOptionsFor,
  EXIT_AWS,
  idleTimeoutArgument,
  isAwsError,
  reportAwsError,
} from "../../src/cli/aws_env.ts";
import { ParsedArgs, UsageError } from "../../src/cli/command.ts";
import { Output } from "../../src/cli/output.ts";

const ENV = {
  AWS_ACCESS_KEY_ID: "AKIDTEST",
  AWS_SECRET_ACCESS_KEY: "very-secret",
  AWS_REGION: "eu-west-1",
  AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000",
};

Deno.test("awsOptionsFor() reads the environment and lets --endpoint win", async (t) => {
  await t.step("from the environment", () => {
    const options = awsOptionsFor("s3", undefined, ENV);
    assert.deepEqual(
      [options.region, options.endpoint, options.credentials.accessKeyId],
      ["eu-west-1", "http://127.0.0.1:9000", "AKIDTEST"],
    );
    assert.equal(awsOptionsFor("dynamodb", undefined, ENV).endpoint, undefined);
  });
  await t.step("--endpoint first", () => {
    const options = awsOptionsFor("s3", "http://127.0.0.1:4566", ENV);
    assert.equal(options.endpoint, "http://127.0.0.1:4566");
  });
  await t.step("missing credentials: a usage error naming the variable", () => {
    assert.throws(
      () => awsOptionsFor("s3", undefined, { AWS_ACCESS_KEY_ID: "AKID" }),
      (error) =>
        error instanceof UsageError &&
        /the environment variable AWS_SECRET_ACCESS_KEY is not set/.test(error.message),
    );
  });
  await t.step("a malformed endpoint: a usage error", () => {
    assert.throws(() => awsOptionsFor("s3", "ftp://example", ENV), UsageError);
    assert.throws(() => awsOptionsFor("s3", "not a url", ENV), UsageError);
  });
});

Deno.test("reportAwsError() writes one line with code, status and request id, and a hint", async () => {
  let text = "";
  const decoder = new TextDecoder();
  const stderr = new Output(
    new WritableStream({ write: (chunk) => void (text += decoder.decode(chunk)) }),
  );
  const io = {
    stdin: () => new ReadableStream<Uint8Array>(),
    stdinIsTerminal: false,
    stdout: stderr,
    stderr,
    stderrIsTerminal: false,
  };
  const error = new S3Error({
    operation: "ListObjectsV2",
    code: "SignatureDoesNotMatch",
    status: 403,
    message: "The request signature we calculated\ndoes not match.",
    requestId: "REQ1",
  });
  assert.equal(isAwsError(error), true);
  assert.equal(isAwsError(new Error("x")), false);
  assert.equal(await reportAwsError(io, "runs list", error), EXIT_AWS);
  assert.equal(
    text,
    "snowplow-analytics runs list: S3 ListObjectsV2 failed: 403 SignatureDoesNotMatch: The " +
      "request signature we calculated does not match. (request id REQ1) " +
      "(check AWS_SECRET_ACCESS_KEY)\n",
  );
  text = "";
  await reportAwsError(
    io,
    "manifest add",
    new DynamoDBError({ operation: "PutItem", code: "ValidationException", status: 400 }),
  );
  assert.equal(
    text,
    "snowplow-analytics manifest add: DynamoDB PutItem failed: 400 ValidationException\n",
  );
});

Deno.test("an AWS command without --allow-env exits with the permission status, naming the flag", async () => {
  const cli = new URL("../../src/cli.ts", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-net=127.0.0.1", cli, "runs", "list", "s3://b/p/"],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stderr);
  assert.equal(code, 77, text);
  assert.match(text, /without --allow-env/);
  assert.doesNotMatch(text, /NotCapable|at .*\.ts:\d+/);
});

Deno.test("awsOptionsFor() refuses a credential that cannot be a header, naming the variable", async (t) => {
  const token = "FQoGZXIvYXdzEXAMPLE";
  const cases: [string, Record<string, string>, string][] = [
    ["a line break in the token", { AWS_SESSION_TOKEN: `${token}\nmore` }, "AWS_SESSION_TOKEN"],
    ["a NUL in the token", { AWS_SESSION_TOKEN: `${token}\0` }, "AWS_SESSION_TOKEN"],
    ["a CR LF after the key id", { AWS_ACCESS_KEY_ID: "AKIDTEST\r\n" }, "AWS_ACCESS_KEY_ID"],
  ];
  for (const [name, env, variable] of cases) {
    await t.step(name, () => {
      assert.throws(() => awsOptionsFor("s3", undefined, { ...ENV, ...env }), (error) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.ok(error.message.includes(variable), error.message);
        assert.match(error.message, /cannot be sent in an HTTP header/);
        for (const value of Object.values(env)) {
          assert.ok(!error.message.includes(value.trim()), error.message);
        }
        return true;
      });
    });
  }
});

Deno.test("idleTimeoutArgument() reads --idle-timeout in seconds", async (t) => {
  const parse = (value?: string) =>
    idleTimeoutArgument(
      new ParsedArgs(new Map(value === undefined ? [] : [["idle-timeout", value]]), []),
    );
  await t.step("absent: the default", () => assert.deepEqual(parse(), {}));
  await t.step("whole seconds", () => assert.deepEqual(parse("90"), { idleTimeoutMs: 90_000 }));
  await t.step("a fraction", () => assert.deepEqual(parse("0.25"), { idleTimeoutMs: 250 }));
  for (const bad of ["0", "-1", "abc", "1e3", "", "Infinity"]) {
    await t.step(`refused: ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parse(bad),
        (e) => e instanceof UsageError && /--idle-timeout/.test(e.message),
      );
    });
  }
});
