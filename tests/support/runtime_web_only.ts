/**
 * The web-only check of the core (`mod.ts` and `src/` except the CLI): a type check without
 * Deno's namespace types, and a scan of the import graph for `node:` built-ins and npm packages
 * that are not known to be web-portable.
 *
 * @module
 */

import { type CommandResult, PROJECT_ROOT, runDeno } from "./runtime.ts";

/** The libraries of the web-only type check: ECMAScript and the DOM, no `deno.ns`. */
export const WEB_LIB: readonly string[] = ["esnext", "dom", "dom.iterable", "dom.asynciterable"];

/** The npm packages the core may import: pure JavaScript on web APIs. */
export const PORTABLE_NPM_PACKAGES: readonly string[] = [
  "aws4fetch",
  "fast-xml-parser",
  "fflate",
  "csv-stringify",
  "fzstd",
];

/** Whether an absolute path is in the core: `mod.ts` or `src/**` except `src/cli.ts`, `src/cli/**`. */
export function isCoreFile(path: string): boolean {
  if (path === `${PROJECT_ROOT}mod.ts`) return true;
  if (!path.startsWith(`${PROJECT_ROOT}src/`)) return false;
  const inSrc = path.slice(PROJECT_ROOT.length + "src/".length);
  return inSrc !== "cli.ts" && !inSrc.startsWith("cli/");
}

/** Every TypeScript file of the core (absolute paths, sorted). */
export async function coreFiles(): Promise<string[]> {
  const files = [`${PROJECT_ROOT}mod.ts`];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && /\.m?tsx?$/.test(entry.name) && isCoreFile(path)) files.push(path);
    }
  };
  await walk(`${PROJECT_ROOT}src`);
  return files.sort();
}

/**
 * Writes a Deno config for the web-only check into `dir`: the project's import map and
 * strictness, `lib` set to {@linkcode WEB_LIB}, npm packages from the global cache.
 */
export async function writeWebOnlyConfig(dir: string): Promise<string> {
  const project = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}deno.json`)) as {
    imports?: Record<string, string>;
    compilerOptions?: Record<string, unknown>;
  };
  const config = {
    compilerOptions: { ...project.compilerOptions, lib: WEB_LIB },
    imports: project.imports ?? {},
    nodeModulesDir: "none",
  };
  const path = `${dir}/web_only.json`;
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2));
  return path;
}

/** `deno check` of `files` without Deno's namespace types (see {@linkcode writeWebOnlyConfig}). */
export async function typeCheckWebOnly(files: string[]): Promise<CommandResult> {
  const dir = await Deno.makeTempDir({ prefix: "web-only-" });
  try {
    const config = await writeWebOnlyConfig(dir);
    return await runDeno(["check", "--quiet", "--no-lock", "--config", config, ...files]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface GraphDependency {
  specifier: string;
  code?: { error?: string };
  type?: { error?: string };
}

interface GraphModule {
  specifier: string;
  kind?: string;
  npmPackage?: string;
  error?: string;
  dependencies?: GraphDependency[];
}

/** The npm package name of `name@version` (scoped names keep their scope). */
function packageName(nameAtVersion: string): string {
  return nameAtVersion.slice(0, nameAtVersion.indexOf("@", 1));
}

/**
 * What in the import graph of `root` (`deno info --json`, without the project's config, as a
 * script importing the module by path sees it) is not web-portable or does not resolve: imports
 * that fail to resolve (a bare specifier only an import map knows), `node:` modules, npm packages
 * outside {@linkcode PORTABLE_NPM_PACKAGES}, local files for which `isAllowedFile` is false, and
 * any other scheme (`jsr:`, `https:`).
 * Returns one message per problem; empty when the graph is clean.
 */
export async function importGraphProblems(
  root: string,
  isAllowedFile: (path: string) => boolean = isCoreFile,
): Promise<{ problems: string[]; files: string[] }> {
  const info = await runDeno(["info", "--no-config", "--json", root]);
  if (info.code !== 0) return { problems: [`deno info ${root} failed: ${info.stderr}`], files: [] };
  const { modules } = JSON.parse(info.stdout) as { modules: GraphModule[] };
  const problems: string[] = [];
  const files: string[] = [];
  for (const module of modules) {
    const { specifier } = module;
    if (module.error) problems.push(`${specifier}: ${module.error}`);
    for (const dependency of module.dependencies ?? []) {
      const error = dependency.code?.error ?? dependency.type?.error;
      if (error) problems.push(`${specifier}: ${error}`);
    }
    if (module.error) continue;
    if (specifier.startsWith("file://")) {
      const path = decodeURIComponent(new URL(specifier).pathname);
      files.push(path);
      if (!isAllowedFile(path)) problems.push(`${path} is imported but is not in the core`);
    } else if (specifier.startsWith("node:") || module.kind === "node") {
      problems.push(`${specifier} is a Node built-in`);
    } else if (module.kind === "npm" && module.npmPackage) {
      const name = packageName(module.npmPackage);
      if (!PORTABLE_NPM_PACKAGES.includes(name)) {
        problems.push(`npm package ${module.npmPackage} is not in the web-portable list`);
      }
    } else {
      problems.push(`${specifier} is neither a core file nor a web-portable npm package`);
    }
  }
  return { problems, files };
}
