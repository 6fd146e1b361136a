/**
 * gzip TSV → Parquet against gzip TSV → NDJSON, read as the command line reads (1 MiB chunks,
 * `node:zlib`), in the same run. The issue's target: Parquet at least half as fast as NDJSON.
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS` (one enriched event per line), or 20,000
 * lines generated with seed 42 by `tests/support/generator.ts`; it is gzipped first.
 *
 * ```sh
 * deno bench -A bench/parquet_bench.ts
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/parquet_bench.ts
 * ```
 *
 * `bench/parquet_writers_bench.ts` compares the writer with hyparquet-writer on events in memory
 * (in its own process: 20,000 event objects held in memory slow every garbage collection).
 *
 * Rows: gzip TSV → NDJSON (`NdjsonStream`, the baseline), gzip TSV → `ParquetStream` (the TSV
 * fields straight into the columns: the command line's path, the headline), gzip TSV →
 * `NdjsonStream` → `toParquet`, and gzip TSV → `EventStream` → `toParquet` (event objects), with
 * and without Snappy.
 *
 * The NDJSON conversion is the baseline, so the summary's ratio is the one the target is about.
 * A last bench pairs the two sides of the target in each iteration (NDJSON and `ParquetStream`
 * one after the other, the order alternating) and prints the median of the iterations' ratios:
 * the figure that holds when other jobs share the machine (as `bench/paired_bench.ts` does).
 * Each row is timed 12 times (2 warm-up iterations, counted too). After the run the benchmark
 * prints events/s of the median and the fastest iteration of each,
 * and the ratio of the medians, on stderr.
 *
 * Peak memory is measured by `bench/parquet_memory.ts` (a separate process per run).
 *
 * @module
 */

import { EventStream, NdjsonStream } from "../mod.ts";
import { fileSource } from "../src/cli/file_source.ts";
import { nativeGunzip } from "../src/cli/native_gunzip.ts";
import { ParquetStream, toParquet } from "../src/parquet/mod.ts";
import { writeCorpus } from "../tests/support/generator.ts";
import { median, timed, timings } from "./_timings.ts";

const GENERATED_EVENTS = 20_000;

async function corpusPath(): Promise<string> {
  const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
  if (given) return given;
  const path = await Deno.makeTempFile({ prefix: "parquet_bench_", suffix: ".tsv" });
  await writeCorpus(path, 42, GENERATED_EVENTS);
  globalThis.addEventListener("unload", () => Deno.removeSync(path));
  return path;
}

const path = await corpusPath();
const gzPath = `${path}.parquet-bench.gz`;
{
  const file = await Deno.open(path);
  const out = await Deno.open(gzPath, { write: true, create: true, truncate: true });
  await file.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(out.writable);
  globalThis.addEventListener("unload", () => Deno.removeSync(gzPath));
}
let events = 0;
for await (const result of new EventStream(fileSource(await Deno.open(path)))) {
  if (result.event) events++;
}

/** Reads a byte stream to its end with a BYOB reader into one reused buffer; returns bytes. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return bytes;
}

async function gzipToNdjson(): Promise<number> {
  const ndjson = new NdjsonStream(fileSource(await Deno.open(gzPath)), { gunzip: nativeGunzip });
  ndjson.badRows.cancel();
  const bytes = await drain(ndjson);
  if (ndjson.stats.events !== events) throw new Error(`${ndjson.stats.events} != ${events}`);
  return bytes;
}

async function* eventsOf(stream: EventStream): AsyncGenerator<Record<string, unknown>> {
  for await (const result of stream) if (result.event) yield result.event;
}

async function gzipToParquet(compression: "snappy" | "none"): Promise<number> {
  const stream = new EventStream(fileSource(await Deno.open(gzPath)), { gunzip: nativeGunzip });
  const bytes = await drain(toParquet(eventsOf(stream), { compression }));
  if (stream.stats.events !== events) throw new Error(`${stream.stats.events} != ${events}`);
  return bytes;
}

/** The path the command line takes: the TSV fields straight into the columns. */
async function gzipToParquetStream(): Promise<number> {
  const parquet = new ParquetStream(fileSource(await Deno.open(gzPath)), { gunzip: nativeGunzip });
  const bytes = await drain(parquet);
  if (parquet.stats.events !== events) throw new Error(`${parquet.stats.events} != ${events}`);
  return bytes;
}

