/**
 * How the project pins its npm packages: the library imports them only through `src/_deps/`
 * (one file per package, a full `npm:name@x.y.z` specifier), so it resolves without deno.json;
 * tests, benchmarks and examples import theirs inline; each package has one version everywhere,
 * and the lockfiles know it: `deno.lock` everything (CI uses it frozen), `examples/deno.lock` only
 * what `deno task demo` loads, so the demo installs no test package.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../support/runtime.ts";

/** `npm:name@version` in an import or export (`name` may be scoped, a subpath may follow). */
const NPM_SPECIFIER = /["']npm:((?:@[\w.-]+\/)?[\w.-]+)@([^/"'\s]+)[^"']*["']/g;
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[\w.]+)?$/;

/** Every TypeScript, JavaScript and Markdown file of the project, relative to its root. */
async function projectFiles(): Promise<string[]> {
  const files = ["mod.ts", "README.md"];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(`${PROJECT_ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && path !== "tests/testdata") await walk(path);
      else if (entry.isFile && /\.(m?[jt]s|md)$/.test(entry.name)) files.push(path);
    }
  };
  for (const dir of ["src", "tests", "bench", "examples", "docs"]) await walk(dir);
  return files.sort();
}

/** The npm specifiers of a file: `[name, version, line]`. Comment lines count too (examples). */
async function npmSpecifiers(file: string): Promise<[string, string, string][]> {
  const text = await Deno.readTextFile(`${PROJECT_ROOT}${file}`);
  return [...text.matchAll(NPM_SPECIFIER)].map(([specifier, name, version]) => {
    const before = text.slice(0, text.indexOf(specifier));
    return [name, version, before.slice(before.lastIndexOf("\n") + 1)];
  });
}

Deno.test("deno.json maps no imports: every file names its packages in full", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}deno.json`));
  assert.equal(config.imports, undefined);
  assert.equal(config.importMap, undefined);
});

Deno.test("src/ imports npm packages only through src/_deps/, one exact version per file", async () => {
  const files = (await projectFiles()).filter((file) => file.startsWith("src/"));
  const deps = files.filter((file) => file.startsWith("src/_deps/"));
  assert.ok(deps.length >= 3, `too few dependency files: ${deps}`);
  for (const file of files) {
    // JSDoc examples (lines starting with `*`) may import test packages such as dynalite.
    const code = (await npmSpecifiers(file)).filter(([, , line]) => !/^\s*\*/.test(line));
    if (!file.startsWith("src/_deps/")) {
      assert.deepEqual(code, [], `${file} imports npm packages directly`);
      continue;
    }
    assert.equal(new Set(code.map(([name]) => name)).size, 1, `${file}: one package per file`);
    for (const [name, version] of code) {
      assert.match(version, EXACT_VERSION, `${file}: ${name} is not pinned exactly`);
    }
  }
});

Deno.test("each npm package has one exact version across the project and in deno.lock", async () => {
  const versions = new Map<string, Set<string>>();
  for (const file of await projectFiles()) {
    for (const [name, version] of await npmSpecifiers(file)) {
      assert.match(version, EXACT_VERSION, `${file}: ${name}@${version} is not an exact version`);
      versions.set(name, (versions.get(name) ?? new Set()).add(version));
    }
  }
  assert.ok(versions.has("fflate"), "the scan found the dependencies");
  const lock = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}deno.lock`)) as {
    specifiers: Record<string, string>;
  };
  for (const [name, found] of versions) {
    assert.equal(found.size, 1, `${name} is pinned at ${[...found].join(" and ")}`);
    const [version] = found;
    assert.ok(`npm:${name}@${version}` in lock.specifiers, `deno.lock lacks ${name}@${version}`);
  }
});

Deno.test("examples/deno.lock holds exactly the npm packages the demo loads", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--frozen", "--lock=examples/deno.lock", "examples/demo.ts"],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const { npmPackages } = JSON.parse(new TextDecoder().decode(stdout)) as {
    npmPackages: Record<string, unknown>;
  };
  const lock = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}examples/deno.lock`)) as {
    npm: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(lock.npm).sort(), Object.keys(npmPackages).sort());
  for (const name of ["s3rver", "miniflare", "snowplow-analytics-sdk"]) {
    assert.ok(!Object.keys(lock.npm).some((key) => key.startsWith(`${name}@`)), name);
  }
});
