/**
 * Throughput of the stream layer: enriched TSV file → NDJSON, plain and gzip, against the
 * bare per-line conversion on lines already in memory (the ceiling the stream layer adds to).
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS` (one enriched event per line), or 20,000
 * lines generated with seed 42 by `tests/support/generator.ts`.
 *
 * ```sh
 * deno bench -A bench/stream_bench.ts
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/stream_bench.ts
 * ```
 *
 * The baseline is the naive conversion (`JSON.stringify(transform(line))`, encoded) on lines
 * already in memory, so the summary's "faster than" ratios compare with it in the same run.
 *
 * events/s = events in the corpus ÷ the time per iteration printed by `deno bench`; the
 * benchmark also prints it on stderr after the run for the median iteration, with events per
 * CPU second of the process (it counts all threads, GC included) and the fastest iteration.
 *
 * @module
 */

import process from "node:process";
import { EventStream, NdjsonStream } from "../mod.ts";
import { fileSource } from "../src/cli/file_source.ts";
import { nativeGunzip } from "../src/cli/native_gunzip.ts";
import { transform, transformToJson } from "../src/event/mod.ts";
import { writeCorpus } from "../tests/support/generator.ts";
import { readLines } from "./corpus.ts";

const GENERATED_EVENTS = 20_000;

async function corpusPath(): Promise<string> {
  const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
  if (given) return given;
  const path = await Deno.makeTempFile({ prefix: "stream_bench_", suffix: ".tsv" });
  await writeCorpus(path, 42, GENERATED_EVENTS);
  globalThis.addEventListener("unload", () => Deno.removeSync(path));
  return path;
}

const path = await corpusPath();
const gzPath = `${path}.bench.gz`;
{
  const file = await Deno.open(path);
  const out = await Deno.open(gzPath, { write: true, create: true, truncate: true });
  await file.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(out.writable);
  globalThis.addEventListener("unload", () => Deno.removeSync(gzPath));
}
const lines = readLines(await Deno.readFile(path));
const events = lines.length;
const megabytes = (await Deno.stat(path)).size / 1e6;
const timings = new Map<string, [wall: number, cpu: number][]>();

/**
 * `cli`: read as the command line does (1 MiB chunks read ahead, node:zlib for gzip, the
 * NDJSON read with a BYOB reader into one reused 1 MiB buffer); otherwise `FsFile.readable`
 * and a default reader (`for await`).
 */
async function fileToNdjson(file: string, cli = false): Promise<number> {
  const handle = await Deno.open(file);
  const ndjson = cli
    ? new NdjsonStream(fileSource(handle), { gunzip: nativeGunzip })
    : new NdjsonStream(handle.readable);
  ndjson.badRows.cancel();
  let bytes = 0;
  if (cli) {
    const reader = ndjson.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(1 << 20);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      bytes += value.length;
      buffer = value.buffer;
    }
  } else {
    for await (const chunk of ndjson) bytes += chunk.length;
  }
  if (ndjson.stats.events !== events) throw new Error(`${ndjson.stats.events} != ${events}`);
  return bytes;
}

/** Milliseconds of CPU time this process has used (all its threads). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function timed(name: string, fn: () => Promise<unknown> | unknown): Deno.BenchDefinition {
  return {
    name,
    group: "file to NDJSON",
    n: 7,
    warmup: 1,
    async fn() {
      const start = performance.now();
      const cpuStart = cpuMs();
      await fn();
      const list = timings.get(name) ?? [];
      list.push([performance.now() - start, cpuMs() - cpuStart]);
      timings.set(name, list);
    },
  };
}

Deno.bench({
  ...timed("naive JSON.stringify(transform(line)) + encode, lines in memory (no I/O)", () => {
    const encoder = new TextEncoder();
    let n = 0;
    for (const line of lines) n += encoder.encode(JSON.stringify(transform(line)) + "\n").length;
    return n;
  }),
  baseline: true,
});
Deno.bench(timed("bare transformToJson on lines in memory (no I/O)", () => {
  let n = 0;
  for (const line of lines) n += transformToJson(line).length;
  return n;
}));
Deno.bench(timed("file → NdjsonStream → NDJSON bytes", () => fileToNdjson(path)));
Deno.bench(timed("file, read as the CLI does (1 MiB chunks, BYOB) → NdjsonStream", () => {
  return fileToNdjson(path, true);
}));
Deno.bench(timed("file.gz → NdjsonStream (built-in gunzip: DecompressionStream per member)", () => {
  return fileToNdjson(gzPath);
}));
Deno.bench(timed("file.gz, read as the CLI does (node:zlib) → NdjsonStream", () => {
  return fileToNdjson(gzPath, true);
}));
Deno.bench(timed("file → EventStream → objects", async () => {
  const handle = await Deno.open(path);
  let n = 0;
  for await (const result of new EventStream(handle.readable)) if (result.event) n++;
  return n;
}));

globalThis.addEventListener("unload", () => {
  const report = [`corpus: ${path} (${events} events, ${megabytes.toFixed(1)} MB)`];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  for (const [name, list] of timings) {
    const wall = Math.round(events / (median(list.map(([w]) => w)) / 1000));
    const cpu = Math.round(events / (median(list.map(([, c]) => c)) / 1000));
    const fastest = Math.round(events / (Math.min(...list.map(([w]) => w)) / 1000));
    report.push(
      `${name}: ${wall} events/s (per CPU second: ${cpu}; median of ${list.length}; ` +
        `fastest ${fastest})`,
    );
  }
  console.error(report.join("\n"));
});
