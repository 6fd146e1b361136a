/**
 * NDJSON of enriched lines handed over as bytes, for callers that cut an input at line ends and
 * convert the pieces wherever they like (the command line converts them on several threads).
 * The lines are split, numbered and converted exactly as `NdjsonStream` does (internal: not
 * exported from the package).
 *
 * @module
 */

import { ByteSink } from "../event/_byte_sink.ts";
import type { BadRow } from "./bad_row.ts";
import type { EventStreamOptions } from "./event_stream.ts";
import { DEFAULT_MAX_LINE_BYTES } from "./line_source.ts";
import { LineSplitter } from "./line_splitter.ts";
import { _ndjsonLineHandler } from "./ndjson_stream.ts";
import type { StreamStats } from "./stream_stats.ts";

/** The counters of the lines of one piece (what it adds to a stream's {@linkcode StreamStats}). */
export type LineCounts = Pick<
  StreamStats,
  "lines" | "events" | "badRows" | "emptyLines" | "invalidUtf8Lines" | "textBytes"
>;

/** What the lines of a piece became. */
export interface NdjsonOfLines {
  /** One line of JSON per event, each ended by `\n` (a view of the output buffer). */
  ndjson: Uint8Array<ArrayBuffer>;
  /** The lines that are not events, in order, numbered in the whole input. */
  badRows: BadRow[];
  /** The piece's counts (`lines` counts its lines, not the input's). */
  counts: LineCounts;
}

/**
 * Converts lines that belong to one input, starting at line `firstLine` of it: bytes are
 * pushed (in order; a line may span pushes), {@linkcode NdjsonLines.finish} ends the input when
 * these are its last lines, and {@linkcode NdjsonLines.take} (called once, at the end) returns
 * the NDJSON, bad rows and counts. A byte-order mark is removed only from line 1 of the input.
 */
export class NdjsonLines {
  readonly #splitter: LineSplitter;
  readonly #firstLine: number;
  readonly #sink: ByteSink;
  readonly #counts = { events: 0 };
  #badRows: BadRow[] = [];
  readonly #handler;

  /**
   * @param options Transform options and the line limit (`gzip` and `gunzip` do not apply).
   * @param firstLine The number of the first line pushed, in the whole input.
   * @param output The buffer to write the NDJSON into (it grows into a new one when full), or
   *   the expected size of the NDJSON in bytes.
   */
  constructor(options: EventStreamOptions, firstLine = 1, output?: ArrayBuffer | number) {
    this.#splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, firstLine);
    this.#firstLine = firstLine;
    if (typeof output === "number" || output === undefined) {
      this.#sink = new ByteSink(output);
    } else {
      this.#sink = new ByteSink(0);
      this.#sink.bytes = new Uint8Array(output);
    }
    const badRows = { add: (row: BadRow) => this.#badRows.push(row) };
    this.#handler = _ndjsonLineHandler(this.#sink, this.#counts, badRows, options);
  }

  /** Converts the complete lines of `bytes` (a line's start is kept until its end comes). */
  push(bytes: Uint8Array): void {
    this.#splitter.push(bytes, this.#handler);
  }

  /** Ends the input: a last line without a newline is converted too. */
  finish(): void {
    this.#splitter.finish(this.#handler);
  }

  /** What the lines pushed became (call it once, after the last push or `finish`). */
  take(): NdjsonOfLines {
    const { lines, emptyLines, invalidUtf8Lines, textBytes } = this.#splitter.counts;
    const badRows = this.#badRows;
    this.#badRows = [];
    return {
      ndjson: this.#sink.view(),
      badRows,
      counts: {
        lines: lines - (this.#firstLine - 1),
        events: this.#counts.events,
        badRows: badRows.length,
        emptyLines,
        invalidUtf8Lines,
        textBytes,
      },
    };
  }
}

/**
 * What the lines `text` of an input, from line `firstLine`, become: the whole of a piece at once
 * (`final` when the text ends the input, so that a last line without newline counts).
 *
 * @param output The buffer to write the NDJSON into (by default one of about 1.3 times the text:
 *   NDJSON is about 1.25 times the TSV it comes from, so it is rarely grown).
 */
export function ndjsonOfLines(
  options: EventStreamOptions,
  text: Uint8Array,
  firstLine: number,
  final: boolean,
  output?: ArrayBuffer,
): NdjsonOfLines {
  const lines = new NdjsonLines(options, firstLine, output ?? Math.ceil(text.length * 1.3));
  lines.push(text);
  if (final) lines.finish();
  return lines.take();
}
