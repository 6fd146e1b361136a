/**
 * The Parquet writer against hyparquet-writer (the library the issue proposed), on the same
 * events already in memory, with the same schema (all 156 columns of the generated corpus),
 * 10,000 events per row group and Snappy: the comparison behind docs/parquet.md's choice.
 *
 * ```sh
 * deno bench -A bench/parquet_writers_bench.ts
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/parquet_writers_bench.ts
 * ```
 *
 * @module
 */

import { ByteWriter, ParquetWriter } from "npm:hyparquet-writer@0.17.0/src/index.js";
import { transform } from "../mod.ts";
import { toParquet } from "../src/parquet/mod.ts";
import { _ATOMIC_COLUMNS, type _ColumnKind } from "../src/parquet/columns.ts";
import { generateCorpus } from "../tests/support/generator.ts";
import { readLines } from "./corpus.ts";
import { median, timed, timings } from "./_timings.ts";

const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
const lines = given ? readLines(await Deno.readFile(given)) : generateCorpus(42, 20_000);
const events = lines.map((line) => transform(line));

const HYPARQUET_TYPES: Record<_ColumnKind | "json", Record<string, unknown>> = {
  string: { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } },
  json: { type: "BYTE_ARRAY", converted_type: "JSON", logical_type: { type: "JSON" } },
  int: { type: "INT32" },
  double: { type: "DOUBLE" },
  bool: { type: "BOOLEAN" },
  tstamp: {
    type: "INT64",
    converted_type: "TIMESTAMP_MICROS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
  },
};

/** The same file with hyparquet-writer: its ParquetWriter, one `write` per row group. */
function hyparquetWrite(events: Record<string, unknown>[]): number {
  const shredded = new Set<string>();
  for (const event of events) {
    for (const key in event) if (/^(contexts|unstruct_event)_/.test(key)) shredded.add(key);
  }
  const columns = [
    ..._ATOMIC_COLUMNS,
    ...[...shredded].sort().map((name) => ({ name, kind: "json" as const })),
  ];
  const schema = [
    { name: "root", num_children: columns.length },
    ...columns.map((c) => ({
      name: c.name,
      repetition_type: "OPTIONAL",
      ...HYPARQUET_TYPES[c.kind],
    })),
  ];
  let bytes = 0;
  // hyparquet-writer's own growable writer, emptied after each row group as a stream would be.
  const byteWriter = new ByteWriter() as ByteWriter & { flush(): void };
  byteWriter.flush = () => {
    bytes += byteWriter.index;
    byteWriter.index = 0;
  };
  byteWriter.finish = () => byteWriter.flush();
  const parquet = new ParquetWriter({ writer: byteWriter, schema } as never);
  for (let start = 0; start < events.length; start += 10_000) {
    const group = events.slice(start, start + 10_000);
    const columnData = columns.map(({ name, kind }) => ({
      name,
      data: group.map((event) => {
        const value = event[name];
        if (value === undefined || value === null) return null;
        if (kind === "tstamp") return hyparquetMicros(value as string);
        return value;
      }),
    }));
    parquet.write({ columnData, rowGroupSize: 10_000 } as never);
  }
  parquet.finish();
  return bytes;
}

/** Microseconds since the epoch as a bigint, as hyparquet-writer takes INT64 timestamps. */
function hyparquetMicros(iso: string): bigint {
  const fraction = /\.(\d+)Z$/.exec(iso)?.[1] ?? "";
  return BigInt(Date.parse(iso)) * 1000n + BigInt(Number(fraction.slice(3, 6).padEnd(3, "0")));
}

const OURS = "events in memory → toParquet (Snappy)";
const THEIRS = "events in memory → hyparquet-writer 0.17.0 ParquetWriter (Snappy)";
Deno.bench(timed(OURS, () => new Response(toParquet(events)).arrayBuffer(), { baseline: true }));
Deno.bench(timed(THEIRS, () => hyparquetWrite(events)));

globalThis.addEventListener("unload", () => {
  const report = [`${events.length} events`];
  for (const [name, list] of timings) {
    report.push(`${name}: ${Math.round(events.length / (median(list) / 1000))} events/s (median)`);
  }
  const ours = timings.get(OURS);
  const theirs = timings.get(THEIRS);
  if (ours && theirs) {
    report.push(
      `toParquet / hyparquet-writer speed, medians: ${(median(theirs) / median(ours)).toFixed(2)}`,
    );
  }
  console.error(report.join("\n"));
});
