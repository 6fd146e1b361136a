import assert from "node:assert/strict";
import { COMMANDS } from "../../src/cli/commands.ts";
import { runInProcess } from "../support/run_cli.ts";
import { PROJECT_ROOT, runDeno } from "../support/runtime.ts";

interface InfoDependency {
  isDynamic?: boolean;
  code?: { specifier?: string };
  type?: { specifier?: string };
}
interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/** The modules `root` loads before it runs: its static imports, followed through. */
async function staticGraph(root: string): Promise<string[]> {
  const info = await runDeno(["info", "--json", root]);
  assert.equal(info.code, 0, info.stderr);
  const graph = JSON.parse(info.stdout) as { roots: string[]; modules: InfoModule[] };
  const modules = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...graph.roots];
  while (todo.length > 0) {
    const specifier = todo.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.isDynamic) continue;
      for (const target of [dependency.code?.specifier, dependency.type?.specifier]) {
        if (target !== undefined) todo.push(target);
      }
    }
  }
  return [...seen];
}

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
    "transform": [["--jobs", "0"], /--jobs must be a positive integer/],
    "runs list": [[], /missing the S3 URI/],
    "manifest create": [[], /TABLE/],
    "manifest add": [["t"], /RUN_ID/],
    "manifest contains": [["t"], /RUN_ID/],
    "process": [[], /missing the S3 URI/],
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
