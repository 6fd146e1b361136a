/**
 * Enriched events from a byte stream straight to NDJSON bytes (the fast path).
 *
 * @module
 */

import type { BadRow } from "./bad_row.ts";
import { ByteSink, writeEventJson } from "../event/transform_bytes.ts";
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

/** How much raw text of unread bad rows {@linkcode NdjsonStream.badRows} queues: 4 MiB. */
const BAD_ROW_QUEUE = 4 * 1024 * 1024;

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
 * take the text path (`transformToJson`) with the same result, in order.
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
    const stats = lines.stats;
    const transformOptions = transformOptionsOf(options);
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const encoder = new TextEncoder();

    let badController!: ReadableStreamDefaultController<BadRow>;
    let badOpen = true;
    let badPulled: (() => void) | null = null;
    /** The error `badRows` ends with once the rows queued before it are read. */
    let badFailure: { error: unknown } | undefined;
    const badRows = new ReadableStream<BadRow>({
      start(controller) {
        badController = controller;
      },
      pull(controller) {
        badPulled?.();
        badPulled = null;
        if (badFailure !== undefined && controller.desiredSize === BAD_ROW_QUEUE) {
          badOpen = false; // every row queued before the failure has been read
          controller.error(badFailure.error);
        }
      },
      cancel() {
        badOpen = false;
        badPulled?.();
        badPulled = null;
      },
    }, { highWaterMark: BAD_ROW_QUEUE, size: (row) => row.raw.length + 100 });
    const emitBadRow = (row: BadRow) => {
      stats.badRows++;
      if (badOpen) badController.enqueue(row);
    };
    /** Closes `badRows`, or errors it once the rows already queued have been read. */
    const endBadRows = (error?: unknown) => {
      if (!badOpen) return;
      if (error === undefined) {
        badOpen = false;
        badController.close(); // after the queued rows, as `close` always is
      } else if (badController.desiredSize === BAD_ROW_QUEUE) {
        badOpen = false;
        badController.error(error);
      } else {
        badFailure = { error }; // the pull that finds the queue empty errors it
      }
      badPulled?.();
      badPulled = null;
    };

    // Events are written as bytes straight from the input bytes (writeEventJson); the lines it
    // leaves to the general path (invalid values, escapes it does not vouch for) are decoded and
    // go through transformToJson, into the same sink so the order is kept.
    const sink = new ByteSink();
    const handler: LineHandler = {
      bytes(bytes, start, end) {
        if (!writeEventJson(bytes, start, end, sink, transformOptions)) return false;
        stats.events++;
        return true;
      },
      line(raw, line) {
        try {
          const json = transformToJson(raw, transformOptions);
          const room = sink.ensure(json.length * 3 + 1);
          sink.length += encoder.encodeInto(json, room.subarray(sink.length)).written;
          sink.bytes[sink.length++] = 0x0a;
          stats.events++;
        } catch (error) {
          emitBadRow(badRowOf(error, line, raw));
        }
      },
      tooLong(prefix, bytes, line) {
        emitBadRow(tooLongBadRow(prefix, bytes, line, maxLineBytes));
      },
    };

    // The NDJSON of one input chunk stays in `sink` (reused, never reallocated per chunk) until
    // readers have taken it: bytes [sent, sink.length) are still to be delivered. Once it is
    // all taken, the next input chunk is read and converted at once (`producing`), so that
    // work overlaps with what the reader does with the bytes it got, and the bad rows of the
    // whole input come out (and `badRows` closes) even before the last NDJSON is read.
    //
    // When reading fails, what was converted before the failure is still delivered: the error
    // is kept in `failure`, and the stream errors only at the read after the last of the
    // NDJSON (`badRows` after its last queued row: erroring a stream drops what it queued).
    let sent = 0;
    let ended = false;
    let producing: Promise<void> | undefined;
    let cancelled = false;
    let failure: { error: unknown } | undefined;
    const produce = async () => {
      try {
        while (!ended && sink.length === 0 && !cancelled && failure === undefined) {
          if (badOpen && (badController.desiredSize ?? 1) <= 0) {
            await new Promise<void>((resolve) => badPulled = resolve);
            continue;
          }
          ended = !await lines.next(handler);
        }
        if (ended) endBadRows();
      } catch (error) {
        failure = { error };
        await lines.cancel(error).catch(() => {});
      }
    };
    const producer: UnderlyingByteSource = {
      type: "bytes",
      async pull(controller) {
        await (producing ?? produce());
        producing = undefined;
        const request = controller.byobRequest;
        if (sent < sink.length) {
          if (request?.view) {
            // Copy into the reader's buffer (as much as fits).
            const { buffer, byteOffset, byteLength } = request.view;
            const count = Math.min(byteLength, sink.length - sent);
            new Uint8Array(buffer, byteOffset, count).set(sink.bytes.subarray(sent, sent + count));
            sent += count;
            request.respond(count);
          } else {
            // A chunk of its own: a byte stream takes over the buffer it is given.
            controller.enqueue(sink.bytes.slice(sent, sink.length));
            sent = sink.length;
          }
          if (sent === sink.length) {
            sink.reset();
            sent = 0;
            if (!ended && failure === undefined) producing = produce(); // never rejects
          }
          if (failure !== undefined) return; // the next read gets the error
        }
        if (failure !== undefined) {
          endBadRows(failure.error);
          throw failure.error;
        }
        if (ended && sink.length === 0) {
          controller.close();
          controller.byobRequest?.respond(0);
        }
      },
      async cancel(reason) {
        cancelled = true;
        endBadRows();
        await lines.cancel(reason);
        await producing;
      },
    };
    // (The typings offer the byte-source constructor only to `new ReadableStream(...)` without
    // a type argument, not to a subclass of ReadableStream<Uint8Array>.)
    super(producer as UnderlyingSource<Uint8Array>);
    this.stats = stats;
    this.badRows = badRows;
  }
}
