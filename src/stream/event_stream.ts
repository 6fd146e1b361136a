/**
 * Enriched events from a byte stream, one result per line.
 *
 * @module
 */

import { type FlatEvent, transform, TransformError, type TransformOptions } from "../event/mod.ts";
import type { BadRow } from "./bad_row.ts";
import type { LineHandler } from "./line_splitter.ts";
import { DEFAULT_MAX_LINE_BYTES, type GunzipPair, LineSource } from "./line_source.ts";
import type { StreamStats } from "./stream_stats.ts";

/** Options of {@linkcode EventStream} and {@linkcode NdjsonStream}. */
export interface EventStreamOptions extends TransformOptions {
  /**
   * A line longer than this many bytes becomes a bad row (`LineTooLong`) without being held
   * in memory; only its first 1024 bytes are kept.
   *
   * @default {4194304}
   */
  maxLineBytes?: number;
  /**
   * `"auto"` reads the input as gzip when it starts with the magic bytes `1f 8b`; `true`
   * always reads gzip; `false` never does.
   *
   * @default {"auto"}
   */
  gzip?: "auto" | boolean;
  /**
   * Makes the decompressor for gzip input, instead of the built-in one (that of
   * {@linkcode GunzipStream}: each member decoded by `DecompressionStream` where it works, else
   * by fflate, and checked whole). It must read every member of a multi-member file; its errors
   * become {@linkcode StreamReadError}s. Where only fflate works and `node:zlib` exists,
   * `() => Duplex.toWeb(zlib.createGunzip())` is about four times faster.
   *
   * @default {undefined}
   */
  gunzip?: () => GunzipPair;
}

/**
 * One input line that became an event.
 *
 * @typeParam Nulls Whether empty fields are `null` (the `nulls` option), see {@linkcode FlatEvent}.
 */
export interface EventLine<Nulls extends boolean = false> {
  /** The 1-based line number in the (decompressed) input. */
  line: number;
  /** The flat JSON form of the event (`transform`'s result). */
  event: FlatEvent<Nulls>;
  /** Never set for an event. */
  badRow?: undefined;
}

/** One input line that became a bad row. */
export interface BadRowLine {
  /** The 1-based line number in the (decompressed) input. */
  line: number;
  /** Never set for a bad row. */
  event?: undefined;
  /** The line and why it is not an event. */
  badRow: BadRow;
}

/**
 * What one non-empty input line became: an event or a bad row.
 *
 * @typeParam Nulls Whether empty fields are `null` (the `nulls` option), see {@linkcode FlatEvent}.
 */
export type EventResult<Nulls extends boolean = false> = EventLine<Nulls> | BadRowLine;

/** The transform options among `options`, so that nothing else reaches `transform`. */
export function transformOptionsOf(options: EventStreamOptions): TransformOptions {
  const { geoLocation, nulls, schemaVersion } = options;
  return { geoLocation, nulls, schemaVersion };
}

/** The bad row of a line that failed to transform; other errors are rethrown. */
export function badRowOf(error: unknown, line: number, raw: string): BadRow {
  if (!(error instanceof TransformError)) throw error;
  return { line, raw, error: error.toJSON() };
}

/** The bad row of a line over the limit. */
export function tooLongBadRow(
  prefix: string,
  bytes: number,
  line: number,
  maxLineBytes: number,
): BadRow {
  return { line, raw: prefix, error: { type: "LineTooLong", bytes, maxLineBytes } };
}

