/**
 * Gzip input: detection by magic bytes and decompression of every member of a multi-member
 * file (concatenated `.gz` files), which `DecompressionStream` in Deno and workerd does not do.
 *
 * @module
 */

import { Gunzip } from "../_deps/fflate.ts";

/**
 * Whether `bytes` starts with the gzip magic bytes `1f 8b`.
 *
 * @example Detect gzip data
 * ```ts
 * import { isGzip } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isGzip(new Uint8Array([0x1f, 0x8b, 8, 0])), true);
 * assert.equal(isGzip(new TextEncoder().encode("app\tweb")), false);
 * ```
 *
 * @param bytes The first bytes of the data (at least two for a `true` answer).
 * @returns `true` when the data looks like gzip.
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** What {@linkcode GunzipDecoder.push} decompressed, and the error that stopped it. */
export interface GunzipOutput {
  /** The decompressed bytes, in order (also those before an error). */
  out: Uint8Array[];
  /** Set when the data is corrupt or truncated. */
  error?: TypeError;
}

/**
 * A synchronous gzip decoder that reads every member of a multi-member file (fflate's
 * streaming `Gunzip`).
 */
export class GunzipDecoder {
  readonly #gunzip: Gunzip;
  #out: Uint8Array[] = [];

  constructor() {
    this.#gunzip = new Gunzip((data) => {
      if (data.length > 0) this.#out.push(data);
    });
  }

  /** Decompresses the next compressed bytes; `final` for the end of the input. */
  push(chunk: Uint8Array, final = false): GunzipOutput {
    let error: TypeError | undefined;
    try {
      this.#gunzip.push(chunk, final);
    } catch (cause) {
      error = new TypeError(`Cannot decompress gzip input: ${(cause as Error).message}`, {
        cause,
      });
    }
    const out = this.#out;
    this.#out = [];
    return error === undefined ? { out } : { out, error };
  }
}

/**
 * Decompresses gzip bytes, including a file made of several gzip members (concatenated
 * `.gz` files): every member's data comes out, in order. Corrupt or truncated data errors
 * the stream with a `TypeError`.
 *
 * Unlike `DecompressionStream("gzip")` in Deno and workerd, which stop after the first
 * member, this reads the whole file. It is pure JavaScript (fflate), so it also runs where
 * `DecompressionStream` is missing.
 *
 * @example Decompress two concatenated gzip members
 * ```ts
 * import { GunzipStream } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const gzip = (text: string) =>
 *   new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).bytes();
 * const twoMembers = new Blob([await gzip("a\tb\n"), await gzip("c\td\n")]);
 * const text = await new Response(twoMembers.stream().pipeThrough(new GunzipStream())).text();
 * assert.equal(text, "a\tb\nc\td\n");
 * ```
 */
export class GunzipStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor() {
    const decoder = new GunzipDecoder();
    super({
      transform(chunk, controller) {
        const { out, error } = decoder.push(chunk);
        for (const piece of out) controller.enqueue(piece);
        if (error) throw error;
      },
      flush(controller) {
        const { out, error } = decoder.push(new Uint8Array(0), true);
        for (const piece of out) controller.enqueue(piece);
        if (error) throw error;
      },
    });
  }
}
