/**
 * What a module loads: its static import graph.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runDeno } from "./runtime.ts";

interface InfoDependency {
  isDynamic?: boolean;
  code?: { specifier?: string };
}
interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/**
 * The modules `root` loads before it runs (its static imports, followed through; not what it
 * imports dynamically or for types only), by `deno info --json`: specifiers such as
 * `file:///…/src/cli/main.ts`.
 */
export async function staticGraph(root: string): Promise<string[]> {
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
      // (`type` holds a type-only import: nothing is loaded for it.)
      if (dependency.code?.specifier !== undefined) todo.push(dependency.code.specifier);
    }
  }
  return [...seen];
}
