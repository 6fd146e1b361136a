/**
 * Decompressing one gzip member: with the runtime's `DecompressionStream` (native, which checks
 * the member's CRC-32 and length itself), or with fflate (pure JavaScript) and a CRC-32
 * computed here. The member's boundaries are found by `GunzipDecoder` (`gunzip_decoder.ts`).
 *
 * @module
 */

import { Gunzip } from "../_deps/fflate.ts";
import { crc32 } from "./crc32.ts";

/** Decompresses the bytes of one gzip member, from its header to its trailer. */
export interface MemberInflater {
  /** Bytes of output so far. */
  readonly count: number;
  /** CRC-32 of the output so far, when this inflater computes it (`undefined`: it checks it). */
  readonly crc: number | undefined;
  /** Decompresses the next bytes of the member; all their output is in `out` once it settles. */
  write(bytes: Uint8Array): Promise<void> | void;
  /**
   * The member ends with the bytes written so far, `trailer` being its last 8 bytes: checks
   * that it is whole and that its CRC-32 and length match. Throws when not.
   */
  end(trailer: Uint8Array): Promise<void> | void;
  /** Gives up the member (the input is cancelled or failed). */
  cancel(): void;
}

/** Makes an inflater that pushes each piece of output to `out`. */
export type MemberInflaterFactory = (out: Uint8Array[]) => MemberInflater;

/** A member whose data cannot be decompressed (the message says what is wrong). */
export class MemberError extends Error {}

/** The 32-bit little-endian number at `offset`. */
export function _readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | bytes[offset + 1] << 8 | bytes[offset + 2] << 16 |
    bytes[offset + 3] << 24) >>> 0;
}

/** fflate's streaming `Gunzip` fed one member, with its trailer checked here. */
export function fflateInflater(out: Uint8Array[]): MemberInflater {
  let count = 0;
  let crc = 0;
  const gunzip = new Gunzip((data) => {
    if (data.length === 0) return;
    count += data.length;
    crc = crc32(data, crc);
    out.push(data);
  });
  const push = (bytes: Uint8Array, final: boolean) => {
    try {
      gunzip.push(bytes, final);
    } catch (cause) {
      throw new MemberError((cause as Error).message, { cause });
    }
  };
  return {
    get count() {
      return count;
    },
    get crc() {
      return crc;
    },
    write(bytes) {
      push(bytes, false);
    },
    end(trailer) {
      push(new Uint8Array(0), true);
      if (_readU32(trailer, 4) !== count % 2 ** 32) {
        throw new MemberError("it is truncated or its length (ISIZE) does not match");
      }
      if (_readU32(trailer, 0) !== crc) throw new MemberError("its CRC-32 does not match");
    },
    cancel() {},
  };
}

/**
 * `DecompressionStream("gzip")` fed one member. Its output must all be out when a write
 * settles (it is in Deno: the output of a write is queued before the write's promise
 * resolves); {@linkcode decompressionStreamWorks} checks that before it is used.
 */
export function nativeInflater(out: Uint8Array[]): MemberInflater {
  const stream = new DecompressionStream("gzip");
  const writer = stream.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
  const reader = stream.readable.getReader();
  let count = 0;
  let failure: unknown;
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.length === 0) continue;
      count += value.length;
      out.push(value);
    }
  })().catch((error) => {
    failure ??= error;
  });
  const fail = (cause: unknown): never => {
    throw new MemberError((cause as Error)?.message ?? String(cause), { cause });
  };
  return {
    get count() {
      return count;
    },
    crc: undefined,
    async write(bytes) {
      await writer.write(bytes).catch(fail);
    },
    async end(trailer) {
      await writer.close().catch(() => {});
      await reading;
      if (failure === undefined) return;
      if (_readU32(trailer, 4) !== count % 2 ** 32) {
        throw new MemberError("it is truncated or its length (ISIZE) does not match", {
          cause: failure,
        });
      }
      throw new MemberError("its CRC-32 does not match", { cause: failure });
    },
    cancel() {
      writer.abort().catch(() => {});
      reader.cancel().catch(() => {});
    },
  };
}
