/**
 * Same-run ratios that hold on a busy machine: each iteration times every candidate once, one
 * after the other, on the same input, and the ratio is taken within the iteration, so a slowdown
 * of the machine hits both sides of it. After the run, the median ratio over the iterations is
 * printed on stderr for the two speed targets of the transformer:
 *
 * - the object path (`transform`) against a naive `split` + `JSON.parse` build of the flat form
 *   (`naiveBuild`, no validation), and `transformToJson` against `JSON.stringify(transform())`,
 *   on batches of 1,000 lines;
 * - file → NDJSON (`NdjsonStream`) against `JSON.stringify(transform(line))` + encode of the
 *   same lines already in memory.
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS`, or 20,000 lines generated with seed 42 by
 * `tests/support/generator.ts`.
 *
 * ```sh
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/paired_bench.ts
 * ```
 *
 * @module
 */

import { NdjsonStream, transform, transformToJson } from "../mod.ts";
import { writeCorpus } from "../tests/support/generator.ts";
import { naiveBuild, readLines } from "./corpus.ts";

async function corpusPath(): Promise<string> {
  const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
  if (given) return given;
  const path = await Deno.makeTempFile({ prefix: "paired_bench_", suffix: ".tsv" });
  await writeCorpus(path, 42, 20_000);
  globalThis.addEventListener("unload", () => Deno.removeSync(path));
  return path;
}

const path = await corpusPath();
const lines = readLines(await Deno.readFile(path));
const BATCH = 1000;
const ratios = new Map<string, number[]>();
/** Calls of each benchmark so far: those of its warm-up are not recorded. */
const calls = new Map<string, number>();

/** Milliseconds `fn` takes on lines `[from, from + BATCH)`. */
function time(fn: (line: string) => unknown, from: number): number {
  const start = performance.now();
  for (let i = from; i < from + BATCH; i++) fn(lines[i % lines.length]);
  return performance.now() - start;
}

function record(name: string, ratio: number, warmup: number): void {
  const count = (calls.get(name) ?? 0) + 1;
  calls.set(name, count);
  if (count <= warmup) return;
  const list = ratios.get(name) ?? [];
  list.push(ratio);
  ratios.set(name, list);
}

let next = 0;
Deno.bench({
  name: `transform, naive build, transformToJson, JSON.stringify(transform) ×${BATCH} each`,
  n: 200,
  warmup: 20,
  fn() {
    const from = next;
    next = (next + BATCH) % lines.length;
    const transformMs = time((line) => transform(line), from);
    const naiveMs = time(naiveBuild, from);
    const toJsonMs = time((line) => transformToJson(line), from);
    const stringifyMs = time((line) => JSON.stringify(transform(line)), from);
    record("transform ÷ naive split + JSON.parse build (speed)", naiveMs / transformMs, 20);
    record("transformToJson ÷ JSON.stringify(transform()) (speed)", stringifyMs / toJsonMs, 20);
  },
});

Deno.bench({
  name: "file → NdjsonStream, then JSON.stringify(transform()) + encode of the lines in memory",
  n: 7,
  warmup: 1,
  async fn() {
    let start = performance.now();
    using file = await Deno.open(path);
    const ndjson = new NdjsonStream(file.readable);
    ndjson.badRows.cancel();
    for await (const _ of ndjson);
    const fileMs = performance.now() - start;
    const encoder = new TextEncoder();
    start = performance.now();
    for (const line of lines) encoder.encode(JSON.stringify(transform(line)) + "\n");
    const naiveMs = performance.now() - start;
    record(
      "file → NDJSON ÷ naive JSON.stringify(transform()) in memory (speed)",
      naiveMs / fileMs,
      1,
    );
  },
});

globalThis.addEventListener("unload", () => {
  const report = [`corpus: ${path} (${lines.length} events)`];
  for (const [name, list] of ratios) {
    const sorted = [...list].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    report.push(
      `${name}: median ${median.toFixed(2)}× (lowest ${sorted[0].toFixed(2)}, highest ` +
        `${sorted[sorted.length - 1].toFixed(2)}; ${list.length} paired iterations)`,
    );
  }
  console.error(report.join("\n"));
});
