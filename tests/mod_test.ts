/**
 * The root module is the user's API (docs: README "What it does"): the names earlier releases
 * promised from the root stay there, it does not grow past today's 93 names, its documentation
 * opens with `transform`, and everything in it is also in an area's subpath, where the names it
 * leaves out remain.
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT, runDeno } from "./support/runtime.ts";

const SUBPATHS = ["event", "stream", "s3", "manifest", "job", "aws"];

interface DocModule {
  module_doc?: { doc?: string };
  symbols: { name: string }[];
}

/** `deno doc --json` of the root module and the subpath modules, by path from the root. */
async function docs(): Promise<Map<string, DocModule>> {
  const files = ["mod.ts", ...SUBPATHS.map((area) => `src/${area}/mod.ts`)];
  const result = await runDeno(["doc", "--json", ...files]);
  assert.equal(result.code, 0, result.stderr);
  const { nodes } = JSON.parse(result.stdout) as { nodes: Record<string, DocModule> };
  const byPath = new Map<string, DocModule>();
  for (const [url, module] of Object.entries(nodes)) {
    byPath.set(decodeURIComponent(new URL(url).pathname).slice(PROJECT_ROOT.length), module);
  }
  return byPath;
}

/** Names the 0.1 API promised from the root module (the transformer and the S3 manifest). */
const PROMISED = [
  "transform",
  "TransformError",
  "parse",
  "toTsv",
  "flatten",
  "ENRICHED_EVENT_FIELDS",
  "getValue",
  "pick",
  "getContextValues",
  "getUnstructValue",
  "schemaInventory",
  "parseS3Uri",
  "listRunIds",
  "RunManifests",
  "awsOptionsFromEnv",
  "AwsError",
  "S3Error",
  "DynamoDBError",
  "NdjsonStream",
  "EventStream",
  "readRun",
  "processRuns",
];

Deno.test("mod.ts keeps its promised names, at most 93, each also exported by a subpath", async () => {
  const modules = await docs();
  const root = modules.get("mod.ts")!.symbols.map((symbol) => symbol.name);
  assert.ok(root.length <= 93, `${root.length} names in the root module`);
  assert.ok(root.length >= 60, `${root.length} names: the root module lost its API`);
  const inSubpaths = new Set(
    SUBPATHS.flatMap((area) => modules.get(`src/${area}/mod.ts`)!.symbols.map((s) => s.name)),
  );
  assert.deepEqual(root.filter((name) => !inSubpaths.has(name)), []);
  assert.deepEqual(PROMISED.filter((name) => !root.includes(name)), []);
  // Deprecated in 0.2: only `NdjsonEncodeStream` stays in the root (CHANGELOG.md).
  for (const name of ["RunRecord", "RunRecords", "UnitRecords", "RunResult"]) {
    assert.ok(!root.includes(name), name);
  }
  assert.ok(root.includes("NdjsonEncodeStream"));
});

Deno.test("mod.ts documentation opens with transform", async () => {
  const doc = (await docs()).get("mod.ts")!.module_doc?.doc ?? "";
  const firstSentenceAfterTitle = doc.split(". ")[1];
  assert.match(
    firstSentenceAfterTitle,
    /^\{@linkcode transform\} turns one Snowplow enriched event/,
  );
});
