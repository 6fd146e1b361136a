/**
 * Enriched events from a byte stream straight to NDJSON bytes (the fast path).
 *
 * @module
 */

import type { BadRow } from "./bad_row.ts";
import { BadRowQueue } from "./bad_row_queue.ts";
import { ByteSink, writeEventJson } from "../event/transform_bytes.ts";
import { transform } from "../event/transform.ts";
import { transformToJson } from "../event/transform_to_json.ts";
import {
  badRowOf,
  type EventStreamOptions,
  tooLongBadRow,
  transformOptionsOf,
} from "./event_stream.ts";
import type { LineHandler } from "./line_splitter.ts";
import { DEFAULT_MAX_LINE_BYTES, LineSource } from "./line_source.ts";
import type { StreamStats } from "./stream_stats.ts";

/**
 * Turns enriched TSV bytes into NDJSON bytes: one line of JSON (the flat form, as
 * `JSON.stringify(transform(line))` writes it) per event, each ended by `\n`. Input handling
 * is that of {@linkcode EventStream}: gzip detection (multi-member files read whole), UTF-8,
 * `\n` / `\r\n`, `maxLineBytes`, and a {@linkcode StreamReadError} only for I/O failures,
 * which comes after the NDJSON of every line read before the failure.
 *
 * Lines that are not events come out of {@linkcode NdjsonStream.badRows}. Read both streams
 * at the same time (for example two `pipeTo` calls awaited together), or cancel `badRows` if
 * you only want the counts: when unread bad rows pass 4 MiB of raw text, reading pauses
 * until they are read.
 *
 * Events are written straight from the input bytes (`writeEventJson`: no decoding, payloads
 * copied) in batches of one output chunk per input chunk, so this is several times faster than
 * {@linkcode EventStream} followed by `JSON.stringify`; lines the byte writer does not vouch for
 * are decoded and take the object path (`transform`) with the same result, in order.
 *
 * It is a byte stream: a BYOB reader (`getReader({ mode: "byob" })`) that passes the same
 * buffer back on each read gets the NDJSON copied into it, and no buffer is allocated per
 * chunk (the command line reads it so; on the project VM that was 4–7% faster than a default
 * reader, which gets each chunk as a new buffer of its own).
 *
 * @example Convert a file to NDJSON, bad rows to their own NDJSON
 * ```ts
 * import { JsonStringifyStream, NdjsonStream } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[7] = "42"; // txn_id
 * const text = `${fields.join("\t")}\nbad line\n`;
 *
 * const ndjson = new NdjsonStream(new Blob([text]).stream());
 * const [events, badRows] = await Promise.all([
 *   new Response(ndjson).text(),
 *   new Response(ndjson.badRows.pipeThrough(new JsonStringifyStream())).text(),
 * ]);
 * assert.equal(events, '{"app_id":"shop","txn_id":42}\n');
 * assert.equal(badRows, '{"line":2,"raw":"bad line","error":{"type":"NotTSV"}}\n');
 * assert.equal(ndjson.stats.events, 1);
 * assert.equal(ndjson.stats.badRows, 1);
 * ```
 */
export class NdjsonStream extends ReadableStream<Uint8Array> {
  /** Counters, live while reading and final once the stream has closed. */
  readonly stats: StreamStats;
  /**
   * The lines that are not events, in input order. Closed when the NDJSON stream closes;
   * errored when it errors, after every bad row read before the failure.
   */
  readonly badRows: ReadableStream<BadRow>;

  /**
   * Starts reading `source` lazily, as NDJSON is pulled.
   *
   * @param source The input bytes: plain or gzip enriched TSV.
   * @param options Transform options, line limit and gzip detection.
   */
  constructor(source: ReadableStream<Uint8Array>, options: EventStreamOptions = {}) {
    const lines = new LineSource(source, options);
    const badRows = new BadRowQueue(lines.stats);
    const sink = new ByteSink();
    const handler = _ndjsonLineHandler(sink, lines.stats, badRows, options);
    // (The typings offer the byte-source constructor only to `new ReadableStream(...)` without
    // a type argument, not to a subclass of ReadableStream<Uint8Array>.)
    super(new NdjsonByteSource(lines, handler, sink, badRows) as UnderlyingSource<Uint8Array>);
    this.stats = lines.stats;
    this.badRows = badRows.readable;
  }
}

/**
 * Writes the NDJSON of each line into `sink`, or hands its bad row to `badRows` (which counts
 * it). Also used for the pieces of `NdjsonLines`.
 *
 * Events are written as bytes straight from the input bytes (`writeEventJson`). The lines it
 * leaves to the general path (invalid values, escapes it does not vouch for) arrive decoded at
 * `line` and go into the same sink, so the order is kept.
 */
