/**
 * The documented install: `deno install -g -A -n snowplow-analytics <clone>/src/cli.ts` makes a
 * `snowplow-analytics` command (here into a temporary DENO_INSTALL_ROOT), and a missing
 * permission gives the status the docs state (77).
 */
import assert from "node:assert/strict";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { PROJECT_ROOT } from "../support/runtime.ts";

const CLI = `${PROJECT_ROOT}src/cli.ts`;
const decoder = new TextDecoder();

async function run(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const output = await new Deno.Command(command, {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** One enriched line with app_id and br_viewwidth set. */
function sampleLine(): string {
  const fields: string[] = Array(131).fill("");
  fields[0] = "shop";
  fields[95] = "1024";
  return fields.join("\t") + "\n";
}

Deno.test("deno install -g -A -n snowplow-analytics makes a working snowplow-analytics", async () => {
  const root = await Deno.makeTempDir({ prefix: "install-root-" });
  try {
    // The shim runs `deno` from PATH: put the Deno running the tests first.
    const denoDir = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
    const env = { DENO_INSTALL_ROOT: root, PATH: `${denoDir}:${Deno.env.get("PATH") ?? ""}` };
    const install = await run(
      Deno.execPath(),
      ["install", "-g", "-A", "-n", "snowplow-analytics", "--quiet", CLI],
      root,
      env,
    );
    assert.equal(install.code, 0, install.stderr);
    const bin = `${root}/bin/snowplow-analytics`;
    await Deno.writeTextFile(`${root}/one.tsv`, sampleLine());
    const version = await run(bin, ["--version"], root, env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^@snowplow\/analytics-sdk \d+\.\d+\.\d+\n$/);
    const transform = await run(bin, ["transform", "-q", "one.tsv"], root, env);
    assert.equal(transform.code, 0, transform.stderr);
    assert.deepEqual(JSON.parse(transform.stdout), { app_id: "shop", br_viewwidth: 1024 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the command line without a needed permission exits 77 and names the flag", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cli-permission-" });
  try {
    await Deno.writeTextFile(`${dir}/one.tsv`, sampleLine());
    await t.step("transform without --allow-read: no summary", async () => {
      const result = await run(Deno.execPath(), ["run", CLI, "transform", "one.tsv"], dir, {});
      assert.equal(result.code, EXIT.permission);
      assert.equal(result.stdout, "");
      assert.match(
        result.stderr,
        /^snowplow-analytics transform: Cannot open one\.tsv: Requires read access to "one\.tsv", run again with the --allow-read flag\n$/,
      );
    });
    await t.step("transform --bad without --allow-write", async () => {
      const args = ["run", "--allow-read", CLI, "transform", "--bad", "bad.ndjson", "one.tsv"];
      const result = await run(Deno.execPath(), args, dir, {});
      assert.equal(result.code, EXIT.permission);
      assert.match(result.stderr, /--allow-write flag\n$/);
    });
    await t.step("runs list without --allow-net", async () => {
      const args = [
        "run",
        "--allow-env",
        CLI,
        "runs",
        "list",
        "--endpoint",
        "http://127.0.0.1:65535",
        "s3://bucket/archive/",
      ];
      const env = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "x" };
      const result = await run(Deno.execPath(), args, dir, env);
      assert.equal(result.code, EXIT.permission, result.stderr);
      assert.match(
        result.stderr,
        /^snowplow-analytics runs list: Requires net access to "127\.0\.0\.1:65535", run again with the --allow-net flag\n$/,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