/** The NDJSON bytes of `NdjsonStream` into `toParquet`. */
async function gzipToParquetViaNdjson(): Promise<number> {
  const ndjson = new NdjsonStream(fileSource(await Deno.open(gzPath)), { gunzip: nativeGunzip });
  ndjson.badRows.cancel();
  const bytes = await drain(toParquet(ndjson));
  if (ndjson.stats.events !== events) throw new Error(`${ndjson.stats.events} != ${events}`);
  return bytes;
}

const NDJSON = "file.gz → NdjsonStream → NDJSON (as the CLI)";
const PARQUET = "file.gz → ParquetStream, Snappy (as the CLI)";
const VIA_NDJSON = "file.gz → NdjsonStream → toParquet, Snappy";
const OBJECTS = "file.gz → EventStream → toParquet (event objects), Snappy";
// Twelve timed iterations each (two of them warm-up): the first iterations of a path compile
// its code and are much slower, and with seven the median could land on one of them.
const GROUP = { group: "gzip TSV to", n: 10, warmup: 2 };
Deno.bench(timed(NDJSON, gzipToNdjson, { ...GROUP, baseline: true }));
Deno.bench(timed(PARQUET, gzipToParquetStream, GROUP));
Deno.bench(timed(VIA_NDJSON, gzipToParquetViaNdjson, GROUP));
Deno.bench(timed(OBJECTS, () => gzipToParquet("snappy"), GROUP));
Deno.bench(
  timed("file.gz → EventStream → toParquet, uncompressed", () => gzipToParquet("none"), GROUP),
);

/**
 * Both sides of the target in one iteration, one after the other (the order alternating), so a
 * change of the machine's load hits both: the ratio of each iteration is kept.
 */
const pairedRatios: number[] = [];
async function pairedIteration(): Promise<void> {
  const first = pairedRatios.length % 2 === 0;
  const times: number[] = [];
  for (
    const run of first ? [gzipToNdjson, gzipToParquetStream] : [gzipToParquetStream, gzipToNdjson]
  ) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  const [ndjson, parquet] = first ? times : [times[1], times[0]];
  pairedRatios.push(ndjson / parquet);
}
Deno.bench({
  name: "paired: NDJSON and ParquetStream in each iteration",
  group: "paired",
  n: 12,
  warmup: 2,
  fn: pairedIteration,
});

globalThis.addEventListener("unload", () => {
  const report = [`corpus: ${path} (${events} events)`];
  for (const [name, list] of timings) {
    const wall = Math.round(events / (median(list) / 1000));
    const fastest = Math.round(events / (Math.min(...list) / 1000));
    report.push(`${name}: ${wall} events/s (median of ${list.length}; fastest ${fastest})`);
  }
  const ndjson = timings.get(NDJSON);
  const parquet = timings.get(PARQUET);
  if (ndjson && parquet) {
    const ratio = median(ndjson) / median(parquet);
    report.push(`Parquet (Snappy) speed / NDJSON speed, medians: ${ratio.toFixed(2)}`);
  }
  if (pairedRatios.length > 0) {
    const sorted = [...pairedRatios].sort((a, b) => a - b);
    report.push(
      `Parquet speed / NDJSON speed, paired in each iteration: median ${
        median(pairedRatios).toFixed(2)
      } (lowest ${sorted[0].toFixed(2)}, highest ${
        sorted.at(-1)!.toFixed(2)
      }; ${sorted.length} iterations)`,
    );
  }
  console.error(report.join("\n"));
});
