/**
 * The NDJSON fast path on bytes against the string paths, on the same corpus lines:
 *
 * - `writeEventJson`: UTF-8 line bytes → NDJSON bytes (no decoding, no encoding);
 * - `transformToJson` + `TextEncoder`: decode each line, JSON text, encode;
 * - `JSON.stringify(transform())` + `TextEncoder`: the naive path.
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS` (one enriched event per line), or 5,000 lines
 * generated with seed 42 by `tests/support/generator.ts`.
 *
 * ```sh
 * deno task gen-corpus --events 50000 --seed 42 --out /tmp/c.tsv   # the realistic corpus
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/transform_bytes_bench.ts
 * ```
 *
 * Each iteration converts every line of the corpus (at most 10,000; the bytes are split into
 * lines once, before timing). After the run, µs/event and events/s are printed on stderr, from
 * the median wall-clock time and the median process CPU time (user + system, all threads, so
 * garbage collection counts) of the iterations: on a busy machine the CPU figure is the
 * steadier one.
 *
 * @module
 */

import process from "node:process";
import { ByteSink, transform, transformToJson, writeEventJson } from "../src/event/mod.ts";
import { generateCorpus } from "../tests/support/generator.ts";

const MAX_EVENTS = 10_000;

/** The corpus, or as much of its start as holds MAX_EVENTS lines. */
async function corpusBytes(): Promise<Uint8Array> {
  const path = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
  if (!path) return new TextEncoder().encode(generateCorpus(42, 5_000).join("\n") + "\n");
  using file = await Deno.open(path);
  const chunks: Uint8Array[] = [];
  let size = 0;
  let lines = 0;
  for (;;) {
    const chunk = new Uint8Array(1 << 20);
    const read = await file.read(chunk);
    if (read === null) break;
    chunks.push(chunk.subarray(0, read));
    size += read;
    for (let p = chunk.indexOf(10); p !== -1 && p < read; p = chunk.indexOf(10, p + 1)) lines++;
    if (lines > MAX_EVENTS) break;
  }
  const all = new Uint8Array(size);
  for (let at = 0, k = 0; k < chunks.length; at += chunks[k++].length) all.set(chunks[k], at);
  return all;
}

const bytes = await corpusBytes();
// Line boundaries, without the line feed; at most MAX_EVENTS lines.
const starts: number[] = [];
const ends: number[] = [];
for (let p = 0; p < bytes.length && starts.length < MAX_EVENTS;) {
  let nl = bytes.indexOf(10, p);
  if (nl === -1) nl = bytes.length;
  if (nl > p) {
    starts.push(p);
    ends.push(nl);
  }
  p = nl + 1;
}
const events = starts.length;
const corpusSize = ends[events - 1] - starts[0];
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const sink = new ByteSink(1 << 20);
const out = new Uint8Array(1 << 20);
let fallbacks = 0;
/** Wall-clock and CPU (user + system, all threads) milliseconds of each iteration. */
const timings = new Map<string, { wall: number[]; cpu: number[] }>();

function bytesPath(): number {
  let total = 0;
  for (let i = 0; i < events; i++) {
    if (!writeEventJson(bytes, starts[i], ends[i], sink)) {
      fallbacks++;
      const line = decoder.decode(bytes.subarray(starts[i], ends[i]));
      sink.write(encoder.encode(JSON.stringify(transform(line)) + "\n"));
    }
    if (sink.length > 1 << 19) {
      total += sink.length;
      sink.reset();
    }
  }
  total += sink.length;
  sink.reset();
  return total;
}

function stringPath(toJson: (line: string) => string): number {
  let total = 0;
  for (let i = 0; i < events; i++) {
    const line = decoder.decode(bytes.subarray(starts[i], ends[i]));
    total += encoder.encodeInto(toJson(line) + "\n", out).written;
  }
  return total;
}

