/**
 * Gzip input: detection by magic bytes, and a stream that decompresses every member of a
 * multi-member file (concatenated `.gz` files), which `DecompressionStream` in Deno and workerd
 * does not do on its own.
 *
 * @module
 */

import { type GunzipDecoder, makeGunzipDecoder } from "./gunzip_decoder.ts";

/**
 * Whether `bytes` starts with the gzip magic bytes `1f 8b`.
 *
 * @example Detect gzip data
 * ```ts
 * import { isGzip } from "@snowplow/analytics-sdk/stream";
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

/**
 * Decompresses gzip bytes, including a file made of several gzip members (concatenated
 * `.gz` files): every member's data comes out, in order. Each member's CRC-32 and length
 * (ISIZE) are checked; corrupt data, data that ends inside a member and anything but zero bytes
 * after the last member error the stream with a `TypeError`.
 *
 * Unlike `DecompressionStream("gzip")` in Deno and workerd, which fail after the first
 * member, this reads the whole file. Where `DecompressionStream` works, each member is decoded
 * by it (native code); elsewhere by fflate (pure JavaScript).
 *
 * @example Decompress two concatenated gzip members
 * ```ts
 * import { GunzipStream } from "@snowplow/analytics-sdk/stream";
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
    let decoder: GunzipDecoder | undefined;
    // An error is thrown at the next call, once the reader has taken the output before it (a
    // transform is called only when the output queue is empty; throwing at once would drop it).
    let failure: TypeError | undefined;
    const decode = async (
      chunk: Uint8Array,
      final: boolean,
      controller: TransformStreamDefaultController<Uint8Array>,
    ) => {
      if (failure) throw failure;
      decoder ??= await makeGunzipDecoder();
      const { out, error } = await decoder.push(chunk, final);
      for (const piece of out) controller.enqueue(piece);
      failure = error;
      if (error && (final || out.length === 0)) throw error;
    };
    // `cancel` (the reader cancelled: the member's decoder is given up) is newer than some
    // runtimes' type definitions of `Transformer`; where it is not supported it is not called.
    const transformer: Transformer<Uint8Array, Uint8Array> & { cancel?: () => void } = {
      transform: (chunk, controller) => decode(chunk, false, controller),
      flush: (controller) => decode(new Uint8Array(0), true, controller),
      cancel: () => decoder?.cancel(),
    };
    super(transformer);
  }
}
