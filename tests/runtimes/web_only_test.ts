/**
 * The core (`mod.ts` and `src/` except the CLI) uses only ECMAScript and WHATWG APIs: it
 * type-checks without Deno's namespace types, and its import graph holds no Node built-ins and
 * no npm packages but the web-portable ones.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../support/runtime.ts";
import {
  coreFiles,
  importGraphProblems,
  isCoreFile,
  typeCheckWebOnly,
} from "../support/runtime_web_only.ts";

const SELFTEST = [
  `${PROJECT_ROOT}tests/runtimes/selftest.ts`,
  `${PROJECT_ROOT}tests/runtimes/worker.ts`,
];

Deno.test("the core and the runtime self-test type-check without Deno's types", async () => {
  const files = await coreFiles();
  assert.ok(files.includes(`${PROJECT_ROOT}mod.ts`));
  assert.ok(!files.some((file) => file.includes("/src/cli")), "the CLI is not core");
  const result = await typeCheckWebOnly([...files, ...SELFTEST]);
  assert.equal(result.code, 0, `the core uses non-web APIs:\n${result.stderr}`);
});

Deno.test("the core's import graph resolves without deno.json to core files and portable packages", async () => {
  const files = await coreFiles();
  const { problems, files: reached } = await importGraphProblems(`${PROJECT_ROOT}mod.ts`);
  assert.deepEqual(problems, []);
  // Core files that mod.ts does not reach are checked on their own.
  for (const file of files.filter((file) => !reached.includes(file))) {
    assert.deepEqual((await importGraphProblems(file)).problems, [], file);
  }
});

Deno.test("the web-only check rejects Deno, Node and non-portable npm code", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "web-only-fixture-" });
  const fixture = async (name: string, code: string): Promise<string> => {
    const path = `${dir}/${name}.ts`;
    await Deno.writeTextFile(path, code);
    return path;
  };
  const allowed = (path: string) => path.startsWith(`${dir}/`) || isCoreFile(path);
  try {
    await t.step("type check fails on Deno, process and Buffer", async () => {
      const cases = [
        ["deno", 'export const home = Deno.env.get("HOME");\n', "Cannot find name 'Deno'"],
        ["process", "export const home = process.env.HOME;\n", "Cannot find name 'process'"],
        ["buffer", 'export const bytes = Buffer.from("x");\n', "Cannot find name 'Buffer'"],
      ] as const;
      const files = await Promise.all(cases.map(([name, code]) => fixture(name, code)));
      const result = await typeCheckWebOnly(files);
      assert.notEqual(result.code, 0);
      for (const [name, , message] of cases) {
        const at = `${message}[\\s\\S]*?at file://${dir}/${name}.ts:1:`;
        assert.match(result.stderr, new RegExp(at), name);
      }
      assert.match(result.stderr, /Found 3 errors/);
    });
    const graphCases = [
      [
        "node_builtin",
        'import { readFile } from "node:fs/promises";\nexport { readFile };\n',
        "node:fs/promises is a Node built-in",
      ],
      [
        "npm_package",
        'import dynalite from "npm:dynalite@4.0.0";\nexport { dynalite };\n',
        "npm package dynalite@4.0.0 is not in the web-portable list",
      ],
      [
        "bare_specifier",
        'import { XMLParser } from "fast-xml-parser";\nexport { XMLParser };\n',
        `file://${dir}/bare_specifier.ts: Import "fast-xml-parser" not a dependency`,
      ],
      [
        "cli_import",
        `export { EXIT } from "${PROJECT_ROOT}src/cli/exit_codes.ts";\n`,
        `${PROJECT_ROOT}src/cli/exit_codes.ts is imported but is not in the core`,
      ],
    ] as const;
    for (const [name, code, problem] of graphCases) {
      await t.step(`import graph scan finds ${name}`, async () => {
        const { problems } = await importGraphProblems(await fixture(name, code), allowed);
        assert.deepEqual(problems, [problem]);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