// The same lines as a file, for the end-to-end case.
const slicePath = await Deno.makeTempFile({ prefix: "transform_bytes_bench_", suffix: ".tsv" });
await Deno.writeFile(slicePath, bytes.subarray(starts[0], ends[events - 1] + 1));
globalThis.addEventListener("unload", () => Deno.removeSync(slicePath));

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) done += await file.write(data.subarray(done));
}

/** File → NDJSON file: 1 MiB reads, line splitting, writeEventJson, 512 KiB writes. */
async function fileToNdjson(): Promise<number> {
  using input = await Deno.open(slicePath);
  using output = await Deno.open("/dev/null", { write: true });
  const out = new ByteSink(1 << 20);
  let buffer = new Uint8Array(2 << 20);
  let filled = 0;
  let total = 0;
  let lines = 0;
  for (;;) {
    if (filled === buffer.length) { // a line longer than the buffer
      const grown = new Uint8Array(buffer.length * 2);
      grown.set(buffer);
      buffer = grown;
    }
    const read = await input.read(
      buffer.subarray(filled, Math.min(buffer.length, filled + (1 << 20))),
    );
    const eof = read === null;
    if (!eof) filled += read;
    let p = 0;
    for (;;) {
      let nl = buffer.subarray(0, filled).indexOf(10, p);
      if (nl === -1) {
        if (!eof || p === filled) break;
        nl = filled;
      }
      if (nl > p) {
        lines++;
        if (!writeEventJson(buffer, p, nl, out)) {
          fallbacks++;
          const line = decoder.decode(buffer.subarray(p, nl));
          out.write(encoder.encode(JSON.stringify(transform(line)) + "\n"));
        }
      }
      p = nl + 1;
      if (out.length >= 1 << 19) {
        total += out.length;
        await writeAll(output, out.view());
        out.reset();
      }
    }
    buffer.copyWithin(0, p, filled);
    filled -= Math.min(p, filled);
    if (eof) break;
  }
  total += out.length;
  await writeAll(output, out.view());
  if (lines !== events) throw new Error(`${lines} lines, expected ${events}`);
  return total;
}

function timed(
  name: string,
  fn: () => number | Promise<number>,
  baseline = false,
): Deno.BenchDefinition {
  return {
    name,
    group: "line bytes to NDJSON bytes",
    baseline,
    fn: async () => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (await fn() === 0) throw new Error("no output");
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const runs = timings.get(name) ?? { wall: [], cpu: [] };
      runs.wall.push(wall);
      runs.cpu.push((cpu.user + cpu.system) / 1000);
      timings.set(name, runs);
    },
  };
}

Deno.bench(timed("writeEventJson (bytes)", bytesPath, true));
Deno.bench(timed("file → NDJSON file with writeEventJson (I/O included)", fileToNdjson));
Deno.bench(timed("transformToJson + TextEncoder", () => stringPath((l) => transformToJson(l))));
Deno.bench(
  timed(
    "JSON.stringify(transform()) + TextEncoder",
    () => stringPath((l) => JSON.stringify(transform(l))),
  ),
);

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

globalThis.addEventListener("unload", () => {
  const report = [`${events} events (${(corpusSize / events).toFixed(0)} bytes/line)`];
  const perEvent = (ms: number) => `${(ms * 1000 / events).toFixed(2)} µs/event`;
  const rate = (ms: number) => `${Math.round(events / (ms / 1000)).toLocaleString("en")} events/s`;
  for (const [name, runs] of timings) {
    const wall = median(runs.wall);
    const cpu = median(runs.cpu);
    report.push(
      `${name}: wall ${perEvent(wall)} (${rate(wall)}), CPU ${perEvent(cpu)} (${rate(cpu)}), ` +
        `best wall ${perEvent(Math.min(...runs.wall))}; medians of ${runs.wall.length} runs`,
    );
  }
  report.push(`fallbacks to the general path in writeEventJson runs: ${fallbacks}`);
  console.error(report.join("\n"));
});
