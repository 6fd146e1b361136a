/**
 * Reading a byte stream as numbered lines: gzip detection and decompression, line splitting,
 * counters, and I/O errors that say how far the input was read.
 *
 * @module
 */

import { ChunkReader } from "./chunk_reader.ts";
import { type GunzipDecoder, makeGunzipDecoder } from "./gunzip_decoder.ts";
import { isGzip } from "./gzip.ts";
import { type LineHandler, LineSplitter } from "./line_splitter.ts";
import { StreamReadError } from "./stream_read_error.ts";
import { _emptyStreamStats, type StreamStats } from "./stream_stats.ts";
import { messageOf } from "../_error_message.ts";

/** The default `maxLineBytes`: 4 MiB. */
export const DEFAULT_MAX_LINE_BYTES: number = 4 * 1024 * 1024;

/** A decompressor as a pair of streams (what `pipeThrough` takes). */
export interface GunzipPair {
  /** Where the compressed bytes are written. */
  writable: WritableStream<Uint8Array>;
  /** Where the decompressed bytes come out. */
  readable: ReadableStream<Uint8Array>;
}

/** How the input bytes are read. */
export interface LineSourceOptions {
  /** Lines longer than this many bytes become bad rows without being held in memory. */
  maxLineBytes?: number;
  /** `"auto"`: gzip when the input starts with `1f 8b`; `true`: always; `false`: never. */
  gzip?: "auto" | boolean;
  /** Makes a decompressor for gzip input instead of the built-in one. */
  gunzip?: () => GunzipPair;
}

/** Reads a byte stream chunk by chunk and hands its lines to a {@linkcode LineHandler}. */
export class LineSource {
  readonly stats: StreamStats = _emptyStreamStats();
  /** The source's reader. */
  readonly #source: ChunkReader;
  /** The source, or once gzip is given to an external decompressor, its output. */
  #reader: ChunkReader | ReadableStreamDefaultReader<Uint8Array>;
  /** Whether `#reader` is the output of an external decompressor. */
  #external = false;
  /** The source's own error, to tell it from the decompressor's. */
  #sourceError: unknown = undefined;
  readonly #splitter: LineSplitter;
  readonly #gzipMode: "auto" | boolean;
  readonly #makeGunzip: (() => GunzipPair) | undefined;
  /** Bytes held back until there are enough to look for the gzip magic bytes. */
  #head: Uint8Array | null = new Uint8Array(0);
  /** The next chunk, asked for before the current one is handled. */
  #ahead: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  #gunzip: GunzipDecoder | null = null;
  /**
   * What the built-in decoder made of the last compressed chunk, handed to the splitter one
   * piece per call (a chunk of 1 MiB can hold thousands of lines: an `EventStream` would
   * otherwise hold all their event objects at once), then its error, if any.
   */
  #pieces: { out: Uint8Array[]; at: number; error?: TypeError; ended: boolean } | null = null;

