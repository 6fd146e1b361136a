/**
 * The error of an event stream whose input could not be read.
 *
 * @module
 */

/**
 * The input of an event stream could not be read: the source stream failed, or gzip data is
 * corrupt or truncated. Bad lines never cause it (they become bad rows). `line` is the
 * number of lines read before the failure; the original error is the `cause`.
 *
 * @example Catch a failed source
 * ```ts
 * import { EventStream, StreamReadError } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const source = new ReadableStream<Uint8Array>({
 *   pull() {
 *     throw new Error("connection reset");
 *   },
 * });
 * try {
 *   await Array.fromAsync(new EventStream(source));
 *   assert.fail("expected a StreamReadError");
 * } catch (error) {
 *   assert.ok(error instanceof StreamReadError);
 *   assert.equal(error.line, 0);
 *   assert.equal(error.message, "Cannot read the input after line 0: connection reset");
 * }
 * ```
 */
export class StreamReadError extends Error {
  /** The number of lines read before the failure. */
  readonly line: number;

  /**
   * Makes the error.
   *
   * @param message What failed, and after which line.
   * @param options The line reached and the original error.
   */
  constructor(message: string, options: { line: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "StreamReadError";
    this.line = options.line;
  }
}