export function _ndjsonLineHandler(
  sink: ByteSink,
  stats: Pick<StreamStats, "events">,
  badRows: { add(row: BadRow): void },
  options: EventStreamOptions,
): LineHandler {
  const transformOptions = transformOptionsOf(options);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const encoder = new TextEncoder();
  return {
    bytes(bytes, start, end) {
      if (!writeEventJson(bytes, start, end, sink, transformOptions)) return false;
      stats.events++;
      return true;
    },
    line(raw, line) {
      try {
        const json = textPathMayDiffer(raw, line)
          ? transformToJson(raw, transformOptions)
          : JSON.stringify(transform(raw, transformOptions));
        const room = sink.ensure(json.length * 3 + 1);
        sink.length += encoder.encodeInto(json, room.subarray(sink.length)).written;
        sink.bytes[sink.length++] = 0x0a;
        stats.events++;
      } catch (error) {
        badRows.add(badRowOf(error, line, raw));
      }
    },
    tooLong(prefix, bytes, line) {
      badRows.add(tooLongBadRow(prefix, bytes, line, maxLineBytes));
    },
  };
}

/**
 * Whether the text of a line that reached {@linkcode LineHandler.line} may differ from the bytes
 * `writeEventJson` was offered: a byte-order mark was removed from the first line, or invalid
 * UTF-8 was replaced by U+FFFD. Only then can the bytes path (in `transformToJson`) take the text;
 * every other line there was refused by `writeEventJson` as it is, or ends with `\r`, which
 * `transformToJson` leaves to the object path too, so it goes straight to the object path.
 */
function textPathMayDiffer(raw: string, line: number): boolean {
  return line === 1 || raw.includes("\uFFFD");
}

/**
 * The byte source behind {@linkcode NdjsonStream}.
 *
 * The NDJSON of one input chunk stays in `sink` (reused, never reallocated per chunk) until
 * readers have taken it: bytes [sent, sink.length) are still to be delivered. Once it is all
 * taken, the next input chunk is read and converted at once (`producing`), so that work overlaps
 * with what the reader does with the bytes it got, and the bad rows of the whole input come out
 * (and `badRows` closes) even before the last NDJSON is read.
 *
 * When reading fails, what was converted before the failure is still delivered: the error is
 * kept in `failure`, and the stream errors only at the read after the last of the NDJSON
 * (`badRows` after its last queued row: erroring a stream drops what it queued).
 */
class NdjsonByteSource implements UnderlyingByteSource {
  readonly type = "bytes";
  readonly #lines: LineSource;
  readonly #handler: LineHandler;
  readonly #sink: ByteSink;
  readonly #badRows: BadRowQueue;
  #sent = 0;
  #ended = false;
  #producing: Promise<void> | undefined;
  #cancelled = false;
  #failure: { error: unknown } | undefined;

  constructor(lines: LineSource, handler: LineHandler, sink: ByteSink, badRows: BadRowQueue) {
    this.#lines = lines;
    this.#handler = handler;
    this.#sink = sink;
    this.#badRows = badRows;
  }

  async pull(controller: ReadableByteStreamController): Promise<void> {
    await (this.#producing ?? this.#produce());
    this.#producing = undefined;
    const sink = this.#sink;
    if (this.#sent < sink.length) {
      this.#deliver(controller);
      if (this.#sent === sink.length) {
        sink.reset();
        this.#sent = 0;
        if (!this.#ended && this.#failure === undefined) this.#producing = this.#produce();
      }
      if (this.#failure !== undefined) return; // the next read gets the error
    }
    if (this.#failure !== undefined) {
      this.#badRows.end(this.#failure.error);
      throw this.#failure.error;
    }
    if (this.#ended && sink.length === 0) {
      controller.close();
      controller.byobRequest?.respond(0);
    }
  }

  async cancel(reason: unknown): Promise<void> {
    this.#cancelled = true;
    this.#badRows.end();
    await this.#lines.cancel(reason);
    await this.#producing;
  }

  /** Reads input chunks until one gives NDJSON or the input ends. Never rejects. */
  async #produce(): Promise<void> {
    try {
      while (
        !this.#ended && this.#sink.length === 0 && !this.#cancelled && this.#failure === undefined
      ) {
        if (this.#badRows.full) {
          await this.#badRows.drained();
          continue;
        }
        this.#ended = !await this.#lines.next(this.#handler);
      }
      if (this.#ended) this.#badRows.end();
    } catch (error) {
      this.#failure = { error };
      await this.#lines.cancel(error).catch(() => {});
    }
  }

  /** Hands the reader as much of the pending NDJSON as its read takes. */
  #deliver(controller: ReadableByteStreamController): void {
    const sink = this.#sink;
    const request = controller.byobRequest;
    if (request?.view) {
      // Copy into the reader's buffer (as much as fits).
      const { buffer, byteOffset, byteLength } = request.view;
      const count = Math.min(byteLength, sink.length - this.#sent);
      new Uint8Array(buffer, byteOffset, count).set(
        sink.bytes.subarray(this.#sent, this.#sent + count),
      );
      this.#sent += count;
      request.respond(count);
    } else {
      // A chunk of its own: a byte stream takes over the buffer it is given.
      controller.enqueue(sink.bytes.slice(this.#sent, sink.length));
      this.#sent = sink.length;
    }
  }
}
