import assert from "node:assert/strict";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { EXIT_AWS } from "../../src/cli/aws_env.ts";
import { runCliWithEnv, startLocalAws } from "../support/local_aws.ts";
import { startFaultyServer } from "../support/faulty_server.ts";

const BUCKET = "pipeline";
const run = (day: number) =>
  `enriched/archive/run=2026-11-${String(day).padStart(2, "0")}-00-00-00/`;

Deno.test("runs list prints one run id per line, archived runs only with --include-archived", async (t) => {
  await using aws = await startLocalAws([BUCKET]);
  for (let day = 1; day <= 4; day++) {
    aws.s3.put({
      bucket: BUCKET,
      key: `${run(day)}part-00000.gz`,
      storageClass: day === 3 ? "GLACIER" : "STANDARD",
    }, "x");
  }
  aws.s3.put({ bucket: BUCKET, key: "enriched/archive/not-a-run/part-0" }, "x");
  aws.s3.put({ bucket: BUCKET, key: "enriched/archive/run=2026-13-01-00-00-00/part-0" }, "x");

  await t.step("archived runs left out", async () => {
    const result = await runCliWithEnv(
      ["runs", "list", `s3://${BUCKET}/enriched/archive/`],
      aws.env,
    );
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(result.stdout, [run(1), run(2), run(4)].join("\n") + "\n");
    assert.equal(result.stderr, "");
  });
  await t.step("--include-archived, endpoint from --endpoint", async () => {
    const { AWS_ENDPOINT_URL_S3: endpoint, ...env } = aws.env;
    const result = await runCliWithEnv(
      [
        "runs",
        "list",
        "--include-archived",
        "--endpoint",
        endpoint,
        `s3://${BUCKET}/enriched/archive`,
      ],
      env,
    );
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(result.stdout, [run(1), run(2), run(3), run(4)].join("\n") + "\n");
  });
  await t.step("an empty prefix lists nothing", async () => {
    const result = await runCliWithEnv(["runs", "list", `s3://${BUCKET}/nothing/`], aws.env);
    assert.deepEqual([result.code, result.stdout], [EXIT.ok, ""]);
  });
});

Deno.test("runs list --sealed-by lists only the folders holding the seal", async (t) => {
  await using aws = await startLocalAws([BUCKET]);
  for (let day = 1; day <= 3; day++) {
    aws.s3.put({ bucket: BUCKET, key: `${run(day)}part-00000.gz` }, "x");
  }
  aws.s3.put({ bucket: BUCKET, key: `${run(2)}_SUCCESS` }, "");
  await t.step("sealed only", async () => {
    const result = await runCliWithEnv(
      ["runs", "list", "--sealed-by", "_SUCCESS", `s3://${BUCKET}/enriched/archive/`],
      aws.env,
    );
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.equal(result.stdout, `${run(2)}\n`);
  });
  await t.step("a seal name ending in / is a usage error", async () => {
    const result = await runCliWithEnv(
      ["runs", "list", "--sealed-by", "done/", `s3://${BUCKET}/enriched/archive/`],
      aws.env,
    );
    assert.equal(result.code, EXIT.usage, result.stderr);
    assert.match(result.stderr, /Invalid --sealed-by: expected an object inside the run folder/);
  });
});

Deno.test("runs list prints every run of a listing of several pages", async () => {
  await using aws = await startLocalAws([BUCKET]);
  const expected: string[] = [];
  for (let i = 0; i < 1450; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const hour = String(Math.floor(i / 28) % 24).padStart(2, "0");
    const minute = String(Math.floor(i / (28 * 24))).padStart(2, "0");
    const id = `big/run=2026-11-${day}-${hour}-${minute}-00/`;
    expected.push(id);
    aws.s3.put({ bucket: BUCKET, key: `${id}part-0` }, "x");
  }
  const result = await runCliWithEnv(
    ["runs", "list", "--include-archived", `s3://${BUCKET}/big/`],
    aws.env,
  );
  assert.equal(result.code, EXIT.ok, result.stderr);
  assert.deepEqual(result.stdout.trimEnd().split("\n"), expected.sort());
});

