/**
 * Splitting UTF-8 bytes into numbered text lines, with a bound on line length.
 *
 * @module
 */

import { LineFeedFinder } from "./line_feed.ts";

const LF = 0x0a;
const CR = 13;
const REPLACEMENT = "\uFFFD";
const BOM = "\uFEFF";

/** How many bytes of a too-long line are kept for its bad row. */
export const RAW_PREFIX_BYTES = 1024;
const INITIAL_CARRY = 16 * 1024;

/** Receives what {@linkcode LineSplitter} finds. */
export interface LineHandler {
  /** A non-empty line, without its `\n` or `\r\n`. `lineNumber` is 1-based. */
  line(text: string, lineNumber: number): void;
  /**
   * A line longer than the limit: its first bytes as text (the same whatever the chunking),
   * and its full length in bytes, both without its `\n` or `\r\n`.
   */
  tooLong(prefix: string, bytes: number, lineNumber: number): void;
  /**
   * Optional: offered each non-empty line as bytes `[start, end)` of `bytes` (without `\n`
   * or `\r\n`) before it is decoded. Returning `true` means the line was handled; `false`
   * sends it on to {@linkcode LineHandler.line} as text. The bytes are only valid during the
   * call.
   */
  bytes?(bytes: Uint8Array, start: number, end: number, lineNumber: number): boolean;
}

/** Counters kept by {@linkcode LineSplitter}. */
export interface LineCounts {
  /** Every line seen, empty or not. */
  lines: number;
  /** Lines with no characters (after removing a trailing `\r`). */
  emptyLines: number;
  /** Lines in which invalid UTF-8 bytes were replaced by U+FFFD. */
  invalidUtf8Lines: number;
  /** Bytes consumed. */
  textBytes: number;
}

/**
 * Splits a stream of UTF-8 bytes on `\n` and hands each line to a {@linkcode LineHandler}.
 * Exactly one `\r` before a line's end (its `\n`, or the end of the input) is removed, here
 * and only here, so every path that reads the lines sees the same text. Lines are found in
 * the bytes and decoded one by one; only a line that spans chunks is copied, and such a line
 * stops being stored once it passes `maxLineBytes` (its first {@linkcode RAW_PREFIX_BYTES}
 * bytes are kept, the rest only counted).
 *
 * Invalid UTF-8 is replaced by U+FFFD (the WHATWG decoder's default) and counted.
 */
export class LineSplitter {
  readonly counts: LineCounts = { lines: 0, emptyLines: 0, invalidUtf8Lines: 0, textBytes: 0 };
  readonly #maxLineBytes: number;
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  readonly #strict = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
  /** The start of the line that spans chunks, while it is within the limit. */
  #carry = new Uint8Array(INITIAL_CARRY);
  /** The length of the line that spans chunks (all of it, also past the limit). */
  #carryBytes = 0;
  /** The last byte of the line that spans chunks (to tell a `\r` before its end). */
  #lastByte = 0;
  /** Set once the spanning line passed the limit: its first bytes (filled up to 1024). */
  #tooLongPrefix: Uint8Array | null = null;
  /** How much of `#tooLongPrefix` is filled. */
  #prefixBytes = 0;

  /**
   * @param maxLineBytes The longest line kept whole.
   * @param firstLine The number of the first line (above 1 when the bytes are the rest of an
   *   input whose earlier lines were split elsewhere).
   */
  constructor(maxLineBytes: number, firstLine = 1) {
    this.#maxLineBytes = maxLineBytes;
    this.counts.lines = firstLine - 1;
  }

  /** Feeds the next bytes. */
  push(chunk: Uint8Array, handler: LineHandler): void {
    this.counts.textBytes += chunk.length;
    // A line inside a piece is at most `maxLineBytes` long, so only lines that span pieces
    // need their length checked.
    const max = this.#maxLineBytes;
    for (let offset = 0; offset < chunk.length; offset += max) {
      this.#pushPiece(chunk.subarray(offset, Math.min(offset + max, chunk.length)), handler);
    }
  }

  /** Ends the input: a last line without a newline is handed over. */
  finish(handler: LineHandler): void {
    if (this.#carryBytes > 0 || this.#tooLongPrefix !== null) {
      this.#endSpanningLine(new Uint8Array(0), handler);
    }
  }

