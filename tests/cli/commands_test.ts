import assert from "node:assert/strict";
import { COMMANDS } from "../../src/cli/commands.ts";
import { runInProcess } from "../support/run_cli.ts";
import { staticGraph } from "../support/module_graph.ts";
import { PROJECT_ROOT } from "../support/runtime.ts";

Deno.test("COMMANDS loads no command's modules before it runs", async () => {
  const loaded = await staticGraph(`${PROJECT_ROOT}src/cli.ts`);
  // The dispatcher and the list only: no SDK area, no npm or node package.
  const heavy = loaded.filter((specifier) =>
    !specifier.startsWith("file:") ||
    /\/src\/(aws|event|job|manifest|parquet|s3|stream|engines)\//.test(specifier) ||
    /\/src\/cli\/(transform|runs|manifest|process|aws_env)\.ts$/.test(specifier)
  );
  assert.deepEqual(heavy, []);
});

Deno.test("COMMANDS runs each command's lazily loaded run", async (t) => {
  // Each run is loaded and reaches its own argument checks (a usage error, status 64).
  const cases: Record<string, [string[], RegExp]> = {
    "transform": [["--jobs", "0"], /Invalid --jobs: expected a positive integer but got .0./],
    "runs list": [[], /Invalid arguments: the S3 URI is missing/],
    "manifest create": [[], /TABLE/],
    "manifest add": [["t"], /RUN_ID/],
    "manifest contains": [["t"], /RUN_ID/],
    "process": [[], /Invalid arguments: the S3 URI is missing/],
  };
  assert.deepEqual(COMMANDS.map((c) => c.name).sort(), Object.keys(cases).sort());
  for (const command of COMMANDS) {
    await t.step(command.name, async () => {
      const [args, message] = cases[command.name];
      const run = await runInProcess([...command.name.split(" "), ...args], {
        stdinIsTerminal: true,
      });
      assert.equal(run.code, 64, run.stderr);
      assert.match(run.stderr, message);
    });
  }
});