/**
 * Reads enriched events from a byte stream (a file, a `fetch` body, stdin): gzip is detected
 * by its magic bytes (multi-member files are read whole), bytes are decoded as UTF-8 and split
 * on `\n` or `\r\n`, and each non-empty line becomes an {@linkcode EventResult}: an event, or
 * a bad row with the line number, the raw line and the error JSON.
 *
 * Bad data never errors the stream; only a failed source or corrupt gzip does, with a
 * {@linkcode StreamReadError}, after the results of every line read before the failure.
 * Empty lines are counted in {@linkcode EventStream.stats}. Memory stays bounded by the chunk
 * size and `maxLineBytes`.
 *
 * For NDJSON output, {@linkcode NdjsonStream} is much faster.
 *
 * @example Read events and bad rows
 * ```ts
 * import { EventStream } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[6] = "c6ef3124-b53a-4b13-a233-0088f79dcbcb";
 * const text = `${fields.join("\t")}\r\n\nnot an event\n`;
 *
 * const stream = new EventStream(new Blob([text]).stream());
 * const results = await Array.fromAsync(stream);
 * assert.deepEqual(results[0], {
 *   line: 1,
 *   event: { app_id: "shop", event_id: "c6ef3124-b53a-4b13-a233-0088f79dcbcb" },
 * });
 * assert.deepEqual(results[1].badRow, {
 *   line: 3,
 *   raw: "not an event",
 *   error: { type: "NotTSV" },
 * });
 * assert.equal(stream.stats.emptyLines, 1);
 * assert.equal(stream.stats.lines, 3);
 * ```
 */
export class EventStream<Nulls extends boolean = false> extends ReadableStream<EventResult<Nulls>> {
  /** Counters, live while reading and final once the stream has closed. */
  readonly stats: StreamStats;

  /**
   * Starts reading `source` lazily, as events are pulled.
   *
   * @param source The input bytes: plain or gzip enriched TSV.
   * @param options Transform options, line limit and gzip detection.
   */
  constructor(
    source: ReadableStream<Uint8Array>,
    options: EventStreamOptions & { nulls?: Nulls } = {},
  ) {
    const reader = new _EventBatches<Nulls>(source, options);
    // A failure is kept until the results of the chunk it came with have been read: erroring
    // the stream would drop them from its queue. (The queue holds one chunk's results at most:
    // with the default high-water mark of 1, `pull` is called only once it is empty.)
    let failure: { error: unknown } | undefined;
    super({
      async pull(controller) {
        if (failure !== undefined) throw failure.error;
        const batch = await reader.next();
        if (batch === null) return controller.close();
        for (const result of batch.results) controller.enqueue(result);
        if (batch.error !== undefined) {
          if (batch.results.length === 0) throw batch.error.error;
          failure = batch.error;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    this.stats = reader.stats;
  }
}

/**
 * The results of the lines of one chunk at a time, for readers that need no stream per event
 * (`EventStream` enqueues them one by one; `readRun` yields them straight from the batch).
 * A failure of the input comes with the results of the lines read before it.
 */
export class _EventBatches<Nulls extends boolean = false> {
  readonly stats: StreamStats;
  readonly #lines: LineSource;
  readonly #handler: LineHandler;
  #results: EventResult<Nulls>[] = [];
  #done = false;

  constructor(source: ReadableStream<Uint8Array>, options: EventStreamOptions & { nulls?: Nulls }) {
    const lines = new LineSource(source, options);
    const stats = lines.stats;
    const transformOptions = transformOptionsOf(options);
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#lines = lines;
    this.stats = stats;
    this.#handler = {
      line: (raw, line) => {
        let result: EventResult<Nulls>;
        try {
          result = { line, event: transform(raw, transformOptions) as FlatEvent<Nulls> };
          stats.events++;
        } catch (error) {
          result = { line, badRow: badRowOf(error, line, raw) };
          stats.badRows++;
        }
        this.#results.push(result);
      },
      tooLong: (prefix, bytes, line) => {
        stats.badRows++;
        this.#results.push({ line, badRow: tooLongBadRow(prefix, bytes, line, maxLineBytes) });
      },
    };
  }

  /**
   * The next results (at least one, unless the input failed), or `null` once the input has
   * ended. When the input fails, `error` holds the failure and `results` the lines before it.
   */
  async next(): Promise<{ results: EventResult<Nulls>[]; error?: { error: unknown } } | null> {
    if (this.#done) return null;
    const results: EventResult<Nulls>[] = [];
    this.#results = results;
    try {
      while (results.length === 0) {
        if (!await this.#lines.next(this.#handler)) {
          this.#done = true;
          return results.length === 0 ? null : { results };
        }
      }
      return { results };
    } catch (error) {
      this.#done = true;
      await this.#lines.cancel(error).catch(() => {});
      return { results, error: { error } };
    }
  }

  /** Stops reading: the input is cancelled. */
  async cancel(reason?: unknown): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#lines.cancel(reason);
  }
}