Deno.test("runs list reports AWS failures in one line with a distinct status", async (t) => {
  await using aws = await startLocalAws([BUCKET]);
  await t.step("a wrong secret: 403 SignatureDoesNotMatch, no credentials printed", async () => {
    const secret = "wrong-secret-value-1234";
    const result = await runCliWithEnv(
      ["runs", "list", `s3://${BUCKET}/enriched/`],
      { ...aws.env, AWS_SECRET_ACCESS_KEY: secret },
    );
    assert.equal(result.code, EXIT_AWS);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      /^snowplow-analytics runs list: S3 ListObjectsV2 failed: 403 SignatureDoesNotMatch: .*\(request id FAKES3\d+\) \(check AWS_SECRET_ACCESS_KEY\)$/,
    );
    assert.ok(!result.stderr.includes(secret));
    assert.ok(!result.stderr.includes(aws.s3.credentials.secretAccessKey));
  });
  await t.step("a missing bucket: 404 NoSuchBucket", async () => {
    const result = await runCliWithEnv(["runs", "list", "s3://no-such-bucket/x/"], aws.env);
    assert.equal(result.code, EXIT_AWS);
    assert.match(result.stderr, /404 NoSuchBucket/);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  });
});

Deno.test("runs list rejects wrong arguments with the usage", async (t) => {
  const env = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" };
  const cases: [string, string[], RegExp][] = [
    ["no URI", [], /Invalid arguments: the S3 URI is missing/],
    ["two URIs", ["s3://a/x/", "s3://b/y/"], /Invalid arguments: expected one S3 URI but got 2/],
    ["not an S3 URI", ["https://bucket/x/"], /s3:\/\//],
    ["an unknown flag", ["--archived", "s3://a/x/"], /Invalid option --archived: no such option/],
    ["a malformed endpoint", ["--endpoint", "not a url", "s3://a/x/"], /endpoint/],
    [
      "a bad --idle-timeout",
      ["--idle-timeout", "soon", "s3://a/x/"],
      /Invalid --idle-timeout: expected a positive number of seconds but got 'soon'/,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      const result = await runCliWithEnv(["runs", "list", ...args], env);
      assert.equal(result.code, EXIT.usage);
      assert.match(result.stderr, message);
      assert.match(
        result.stderr,
        /Usage: snowplow-analytics runs list \[options\] s3:\/\/bucket\/prefix\//,
      );
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    });
  }
  await t.step("missing credentials name the variable", async () => {
    const result = await runCliWithEnv(["runs", "list", "s3://a/x/"], {});
    assert.equal(result.code, EXIT.usage);
    assert.match(result.stderr, /AWS_ACCESS_KEY_ID is not set/);
  });
  await t.step("a session token with a line break: a usage error naming the variable", async () => {
    const token = "FQoGZXIvYXdzEXAMPLETOKEN";
    const result = await runCliWithEnv(["runs", "list", "s3://a/x/"], {
      ...env,
      AWS_SESSION_TOKEN: `${token}\r\nX-Injected: 1`,
    });
    assert.equal(result.code, EXIT.usage, result.stderr);
    assert.match(result.stderr, /AWS_SESSION_TOKEN holds a line break/);
    assert.ok(!result.stderr.includes(token), "the value is not printed");
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });
  await t.step("--help", async () => {
    const result = await runCliWithEnv(["runs", "list", "--help"], {});
    assert.equal(result.code, EXIT.ok);
    assert.match(result.stdout, /--idle-timeout SECONDS/);
    assert.match(result.stdout, /--include-archived/);
    assert.match(result.stdout, /AWS_SECRET_ACCESS_KEY/);
  });
});

Deno.test("runs list --idle-timeout gives up on an endpoint that never answers", async () => {
  const server = startFaultyServer({ faults: () => "hang" });
  try {
    const result = await runCliWithEnv(
      ["runs", "list", "--idle-timeout", "0.3", "--endpoint", server.endpoint, "s3://a/x/"],
      { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" },
    );
    assert.equal(result.code, EXIT_AWS, result.stderr);
    assert.match(
      result.stderr,
      /^snowplow-analytics runs list: S3 ListObjectsV2 failed: RequestTimeout: nothing arrived for 300 ms .*raise --idle-timeout\)\n$/,
    );
    assert.equal(server.requests.length, 5, "retried within the default budget");
  } finally {
    await server.close();
  }
});
