/**
 * Reading a byte stream as numbered lines: gzip detection and decompression, line splitting,
 * counters, and I/O errors that say how far the input was read.
 *
 * @module
 */

import { GunzipDecoder, isGzip } from "./gzip.ts";
import { type LineHandler, LineSplitter } from "./line_splitter.ts";
import { StreamReadError } from "./stream_read_error.ts";
import type { StreamStats } from "./stream_stats.ts";

/** The default `maxLineBytes`: 4 MiB. */
export const DEFAULT_MAX_LINE_BYTES: number = 4 * 1024 * 1024;

/** How the input bytes are read. */
export interface LineSourceOptions {
  /** Lines longer than this many bytes become bad rows without being held in memory. */
  maxLineBytes?: number;
  /** `"auto"`: gzip when the input starts with `1f 8b`; `true`: always; `false`: never. */
  gzip?: "auto" | boolean;
}

/** Reads a byte stream chunk by chunk and hands its lines to a {@linkcode LineHandler}. */
export class LineSource {
  readonly stats: StreamStats = {
    lines: 0,
    events: 0,
    badRows: 0,
    emptyLines: 0,
    invalidUtf8Lines: 0,
    sourceBytes: 0,
    textBytes: 0,
    gzip: false,
    done: false,
  };
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #splitter: LineSplitter;
  readonly #gzipMode: "auto" | boolean;
  /** Bytes held back until there are enough to look for the gzip magic bytes. */
  #head: Uint8Array | null = new Uint8Array(0);
  #gunzip: GunzipDecoder | null = null;

  constructor(source: ReadableStream<Uint8Array>, options: LineSourceOptions = {}) {
    const { maxLineBytes = DEFAULT_MAX_LINE_BYTES, gzip = "auto" } = options;
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
    if (gzip !== "auto" && gzip !== true && gzip !== false) {
      throw new TypeError(`gzip must be "auto", true or false, got ${String(gzip)}`);
    }
    this.#gzipMode = gzip;
    this.#splitter = new LineSplitter(maxLineBytes);
    this.#reader = source.getReader();
  }

  /**
   * Reads the next chunk and hands its complete lines to `handler`. Returns `false` once the
   * input has ended and every line has been handed over.
   */
  async next(handler: LineHandler): Promise<boolean> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.#reader.read();
    } catch (error) {
      this.stats.done = true;
      throw new StreamReadError(
        `Cannot read the input after line ${this.stats.lines}: ${messageOf(error)}`,
        { line: this.stats.lines, cause: error },
      );
    }
    try {
      if (result.done) {
        this.#feed(new Uint8Array(0), true, handler);
        this.#splitter.finish(handler);
        this.stats.done = true;
        this.#reader.releaseLock();
        return false;
      }
      this.stats.sourceBytes += result.value.length;
      this.#feed(result.value, false, handler);
      return true;
    } catch (error) {
      if (!(error instanceof GzipError)) throw error;
      this.#syncCounts();
      this.stats.done = true;
      await this.#reader.cancel(error.error).catch(() => {});
      throw new StreamReadError(
        `Cannot read the input after line ${this.stats.lines}: ${error.message}`,
        { line: this.stats.lines, cause: error.error },
      );
    } finally {
      this.#syncCounts();
    }
  }

  /** Stops reading: the source is cancelled. */
  async cancel(reason?: unknown): Promise<void> {
    this.stats.done = true;
    await this.#reader.cancel(reason);
  }

  #feed(chunk: Uint8Array, final: boolean, handler: LineHandler): void {
    let bytes = chunk;
    if (this.#head !== null) {
      // Wait for two bytes to decide whether the input is gzip.
      bytes = this.#head.length === 0 ? chunk : join(this.#head, chunk);
      if (bytes.length < 2 && !final && this.#gzipMode === "auto") {
        this.#head = bytes;
        return;
      }
      this.#head = null;
      if (this.#gzipMode === true || (this.#gzipMode === "auto" && isGzip(bytes))) {
        this.#gunzip = new GunzipDecoder();
        this.stats.gzip = true;
      }
    }
    if (this.#gunzip === null) {
      this.#splitter.push(bytes, handler);
      return;
    }
    const { out, error } = this.#gunzip.push(bytes, final);
    for (const piece of out) this.#splitter.push(piece, handler);
    if (error) throw new GzipError(error);
  }

  #syncCounts(): void {
    const counts = this.#splitter.counts;
    this.stats.lines = counts.lines;
    this.stats.emptyLines = counts.emptyLines;
    this.stats.invalidUtf8Lines = counts.invalidUtf8Lines;
    this.stats.textBytes = counts.textBytes;
  }
}

/** Corrupt gzip data (internal: turned into a {@linkcode StreamReadError}). */
class GzipError extends Error {
  constructor(readonly error: TypeError) {
    super(error.message, { cause: error });
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
