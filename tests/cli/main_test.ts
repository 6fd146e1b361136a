import assert from "node:assert/strict";
import { type Command, UsageError } from "../../src/cli/command.ts";
import { COMMANDS } from "../../src/cli/commands.ts";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { runCli, runInProcess } from "../support/run_cli.ts";

function fake(name: string, run: Command["run"] = () => Promise.resolve(0)): Command {
  return {
    name,
    summary: `the ${name} command`,
    usage: "[options]",
    description: name,
    options: {},
    run,
  };
}

const commands: Command[] = [
  fake("transform"),
  fake("manifest create", async (_args, io) => {
    await io.stdout.write("created\n");
    return 0;
  }),
  fake("manifest add", () => Promise.reject(new UsageError("Invalid arguments: RUN_ID missing"))),
  fake("runs list", () => Promise.reject(new Error("bug"))),
];

Deno.test("main() lists every command in the top-level help", async (t) => {
  await t.step("--help on stdout, status 0", async () => {
    const run = await runInProcess(["--help"], { commands });
    assert.equal(run.code, EXIT.ok);
    assert.match(run.stdout, /^Usage: snowplow-analytics <command> \[options\]/);
    for (const c of commands) assert.match(run.stdout, new RegExp(`  ${c.name} +the ${c.name}`));
    assert.equal(run.stderr, "");
  });
  await t.step("no arguments: the help on stderr, status 64", async () => {
    const run = await runInProcess([], { commands });
    assert.equal(run.code, EXIT.usage);
    assert.match(run.stderr, /Commands:/);
    assert.equal(run.stdout, "");
  });
});

Deno.test("main() dispatches on one or two words", async () => {
  const run = await runInProcess(["manifest", "create"], { commands });
  assert.deepEqual(run, { code: 0, stdout: "created\n", stderr: "" });
});

Deno.test("main() explains an unknown command or a missing subcommand", async (t) => {
  await t.step("unknown command", async () => {
    const run = await runInProcess(["frobnicate"], { commands });
    assert.equal(run.code, EXIT.usage);
    assert.match(run.stderr, /^snowplow-analytics: unknown command 'frobnicate'\n/);
  });
  await t.step("unknown command close to a known one: did you mean", async () => {
    const run = await runInProcess(["transfrom"], { commands });
    assert.equal(run.code, EXIT.usage);
    assert.match(
      run.stderr,
      /^snowplow-analytics: unknown command 'transfrom' \(did you mean 'transform'\?\)\n/,
    );
  });
  await t.step("unknown subcommand: did you mean, and the group's help", async () => {
    const run = await runInProcess(["manifest", "creat"], { commands });
    assert.equal(run.code, EXIT.usage);
    assert.match(
      run.stderr,
      /^snowplow-analytics: unknown command 'manifest creat' \(did you mean 'manifest create'\?\)\n/,
    );
    assert.match(run.stderr, /Usage: snowplow-analytics manifest <subcommand>/);
  });
  await t.step("group with --help lists its subcommands", async () => {
    const run = await runInProcess(["manifest", "--help"], { commands });
    assert.equal(run.code, EXIT.ok);
    assert.match(run.stdout, /^Usage: snowplow-analytics manifest <subcommand> \[options\]\n/);
    assert.match(run.stdout, /Subcommands:\n {2}manifest create +the manifest create command\n/);
    assert.doesNotMatch(run.stdout, /transform/);
  });
  await t.step("runs --help lists runs list", async () => {
    const run = await runInProcess(["runs", "--help"]);
    assert.equal(run.code, EXIT.ok);
    assert.match(run.stdout, /^Usage: snowplow-analytics runs <subcommand>/);
    assert.match(run.stdout, /\n {2}runs list +list the run folders/);
  });
  await t.step("group without subcommand", async () => {
    const run = await runInProcess(["manifest"], { commands });
    assert.equal(run.code, EXIT.usage);
    assert.match(
      run.stderr,
      /^snowplow-analytics: 'manifest' needs a subcommand: manifest create, manifest add\n/,
    );
  });
});

Deno.test("main() prints a command's usage for a UsageError, status 64", async () => {
  const run = await runInProcess(["manifest", "add"], { commands });
  assert.equal(run.code, EXIT.usage);
  assert.equal(
    run.stderr,
    "snowplow-analytics manifest add: Invalid arguments: RUN_ID missing\n" +
      "Usage: snowplow-analytics manifest add [options]\n" +
      "Run 'snowplow-analytics manifest add --help' for the options.\n",
  );
});

Deno.test("main() reports an unexpected error as internal, status 70", async () => {
  const run = await runInProcess(["runs", "list"], { commands });
  assert.equal(run.code, EXIT.internal);
  assert.match(run.stderr, /^snowplow-analytics runs list: internal error: Error: bug/);
});

Deno.test("main() gives every registered command a --help", async (t) => {
  for (const command of COMMANDS) {
    await t.step(command.name, async () => {
      const run = await runInProcess([...command.name.split(" "), "--help"]);
      assert.equal(run.code, EXIT.ok);
      assert.match(run.stdout, new RegExp(`^Usage: snowplow-analytics ${command.name} `));
      assert.match(run.stdout, /-h, --help/);
    });
  }
});

Deno.test("main() suggests the option meant by a mistyped one", async () => {
  const run = await runInProcess(["transform", "--null"]);
  assert.equal(run.code, EXIT.usage);
  assert.match(
    run.stderr,
    /^snowplow-analytics transform: Invalid option --null: no such option \(did you mean '--nulls'\?\)\n/,
  );
});

Deno.test("main() reports a missing Deno permission with status 77, naming the flag", async () => {
  const denied = fake("runs list", () => {
    throw new Deno.errors.NotCapable("Requires env access, run again with the --allow-env flag");
  });
  const run = await runInProcess(["runs", "list"], { commands: [denied] });
  assert.equal(run.code, EXIT.permission);
  assert.equal(
    run.stderr,
    "snowplow-analytics runs list: Requires env access, run again with the --allow-env flag\n",
  );
});

Deno.test("main() wraps every help text to 80 columns", async (t) => {
  const helps = [["--help"], ...COMMANDS.map((c) => [...c.name.split(" "), "--help"])];
  for (const args of helps) {
    await t.step(args.join(" "), async () => {
      const run = await runInProcess(args);
      assert.equal(run.code, EXIT.ok);
      // Example command lines (two spaces, then not an option) are kept as written.
      const long = run.stdout.split("\n").filter((line) =>
        line.length > 80 && !/^ {2}[^ -]/.test(line)
      );
      assert.deepEqual(long, []);
    });
  }
});

Deno.test("main() prints the package version", async () => {
  const run = await runInProcess(["--version"]);
  assert.match(run.stdout, /^@snowplow\/analytics-sdk \d+\.\d+\.\d+\n$/);
});

Deno.test("src/cli.ts runs as a program: help, and a wrong flag without a stack trace", async () => {
  const [help, wrong] = await Promise.all([
    runCli(["--help"]),
    runCli(["transform", "--no-such-flag"]),
  ]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /transform +turn enriched TSV files/);
  assert.equal(wrong.code, 64);
  assert.equal(wrong.stdout, "");
  assert.equal(
    wrong.stderr,
    "snowplow-analytics transform: Invalid option --no-such-flag: no such option\n" +
      "Usage: snowplow-analytics transform [options] [FILE...]\n" +
      "Run 'snowplow-analytics transform --help' for the options.\n",
  );
});
