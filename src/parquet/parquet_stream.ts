/**
 * Enriched TSV bytes → one Parquet file, the fields read straight into the columns.
 *
 * @module
 */

import { LineFields } from "../event/_line_fields.ts";
import { transform } from "../event/transform.ts";
import type { BadRow } from "../stream/bad_row.ts";
import {
  badRowOf,
  type EventStreamOptions,
  tooLongBadRow,
  transformOptionsOf,
} from "../stream/event_stream.ts";
import type { LineHandler } from "../stream/line_splitter.ts";
import { DEFAULT_MAX_LINE_BYTES, LineSource } from "../stream/line_source.ts";
import { _emptyStreamStats, type StreamStats } from "../stream/stream_stats.ts";
import { _checkParquetOptions, _ParquetFileWriter } from "./file_writer.ts";
import type { ToParquetOptions } from "./to_parquet.ts";

/** Options of {@linkcode ParquetStream}: how the input is read, and how the file is written. */
export interface ParquetStreamOptions
  extends EventStreamOptions, Omit<ToParquetOptions, "onInvalid"> {
  /**
   * Called with each line that is not an event (as `EventStream` reports it). A promise it
   * returns is awaited before more input is read. Without it, bad rows are only counted.
   *
   * @default {undefined}
   */
  onBadRow?: (row: BadRow) => void | Promise<void>;
  /**
   * Called with an event that the file cannot hold, the `TypeError` or `RangeError` saying why,
   * and the event's input line; the event is left out. Without it, such an event fails the
   * stream.
   *
   * @default {undefined}
   */
  onInvalid?: (
    event: Record<string, unknown>,
    error: TypeError | RangeError,
    line: number,
  ) => void;
}

/** The input of a {@linkcode ParquetStream}: one byte stream, or several read one after another. */
export type ParquetStreamSource =
  | ReadableStream<Uint8Array>
  | Iterable<ReadableStream<Uint8Array>>
  | AsyncIterable<ReadableStream<Uint8Array>>;

/**
 * Enriched TSV (plain or gzip, as {@linkcode EventStream} reads it) to the bytes of one Parquet
 * file, the file `toParquet` writes for the same events, byte for byte. Each line's fields are
 * validated on their bytes and go straight into the columns, without building an event object
 * or writing JSON; the rare lines the byte readers do not vouch for take the general path
 * (`transform`, then the object writer), which also makes the bad rows. The fastest way to
 * Parquet; the command line takes it.
 *
 * Several inputs (an iterable of byte streams) make one file, read in order. Bad rows go to
 * `onBadRow`; events the file cannot hold to `onInvalid` (with their line number) or fail the
 * stream. A failed input errors the stream with a `StreamReadError`.
 *
 * @example Enriched TSV to a Parquet file
 * ```ts
 * import { ParquetStream } from "@snowplow/analytics-sdk/parquet";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[3] = "2024-05-01 10:00:00.123"; // collector_tstamp
 * const tsv = `${fields.join("\t")}\nnot an event\n`;
 *
 * const badRows: number[] = [];
 * const parquet = new ParquetStream(new Blob([tsv]).stream(), {
 *   onBadRow: (row) => void badRows.push(row.line),
 * });
 * const bytes = new Uint8Array(await new Response(parquet).arrayBuffer());
 * assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "PAR1");
 * assert.deepEqual(badRows, [2]);
 * assert.equal(parquet.stats.events, 1);
 * ```
 */
export class ParquetStream extends ReadableStream<Uint8Array> {
  readonly #stats: () => StreamStats;

  /**
   * Starts reading lazily, as the file's bytes are pulled.
   *
   * @param source The enriched TSV bytes: one stream, or several for one file.
   * @param options How the input is read and the file written; where bad rows go.
   */
  constructor(source: ParquetStreamSource, options: ParquetStreamOptions = {}) {
    const { rowGroupSize, compression, columns } = _checkParquetOptions(options);
    const writer = new _ParquetFileWriter({ rowGroupSize, codec: compression, columns });
    const inputs = inputsOf(source);
    const transformOptions = transformOptionsOf(options);
    const geo = options.geoLocation ?? true;
    // With `schemaVersion`, every line takes the general path (the byte reader leaves it out).
    const fast = !(options.schemaVersion ?? false);
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const { onBadRow, onInvalid } = options;
    const fields = new LineFields();
    const pieces: Uint8Array[] = [];
    const waiting: Promise<void>[] = [];
    let stats: StreamStats = EMPTY_STATS;
    let lines: LineSource | undefined;
    const added = () => {
      stats.events++;
      if (writer.full) pieces.push(...writer.addRowGroup());
    };
    const badRow = (row: BadRow) => {
      stats.badRows++;
      const result = onBadRow?.(row);
      if (result instanceof Promise) waiting.push(result);
    };
    const handler: LineHandler = {
      bytes(bytes, start, end) {
        if (!fast || !fields.read(bytes, start, end) || !writer.addFields(fields, geo)) {
          return false;
        }
        added();
        return true;
      },
      line(raw, line) {
        let event: Record<string, unknown>;
        try {
          event = transform(raw, transformOptions);
        } catch (error) {
          return badRow(badRowOf(error, line, raw));
        }
        try {
          writer.add(event);
        } catch (error) {
          if (!(error instanceof TypeError || error instanceof RangeError) || !onInvalid) {
            throw error;
          }
          return onInvalid(event, error, line);
        }
        added();
      },
      tooLong(prefix, bytes, line) {
        badRow(tooLongBadRow(prefix, bytes, line, maxLineBytes));
      },
    };
    let finished = false;
    const stop = async (reason: unknown) => {
      finished = true;
      await lines?.cancel(reason).catch(() => {});
      await inputs.return?.();
    };
    super({
      pull: async (controller) => {
        try {
          while (pieces.length === 0) {
            if (lines === undefined) {
              const next = await inputs.next();
              if (next.done) {
                finished = true;
                for (const piece of writer.finish()) controller.enqueue(piece);
                controller.close();
                return;
              }
              lines = new LineSource(next.value, options);
              stats = lines.stats;
            }
            if (!await lines.next(handler)) lines = undefined;
            if (waiting.length > 0) await Promise.all(waiting.splice(0));
          }
          for (const piece of pieces.splice(0)) controller.enqueue(piece);
        } catch (error) {
          if (!finished) await stop(error);
          throw error;
        }
      },
      cancel: async (reason) => {
        if (!finished) await stop(reason);
      },
    });
    this.#stats = () => stats;
  }

  /**
   * The counters of the input being read (or the last one read), as `EventStream` keeps them;
   * `events` counts the events written to the file. Each input has its own.
   */
  get stats(): StreamStats {
    return this.#stats();
  }
}

const EMPTY_STATS: StreamStats = Object.freeze(_emptyStreamStats());

type Inputs =
  | Iterator<ReadableStream<Uint8Array>>
  | AsyncIterator<ReadableStream<Uint8Array>>;

function inputsOf(source: ParquetStreamSource): Inputs {
  if (source instanceof ReadableStream) return [source][Symbol.iterator]();
  if (source !== null && typeof source === "object") {
    if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
    if (Symbol.iterator in source) return source[Symbol.iterator]();
  }
  throw new TypeError("Invalid source: expected a ReadableStream or an iterable of them");
}
