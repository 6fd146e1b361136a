/**
 * A growable output byte buffer, the target of the bytes path (`writeEventJson`).
 *
 * @module
 */

/**
 * A growable output byte buffer: `writeEventJson` appends NDJSON lines to it.
 *
 * @example Collect NDJSON lines
 * ```ts
 * import { ByteSink } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const sink = new ByteSink(4);
 * sink.write(new TextEncoder().encode('{"a":1}\n'));
 * assert.equal(sink.length, 8);
 * assert.equal(new TextDecoder().decode(sink.take()), '{"a":1}\n');
 * assert.equal(sink.length, 0);
 * ```
 */
export class ByteSink {
  /** The buffer; bytes `[0, length)` are the content. It is replaced when it grows. */
  bytes: Uint8Array<ArrayBuffer>;
  /** How many bytes of {@linkcode ByteSink.bytes} are content. */
  length: number;

  /**
   * An empty sink.
   *
   * @param capacity Initial size of the buffer in bytes.
   */
  constructor(capacity: number = 1 << 16) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
    this.length = 0;
  }

  /**
   * Makes room for `extra` more bytes after the content and returns the (possibly new) buffer.
   *
   * @param extra How many bytes the caller is about to write at {@linkcode ByteSink.length}.
   * @returns The buffer, at least `length + extra` bytes long.
   */
  ensure(extra: number): Uint8Array<ArrayBuffer> {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  /**
   * Appends bytes.
   *
   * @param chunk The bytes to append.
   */
  write(chunk: Uint8Array): void {
    this.ensure(chunk.length).set(chunk, this.length);
    this.length += chunk.length;
  }

  /**
   * The content, without copying: valid until the next write or reset.
   *
   * @returns A view of bytes `[0, length)`.
   */
  view(): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(0, this.length);
  }

  /**
   * A copy of the content, after which the sink is empty.
   *
   * @returns The content.
   */
  take(): Uint8Array<ArrayBuffer> {
    const content = this.bytes.slice(0, this.length);
    this.length = 0;
    return content;
  }

  /**
   * The content without copying, after which the sink is empty and writes into a new buffer of
   * the same size, so the returned bytes are never overwritten.
   *
   * @returns A view of the content.
   */
  detach(): Uint8Array<ArrayBuffer> {
    const content = this.bytes.subarray(0, this.length);
    this.bytes = new Uint8Array(this.bytes.length);
    this.length = 0;
    return content;
  }

  /** Empties the sink (the buffer is kept). */
  reset(): void {
    this.length = 0;
  }
}

/**
 * Makes room for `extra` bytes after position `o` of the sink (which may be past its length,
 * while a line is being written) and returns its buffer.
 */
export function roomAt(sink: ByteSink, o: number, extra: number): Uint8Array {
  const length = sink.length;
  sink.length = o;
  const out = sink.ensure(extra);
  sink.length = length;
  return out;
}
