/**
 * Throughput of the transformer on realistic enriched events held in memory: `transform`,
 * `parse`, `transformToJson` and the naive `JSON.stringify(transform(line))`, against a naive
 * split + `JSON.parse` build of the flat form (no validation: the floor for the object path) and
 * the existing JavaScript Analytics SDK's `transform` (npm `snowplow-analytics-sdk` 0.1.0) on the
 * same lines in the same run.
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS` (one enriched event per line, e.g. made by
 * `deno task gen-corpus --events 50000 --seed 42 --out /tmp/c.tsv`), or 20,000 lines generated
 * with seed 42 by `tests/support/generator.ts`.
 *
 * ```sh
 * deno bench -A bench/event_bench.ts
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/event_bench.ts
 * ```
 *
 * Each iteration handles the next batch of 1,000 lines (going round the corpus), so one run
 * times a few hundred batches. After the run, events/s is printed on stderr for the median
 * batch and for the fastest one: on a shared VM whose speed drifts from second to second the
 * median says what to expect, and the fastest batch what the code does when the machine is
 * not slowed by its neighbours.
 *
 * @module
 */

import { parse, transform, transformToJson } from "../mod.ts";
// The existing JavaScript Analytics SDK (npm, the only version published), for a comparison
// in the same run: a ratio holds when the VM's speed drifts, an absolute figure does not.
import jsSdk from "npm:snowplow-analytics-sdk@0.1.0";
import { naiveBuild, readLines } from "./corpus.ts";
import { generateCorpus } from "../tests/support/generator.ts";

const GENERATED_EVENTS = 20_000;

const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
const lines = given
  ? readLines(await Deno.readFile(given))
  : readLines(new TextEncoder().encode(generateCorpus(42, GENERATED_EVENTS).join("\n")));
const timings = new Map<string, number[]>();

const BATCH = 1000;

function timed(name: string, fn: (line: string) => unknown, baseline = false): void {
  let next = 0;
  Deno.bench({
    name: `${name} ×${BATCH}`,
    group: "transformer",
    baseline,
    n: 300,
    warmup: 30,
    fn(b) {
      const from = next;
      next = next + BATCH >= lines.length ? 0 : next + BATCH;
      b.start();
      const start = performance.now();
      for (let i = from; i < from + BATCH; i++) fn(lines[i % lines.length]);
      const elapsed = performance.now() - start;
      b.end();
      const list = timings.get(name) ?? [];
      list.push(elapsed);
      timings.set(name, list);
    },
  });
}

timed("transform(line)", (line) => transform(line), true);
timed("naive split + JSON.parse build", naiveBuild);
timed("parse(line)", (line) => parse(line));
timed("transformToJson(line)", (line) => transformToJson(line));
timed("JSON.stringify(transform(line))", (line) => JSON.stringify(transform(line)));
// It throws on lines it does not support (a vendor with "-", such as
// com.google.analytics.enhanced-ecommerce, which our own generator writes); those count as
// handled, and how many there are is printed.
const jsSdkTransform = (line: string) => {
  try {
    return jsSdk.transform(line);
  } catch {
    return undefined;
  }
};
const jsSdkRejects = lines.filter((line) => jsSdkTransform(line) === undefined).length;
timed("snowplow-analytics-sdk 0.1.0 transform", jsSdkTransform);

globalThis.addEventListener("unload", () => {
  const source = given ?? `${GENERATED_EVENTS} generated lines (seed 42)`;
  console.error(`\ncorpus: ${source}, ${lines.length} events, batches of ${BATCH}`);
  console.error(`snowplow-analytics-sdk 0.1.0 rejects ${jsSdkRejects} of these lines`);
  for (const [name, list] of timings) {
    const sorted = [...list].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const rate = (ms: number) => Math.round(BATCH / (ms / 1000)).toLocaleString("en");
    console.error(
      `${name.padEnd(34)} median ${((median * 1000) / BATCH).toFixed(2)} µs/event ` +
        `${rate(median)} events/s; fastest batch ${rate(sorted[0])} events/s ` +
        `(${sorted.length} batches)`,
    );
  }
});
