/**
 * Flat events → one Parquet file as a byte stream.
 *
 * @module
 */

import { _checkParquetOptions, _ParquetFileWriter } from "./file_writer.ts";
import { _NdjsonLines } from "./ndjson_lines.ts";
import { NdjsonStream } from "../stream/ndjson_stream.ts";

/** Options of {@linkcode toParquet}. */
export interface ToParquetOptions {
  /**
   * How many events go into one row group. The writer holds one row group's values in memory,
   * so this bounds memory (about 60 MB for 10,000 events of 2.6 KB).
   *
   * @default {10000}
   */
  rowGroupSize?: number;
  /**
   * The file's columns, in this order: names of the flat form (atomic fields, `geo_location`,
   * `contexts_…`, `unstruct_event_…`). An event with a key that is not one of them fails the
   * stream with a `TypeError` naming the key. Without it the file has `geo_location`, every
   * atomic field, and one column for each shredded key found in any event of the file (in
   * name order).
   *
   * @default {undefined}
   */
  columns?: readonly string[];
  /**
   * The codec of every page: `"snappy"` (Parquet's usual default) or `"none"`.
   *
   * @default {"snappy"}
   */
  compression?: "snappy" | "none";
  /**
   * Called with an event that cannot be written (a key or value its column cannot hold) and
   * the `TypeError` or `RangeError` saying why; the event is then left out. Without it, such
   * an event fails the stream with that error.
   *
   * @default {undefined}
   */
  onInvalid?: (event: Record<string, unknown>, error: TypeError | RangeError) => void;
}

/**
 * A source of flat events for {@linkcode toParquet}: event objects, or an `NdjsonStream`
 * (its bytes are read straight into the columns).
 */
export type ParquetEventSource =
  | Iterable<Record<string, unknown>>
  | AsyncIterable<Record<string, unknown>>
  | NdjsonStream;

/**
 * Writes flat events (the output of `transform`, `EventStream` or `readRun`) as one Parquet
 * file, row group by row group: the stream yields the bytes of each row group as it is
 * complete, then the footer. Only one row group is held in memory.
 *
 * Columns are typed: timestamps `TIMESTAMP(MICROS, UTC)` (INT64), ints `INT32`, doubles
 * `DOUBLE`, booleans `BOOLEAN`, strings UTF-8 (`STRING`), and each shredded key a column of
 * JSON text (`JSON`). Missing and `null` values are nulls. See docs/parquet.md.
 *
 * Errors: a bad option throws at once (`RangeError` or `TypeError`); an event that cannot be
 * written errors the stream (or goes to `onInvalid`), and so does an error of the source.
 * Cancelling the stream ends the source's iteration.
 *
 * Given an `NdjsonStream` (enriched TSV → NDJSON bytes), its lines go into the columns
 * without building event objects: the file is byte for byte the one its events as objects
 * give, written faster (`ParquetStream` is faster still from TSV). `onInvalid` then gets the event
 * as `JSON.parse` of its line.
 *
 * @example Write two events and check the file's magic bytes
 * ```ts
 * import { toParquet } from "@snowplow/analytics-sdk/parquet";
 * import assert from "node:assert/strict";
 *
 * const events = [
 *   { app_id: "shop", collector_tstamp: "2024-05-01T10:00:00.123Z", br_viewwidth: 1024 },
 *   { app_id: "blog", contexts_com_acme_user_1: [{ id: 7 }] },
 * ];
 * const bytes = new Uint8Array(await new Response(toParquet(events)).arrayBuffer());
 * const magic = new TextDecoder().decode(bytes.subarray(0, 4));
 * assert.equal(magic, "PAR1");
 * assert.equal(new TextDecoder().decode(bytes.subarray(-4)), "PAR1");
 * ```
 *
 * @param events The events, in file order.
 * @param options Row group size, columns, compression, what to do with unwritable events.
 * @returns The bytes of the file.
 */
export function toParquet(
  events: ParquetEventSource,
  options: ToParquetOptions = {},
): ReadableStream<Uint8Array> {
  const { rowGroupSize, compression, columns } = _checkParquetOptions(options);
  const { onInvalid } = options;
  const writer = new _ParquetFileWriter({ rowGroupSize, codec: compression, columns });
  // An NdjsonStream's lines are the compact JSON its own writer wrote (valid JSON and UTF-8):
  // the fast path copies their strings and shredded JSON text into the columns as bytes.
  const fromNdjson = events instanceof NdjsonStream;
  const iterator = iteratorOf(events);
  let finished = false;
  const add = (event: Record<string, unknown>): void => {
    if (onInvalid === undefined) return writer.add(event);
    try {
      writer.add(event);
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
      onInvalid(event, error);
    }
  };
  const addLine = (bytes: Uint8Array, start: number, end: number): void => {
    if (onInvalid === undefined) return writer.addJson(bytes, start, end);
    try {
      writer.addJson(bytes, start, end);
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
      onInvalid(JSON.parse(new TextDecoder().decode(bytes.subarray(start, end))), error);
    }
  };
  const ndjson = new _NdjsonLines(addLine);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (!writer.full) {
          if (ndjson.next()) continue;
          const next = await iterator.next();
          if (next.done) {
            ndjson.end();
            if (!writer.full && ndjson.next()) continue;
            finished = true;
            for (const piece of writer.finish()) controller.enqueue(piece);
            controller.close();
            return;
          }
          if (fromNdjson) ndjson.push(next.value as Uint8Array);
          else add(next.value as Record<string, unknown>);
        }
        for (const piece of writer.addRowGroup()) controller.enqueue(piece);
      } catch (error) {
        if (!finished) await iterator.return?.();
        throw error;
      }
    },
    async cancel() {
      if (!finished) await iterator.return?.();
    },
  });
}

type EventIterator =
  | Iterator<Record<string, unknown> | Uint8Array>
  | AsyncIterator<Record<string, unknown> | Uint8Array>;

function iteratorOf(events: ParquetEventSource): EventIterator {
  if (events !== null && typeof events === "object") {
    if (Symbol.asyncIterator in events) return events[Symbol.asyncIterator]();
    if (Symbol.iterator in events) return events[Symbol.iterator]();
  }
  throw new TypeError("Invalid events: expected an Iterable or AsyncIterable of events");
}
