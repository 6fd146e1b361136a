import assert from "node:assert/strict";
import { EXIT_AWS } from "../../src/cli/aws_env.ts";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { EXIT_NOT_CONTAINED } from "../../src/cli/manifest.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { localOptions } from "../support/dynamodb_server.ts";
import { runCliWithEnv, startLocalAws } from "../support/local_aws.ts";

const TABLE = "snowplow-runs";
const RUN = "enriched/archive/run=2026-11-01-00-00-00/";

Deno.test("manifest create, add and contains work against dynalite", async (t) => {
  await using aws = await startLocalAws();
  const cli = (...args: string[]) => runCliWithEnv(["manifest", ...args], aws.env);

  await t.step("contains before create: ResourceNotFoundException, status 3", async () => {
    const result = await cli("contains", TABLE, RUN);
    assert.equal(result.code, EXIT_AWS);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^snowplow-analytics manifest contains: DynamoDB GetItem failed: 400 ResourceNotFoundException.*\(does the table exist\? create it with 'manifest create TABLE'\)\n$/,
    );
  });
  await t.step("create, then create again", async () => {
    const first = await cli("create", TABLE);
    assert.deepEqual([first.code, first.stdout], [EXIT.ok, `created ${TABLE}\n`]);
    const second = await cli("create", TABLE);
    assert.deepEqual([second.code, second.stdout], [EXIT.ok, `${TABLE} already exists\n`]);
  });
  await t.step("contains a missing run: false, status 1", async () => {
    const result = await cli("contains", TABLE, RUN);
    assert.deepEqual([result.code, result.stdout], [EXIT_NOT_CONTAINED, "false\n"]);
  });
  await t.step("add, then contains: true, status 0", async () => {
    const added = await cli("add", TABLE, RUN);
    assert.deepEqual([added.code, added.stdout, added.stderr], [EXIT.ok, "", ""]);
    const result = await cli("contains", TABLE, RUN);
    assert.deepEqual([result.code, result.stdout], [EXIT.ok, "true\n"]);
    const manifests = new RunManifests(TABLE, localOptions(aws.dynamo.endpoint));
    assert.equal(await manifests.contains(RUN), true, "the library reads what the CLI wrote");
  });
  await t.step("a run another worker only claimed is not contained", async () => {
    const claimed = "enriched/archive/run=2026-11-02-00-00-00/";
    const manifests = new RunManifests(TABLE, localOptions(aws.dynamo.endpoint));
    await manifests.claim(claimed, { owner: "worker-1", leaseMs: 60_000 });
    const result = await cli("contains", TABLE, claimed);
    assert.deepEqual([result.code, result.stdout], [EXIT_NOT_CONTAINED, "false\n"]);
  });
  await t.step("--endpoint instead of AWS_ENDPOINT_URL_DYNAMODB", async () => {
    const { AWS_ENDPOINT_URL_DYNAMODB: endpoint, ...env } = aws.env;
    const result = await runCliWithEnv(
      ["manifest", "contains", "--endpoint", endpoint, TABLE, RUN],
      env,
    );
    assert.deepEqual([result.code, result.stdout], [EXIT.ok, "true\n"]);
  });
});

Deno.test("manifest commands reject wrong arguments with the usage", async (t) => {
  const env = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" };
  const cases: [string, string[], RegExp][] = [
    ["create without TABLE", ["create"], /Invalid arguments: TABLE missing/],
    [
      "create with two names",
      ["create", "a-table", "b"],
      /Invalid arguments: expected TABLE but got 2 arguments/,
    ],
    ["add without RUN_ID", ["add", TABLE], /Invalid arguments: RUN_ID missing/],
    ["contains without arguments", ["contains"], /Invalid arguments: TABLE and RUN_ID missing/],
    ["an empty RUN_ID", ["add", TABLE, ""], /Invalid RUN_ID: it is empty/],
    ["an invalid table name", ["create", "a b"], /Invalid run manifest table name "a b"/],
    [
      "an unknown flag",
      ["contains", "--table", TABLE, RUN],
      /Invalid option --table: no such option/,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      const result = await runCliWithEnv(["manifest", ...args], env);
      assert.equal(result.code, EXIT.usage, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, new RegExp(`Usage: snowplow-analytics manifest ${args[0]} `));
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    });
  }
  await t.step("--help names the exit statuses", async () => {
    const result = await runCliWithEnv(["manifest", "contains", "--help"], {});
    assert.equal(result.code, EXIT.ok);
    assert.match(
      result.stdout,
      /0 contained \(true\), 1 not contained \(false\), 3 an AWS failure/,
    );
  });
  await t.step("an unreachable endpoint: NetworkError, status 3", async () => {
    // A port that was free a moment ago: connection refused.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    listener.close();
    const result = await runCliWithEnv(
      ["manifest", "add", "--endpoint", `http://127.0.0.1:${port}`, TABLE, RUN],
      env,
    );
    assert.equal(result.code, EXIT_AWS);
    assert.match(result.stderr, /DynamoDB PutItem failed: NetworkError.*\(check the endpoint/);
    assert.ok(!result.stderr.includes("secret"));
  });
});