  #pushPiece(piece: Uint8Array, handler: LineHandler): void {
    const first = piece.indexOf(LF);
    if (first < 0) {
      this.#append(piece);
      return;
    }
    let start = 0;
    if (this.#carryBytes > 0 || this.#tooLongPrefix !== null) {
      this.#endSpanningLine(piece.subarray(0, first), handler);
      start = first + 1;
    }
    const last = piece.lastIndexOf(LF);
    if (last >= start) this.#emitBatch(piece.subarray(start, last), handler);
    if (last + 1 < piece.length) this.#append(piece.subarray(last + 1));
  }

  #append(bytes: Uint8Array): void {
    const used = this.#carryBytes;
    this.#carryBytes += bytes.length;
    if (bytes.length > 0) this.#lastByte = bytes[bytes.length - 1];
    if (this.#tooLongPrefix !== null) {
      this.#fillPrefix(bytes);
      return;
    }
    // One byte more than the limit is kept: it may be the `\r` of a `\r\n`.
    if (this.#carryBytes > this.#maxLineBytes + 1) {
      this.#tooLongPrefix = new Uint8Array(RAW_PREFIX_BYTES);
      this.#prefixBytes = 0;
      this.#fillPrefix(this.#carry.subarray(0, used));
      this.#fillPrefix(bytes);
      this.#carry = new Uint8Array(INITIAL_CARRY);
      return;
    }
    this.#reserve(this.#carryBytes);
    this.#carry.set(bytes, used);
  }

  /** Adds the start of `bytes` to the too-long line's prefix, up to its size. */
  #fillPrefix(bytes: Uint8Array): void {
    const prefix = this.#tooLongPrefix!;
    const count = Math.min(bytes.length, prefix.length - this.#prefixBytes);
    if (count <= 0) return;
    prefix.set(bytes.subarray(0, count), this.#prefixBytes);
    this.#prefixBytes += count;
  }

  #reserve(length: number): void {
    if (length <= this.#carry.length) return;
    let size = this.#carry.length * 2;
    while (size < length) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#carry.subarray(0, this.#carryBytes));
    this.#carry = grown;
  }

  /** Ends the line that spans chunks with `tail` (the bytes before its newline). */
  #endSpanningLine(tail: Uint8Array, handler: LineHandler): void {
    const used = this.#carryBytes;
    const total = used + tail.length;
    const last = tail.length > 0 ? tail[tail.length - 1] : this.#lastByte;
    const length = last === CR ? total - 1 : total; // without the `\r` before its end
    const lineNumber = ++this.counts.lines;
    if (this.#tooLongPrefix !== null || length > this.#maxLineBytes) {
      if (this.#tooLongPrefix === null) {
        this.#tooLongPrefix = new Uint8Array(RAW_PREFIX_BYTES);
        this.#prefixBytes = 0;
        this.#fillPrefix(this.#carry.subarray(0, used));
      }
      this.#fillPrefix(tail);
      // The same first bytes whatever the chunking: up to 1024 of the line without its end,
      // cut at a character boundary when the line goes on.
      const prefix = this.#tooLongPrefix.subarray(0, Math.min(this.#prefixBytes, length));
      const kept = prefix.length < length ? prefix.subarray(0, completeChars(prefix)) : prefix;
      const text = this.#decodeLine(kept);
      handler.tooLong(lineNumber === 1 ? stripBom(text) : text, length, lineNumber);
    } else {
      this.#reserve(total);
      this.#carry.set(tail, used);
      this.#handOverBytes(this.#carry, 0, total, lineNumber, handler);
    }
    if (this.#carry.length > INITIAL_CARRY) this.#carry = new Uint8Array(INITIAL_CARRY);
    this.#carryBytes = 0;
    this.#tooLongPrefix = null;
  }

  /**
   * Complete lines `bytes` (joined by `\n`, without the last newline). Each line is decoded
   * on its own: that gives flat strings, one byte per character for ASCII lines, which the
   * transform reads much faster than slices of one large decoded string.
   */
  #emitBatch(bytes: Uint8Array, handler: LineHandler): void {
    const lineFeeds = new LineFeedFinder(bytes);
    let start = 0;
    for (;;) {
      const end = lineFeeds.indexOf(start);
      this.#handOverBytes(bytes, start, end < 0 ? bytes.length : end, ++this.counts.lines, handler);
      if (end < 0) return;
      start = end + 1;
    }
  }

  /** Offers the line `[start, end)` of `bytes` to the handler as bytes, else as text. */
  #handOverBytes(
    bytes: Uint8Array,
    start: number,
    end: number,
    lineNumber: number,
    handler: LineHandler,
  ): void {
    if (handler.bytes !== undefined) {
      let stop = end;
      if (stop > start && bytes[stop - 1] === CR) stop--;
      if (stop === start) {
        this.counts.emptyLines++;
        return;
      }
      // A first line with a byte-order mark goes the text way, which removes it. So does a
      // line that still ends with `\r`: only one is removed, and the byte writer would
      // remove another.
      if (bytes[stop - 1] !== CR && handler.bytes(bytes, start, stop, lineNumber)) return;
    }
    this.#handOver(this.#decodeLine(bytes.subarray(start, end)), lineNumber, handler);
  }

  #decodeLine(bytes: Uint8Array): string {
    const text = this.#decoder.decode(bytes);
    if (text.includes(REPLACEMENT) && !isValidUtf8(this.#strict, bytes)) {
      this.counts.invalidUtf8Lines++;
    }
    return text;
  }

  #handOver(text: string, lineNumber: number, handler: LineHandler): void {
    let line = text;
    if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
    if (lineNumber === 1) line = stripBom(line);
    if (line.length === 0) {
      this.counts.emptyLines++;
      return;
    }
    handler.line(line, lineNumber);
  }
}

function isValidUtf8(strict: TextDecoder, bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** The length of `bytes` without a UTF-8 sequence cut off at its end. */
function completeChars(bytes: Uint8Array): number {
  let start = bytes.length - 1;
  while (start > 0 && bytes.length - start < 4 && (bytes[start] & 0xc0) === 0x80) start--;
  const lead = bytes[start];
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + size > bytes.length ? start : bytes.length;
}