  constructor(source: ReadableStream<Uint8Array>, options: LineSourceOptions = {}) {
    const { maxLineBytes = DEFAULT_MAX_LINE_BYTES, gzip = "auto", gunzip } = options;
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(
        `Invalid option maxLineBytes: expected a positive integer but got ${maxLineBytes}`,
      );
    }
    if (gzip !== "auto" && gzip !== true && gzip !== false) {
      throw new TypeError(
        `Invalid option gzip: expected "auto", true or false but got ${String(gzip)}`,
      );
    }
    if (gunzip !== undefined && typeof gunzip !== "function") {
      throw new TypeError("Invalid option gunzip: expected a function that makes a decompressor");
    }
    this.#gzipMode = gzip;
    this.#makeGunzip = gunzip;
    this.#splitter = new LineSplitter(maxLineBytes);
    this.#source = this.#reader = new ChunkReader(source);
  }

  /**
   * Reads the next chunk and hands its complete lines to `handler`. Returns `false` once the
   * input has ended and every line has been handed over.
   */
  async next(handler: LineHandler): Promise<boolean> {
    if (this.#pieces !== null) return this.#nextPiece(handler);
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      const pending = this.#ahead ?? this.#reader.read();
      this.#ahead = undefined;
      result = await pending;
    } catch (error) {
      this.stats.done = true;
      const gunzip = this.#external && error !== this.#sourceError;
      const message = gunzip
        ? `Cannot decompress gzip input: ${messageOf(error)}`
        : messageOf(error);
      throw new StreamReadError(
        `Cannot read the input after line ${this.stats.lines}: ${message}`,
        { line: this.stats.lines, cause: error },
      );
    }
    try {
      if (result.done) {
        if (await this.#feed(new Uint8Array(0), true, handler)) return true; // now decompressing
        if (this.#pieces !== null) return true; // the last pieces come first
        this.#splitter.finish(handler);
        this.stats.done = true;
        this.#reader.releaseLock();
        return false;
      }
      if (!this.#external) this.stats.sourceBytes += result.value.length;
      if (this.#head === null && !this.#external) {
        // The reader is settled (gzip or not is decided): ask for the next chunk now, so the
        // source reads it while this one is split and transformed. (An external decompressor
        // buffers on its own, and some adapters fail when cancelled with a read pending.)
        this.#ahead = this.#reader.read();
        this.#ahead.catch(() => {}); // its failure is reported by the next call
      }
      await this.#feed(result.value, false, handler);
      // Plain input is split and handled by now, and what the splitter keeps it copied: the
      // buffer can be read into again. (The built-in gunzip may keep a reference to its input.)
      if (this.#reader === this.#source && this.#head === null && this.#gunzip === null) {
        this.#source.release(result.value);
      }
      return true;
    } catch (error) {
      return await this.#failed(error);
    } finally {
      this.#syncCounts();
    }
  }

  /** Hands the next decompressed piece to the splitter (see `#pieces`). */
  async #nextPiece(handler: LineHandler): Promise<boolean> {
    const pieces = this.#pieces!;
    try {
      if (pieces.at < pieces.out.length) this.#splitter.push(pieces.out[pieces.at++], handler);
      if (pieces.at < pieces.out.length) return true;
      this.#pieces = null;
      if (pieces.error) throw new GzipError(pieces.error);
      if (!pieces.ended) return true;
      this.#splitter.finish(handler);
      this.stats.done = true;
      this.#reader.releaseLock();
      return false;
    } catch (error) {
      return await this.#failed(error);
    } finally {
      this.#syncCounts();
    }
  }

  /** Corrupt gzip data: the input is cancelled and the error says how far it was read. */
  async #failed(error: unknown): Promise<never> {
    if (!(error instanceof GzipError)) throw error;
    this.#syncCounts();
    this.stats.done = true;
    await this.#reader.cancel(error.error).catch(() => {});
    throw new StreamReadError(
      `Cannot read the input after line ${this.stats.lines}: ${error.message}`,
      { line: this.stats.lines, cause: error.error },
    );
  }

  /** Stops reading: the source is cancelled. */
  async cancel(reason?: unknown): Promise<void> {
    this.stats.done = true;
    this.#pieces = null;
    this.#gunzip?.cancel();
    if (this.#external) {
      // Cancel the source itself too: a decompressor may not pass the cancel on at once.
      const results = await Promise.allSettled([
        this.#reader.cancel(reason),
        this.#source.cancel(reason),
      ]);
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return;
    }
    await this.#reader.cancel(reason);
  }

  /**
   * Splits (and decompresses) the next bytes. Returns `true` when the input was just handed to
   * an external decompressor: `#reader` then yields its output.
   */
  async #feed(chunk: Uint8Array, final: boolean, handler: LineHandler): Promise<boolean> {
    let bytes = chunk;
    if (this.#head !== null) {
      // Wait for two bytes to decide whether the input is gzip.
      bytes = this.#head.length === 0 ? chunk : join(this.#head, chunk);
      if (bytes.length < 2 && !final && this.#gzipMode === "auto") {
        this.#head = bytes.slice();
        return false;
      }
      this.#head = null;
      if (this.#gzipMode === true || (this.#gzipMode === "auto" && isGzip(bytes))) {
        this.stats.gzip = true;
        if (this.#makeGunzip) {
          this.#decompressWith(this.#makeGunzip(), bytes, final);
          return true;
        }
        this.#gunzip = await makeGunzipDecoder();
      }
    }
    if (this.#gunzip === null) {
      this.#splitter.push(bytes, handler);
      return false;
    }
    const { out, error } = await this.#gunzip.push(bytes, final);
    if (out.length > 0) this.#splitter.push(out[0], handler);
    if (out.length > 1) {
      this.#pieces = { out, at: 1, error, ended: final };
      return false;
    }
    if (error) throw new GzipError(error);
    return false;
  }

  /** Reads the rest of the input through `gunzip`, starting with `head`. */
  #decompressWith(gunzip: GunzipPair, head: Uint8Array, ended: boolean): void {
    const source = this.#source;
    const stats = this.stats;
    const failed = (error: unknown) => this.#sourceError = error;
    const compressed = new ReadableStream<Uint8Array>({
      start(controller) {
        if (head.length > 0) controller.enqueue(head.slice()); // the decompressor may keep it
        if (ended) controller.close();
      },
      async pull(controller) {
        const result = await source.read().catch((error) => {
          failed(error);
          throw error;
        });
        if (result.done) return controller.close();
        stats.sourceBytes += result.value.length;
        controller.enqueue(result.value);
      },
      cancel(reason) {
        return source.cancel(reason);
      },
    });
    this.#reader = compressed.pipeThrough(gunzip).getReader();
    this.#external = true;
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
