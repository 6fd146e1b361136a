/**
 * JSR readiness: `deno publish --dry-run` passes (which includes the "no slow types" check) and
 * packs only the module, its documentation and metadata; `deno doc --lint` is clean for every
 * entry point in `exports`.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT, runCommand, runDeno } from "../support/runtime.ts";

/** What the package may contain (paths relative to the project root). */
const PACKAGE_FILE =
  /^(mod\.ts|deno\.json|deno\.lock|README\.md|LICENSE|src\/.+\.ts|docs\/.+\.md)$/;

/**
 * Files git does not track (none in CI's clean checkout). A real `deno publish` refuses to run
 * while `git status --porcelain` lists any, so they can never reach the package; the dry run
 * here needs `--allow-dirty` and would list them, so they are left out of the check.
 */
async function untrackedFiles(): Promise<Set<string>> {
  const git = await runCommand("git", ["ls-files", "--others", "--exclude-standard", "-z"])
    .catch(() => undefined);
  return new Set(git?.code === 0 ? git.stdout.split("\0").filter(Boolean) : []);
}

async function exportTargets(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}deno.json`)) as {
    exports: string | Record<string, string>;
  };
  const targets = typeof config.exports === "string"
    ? [config.exports]
    : Object.values(config.exports);
  return targets.map((target) => target.replace(/^\.\//, ""));
}

Deno.test("deno publish --dry-run passes and packs only the module, docs and metadata", async () => {
  const result = await runDeno(["publish", "--dry-run", "--allow-dirty"]);
  const output = result.stdout + result.stderr;
  assert.equal(result.code, 0, `deno publish --dry-run failed:\n${output}`);
  assert.match(output, /Checking for slow types in the public API/);
  assert.match(output, /Success Dry run complete/);
  const files = [...output.matchAll(/^\s+file:\/\/(\/\S+) \(/gm)]
    .map(([, path]) => decodeURIComponent(path).slice(PROJECT_ROOT.length));
  assert.ok(files.length > 0, `no file list in:\n${output}`);
  const untracked = await untrackedFiles();
  const unexpected = files.filter((file) => !PACKAGE_FILE.test(file) && !untracked.has(file));
  assert.deepEqual(unexpected, [], "files that must not be published");
  for (const target of await exportTargets()) assert.ok(files.includes(target), target);
  for (const file of ["README.md", "LICENSE", "deno.json"]) assert.ok(files.includes(file), file);
});

Deno.test("deno doc --lint is clean for every entry point in exports", async () => {
  const targets = await exportTargets();
  assert.ok(targets.includes("mod.ts"));
  const result = await runDeno(["doc", "--lint", ...targets]);
  assert.equal(result.code, 0, `deno doc --lint failed:\n${result.stdout}${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^error/m);
});
