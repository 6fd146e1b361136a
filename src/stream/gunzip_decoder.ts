/**
 * Reading a gzip file member by member: finding where each member ends, checking each one's
 * CRC-32 and length (ISIZE), telling a file cut short from a whole one, and allowing zero
 * padding after the last member.
 *
 * @module
 */

import {
  _readU32,
  fflateInflater,
  MemberError,
  type MemberInflater,
  type MemberInflaterFactory,
  nativeInflater,
} from "./gzip_member.ts";

/** What {@linkcode GunzipDecoder.push} decompressed, and the error that stopped it. */
export interface GunzipOutput {
  /** The decompressed bytes, in order (also those before an error). */
  out: Uint8Array[];
  /** Set when the data is corrupt or truncated. */
  error?: TypeError;
}

/** The smallest gzip member: a 10-byte header, an empty deflate block (2), the 8-byte trailer. */
const MIN_MEMBER_BYTES = 20;
/** The most bytes given to an inflater at once (the native one is fastest with 64 KiB). */
const MAX_WRITE_BYTES = 64 * 1024;
/** The first bytes of every member: magic `1f 8b`, method 8 (deflate). */
const HEADER_START = [0x1f, 0x8b, 0x08];

/**
 * Decompresses gzip data chunk by chunk, every member of a multi-member file in turn.
 *
 * A member's end is where its trailer's length (ISIZE, and with fflate also its CRC-32) matches
 * the output so far and the next bytes start another member, or are zeros, or end the input.
 * Bytes are given to the member's inflater only up to such a place, so the native
 * `DecompressionStream` (which fails on anything after the member) can decode each member. Every
 * member is checked whole (CRC-32 and ISIZE); input that ends inside a member, data after the
 * last member other than zero bytes, or a bad trailer are errors.
 */
export class GunzipDecoder {
  readonly #makeInflater: MemberInflaterFactory;
  /** Output not yet returned (inflaters push to it: it is emptied, never replaced). */
  readonly #out: Uint8Array[] = [];
  /** The member being read, or `null` between members. */
  #member: MemberInflater | null = null;
  /** 1-based number of the member being read (or last read). */
  #members = 0;
  /** Bytes of the current member given to its inflater so far. */
  #memberBytes = 0;
  /** The last 8 bytes given to the current member's inflater (its trailer, once it ends). */
  readonly #tail = new Uint8Array(8);
  /** Input bytes read so far. */
  #offset = 0;
  /** Only zero bytes may follow (padding after the last member). */
  #padding = false;
  #error: TypeError | undefined;

  /** @param native Whether to decode members with `DecompressionStream` (else fflate). */
  constructor(native = false) {
    this.#makeInflater = native ? nativeInflater : fflateInflater;
  }

  /** Decompresses the next compressed bytes; `final` for the end of the input. */
  async push(chunk: Uint8Array, final = false): Promise<GunzipOutput> {
    if (this.#error === undefined) {
      try {
        await this.#read(chunk);
        if (final) await this.#finish();
      } catch (error) {
        if (!(error instanceof GzipDataError)) throw error;
        this.cancel();
        this.#error = new TypeError(`Cannot decompress gzip input: ${error.message}`, {
          cause: error.cause,
        });
      }
    }
    const out = this.#out.splice(0);
    return this.#error === undefined ? { out } : { out, error: this.#error };
  }

  /** Stops reading: the member being read is given up. */
  cancel(): void {
    this.#member?.cancel();
    this.#member = null;
  }

  async #read(chunk: Uint8Array): Promise<void> {
    let pos = 0;
    const zeros = trailingZeros(chunk);
    while (pos < chunk.length) {
      if (this.#member === null) {
        pos = this.#between(chunk, pos);
        continue;
      }
      let end = this.#nextEnd(chunk, pos, pos, zeros);
      if (end === pos) {
        if (this.#endsHere()) {
          await this.#endMember();
          continue;
        }
        end = this.#nextEnd(chunk, pos, pos + 1, zeros); // not the end: read on
      }
      await this.#write(chunk.subarray(pos, end));
      pos = end;
    }
  }

  /** What comes after a member (or at the start): another member, or zero padding. */
  #between(chunk: Uint8Array, pos: number): number {
    if (this.#padding || (chunk[pos] === 0 && this.#members > 0)) {
      this.#padding = true;
      let nonZero = pos;
      while (nonZero < chunk.length && chunk[nonZero] === 0) nonZero++;
      this.#offset += nonZero - pos;
      if (nonZero === chunk.length) return nonZero;
      throw new GzipDataError(
        `unexpected data after the zero padding at byte ${this.#offset}`,
      );
    }
    if (chunk[pos] !== HEADER_START[0]) {
      const what = this.#members === 0 ? "the input is not gzip (no gzip header)" : "unexpected " +
        `data after gzip member ${this.#members} at byte ${this.#offset}`;
      throw new GzipDataError(what);
    }
    this.#member = this.#makeInflater(this.#out);
    this.#members++;
    this.#memberBytes = 0;
    return pos;
  }

  /**
   * The next place at or after `from` (`pos` being where the chunk's unread bytes start) where
   * the member may end: before a byte that may start another member (`1f 8b 08` and a valid
   * flag byte, as far as the chunk shows), or in the zero bytes that end the chunk; when there
   * is none within one write of `pos`, the end of that write (or of the chunk).
   */
  #nextEnd(chunk: Uint8Array, pos: number, from: number, zeros: number): number {
    // Looked for only as far as one write goes: a search to the chunk's end for every write
    // would read a 1 MiB chunk sixteen times over.
    const limit = Math.min(chunk.length, pos + MAX_WRITE_BYTES);
    const first = Math.max(from, MIN_MEMBER_BYTES - this.#memberBytes + pos);
    let at = first < limit ? chunk.indexOf(HEADER_START[0], first) : -1;
    while (at >= 0 && at < limit && !mayStartMember(chunk, at)) {
      at = chunk.indexOf(HEADER_START[0], at + 1);
    }
    const padding = Math.max(first, zeros);
    const zeroEnd = padding < chunk.length && padding <= zeros + 8 ? padding : chunk.length;
    return Math.min(at < 0 || at > limit ? limit : at, zeroEnd);
  }

  /** Whether the member's trailer (its last 8 bytes so far) matches its output. */
  #endsHere(): boolean {
    const member = this.#member!;
    if (this.#memberBytes < MIN_MEMBER_BYTES) return false;
    if (_readU32(this.#tail, 4) !== member.count % 2 ** 32) return false;
    if (member.crc !== undefined && _readU32(this.#tail, 0) !== member.crc) {
      throw new GzipDataError(
        `gzip member ${this.#members} ending at byte ${this.#offset} is corrupt: ` +
          "its CRC-32 does not match",
      );
    }
    return true;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const member = this.#member!;
    this.#checkHeader(bytes);
    try {
      await member.write(bytes);
    } catch (error) {
      if (!(error instanceof MemberError)) throw error;
      throw new GzipDataError(
        `gzip member ${this.#members} is corrupt (at or before byte ` +
          `${this.#offset + bytes.length}): ${error.message}`,
        { cause: error.cause },
      );
    }
    this.#memberBytes += bytes.length;
    this.#offset += bytes.length;
    const tail = this.#tail;
    if (bytes.length >= 8) {
      tail.set(bytes.subarray(bytes.length - 8));
    } else {
      tail.copyWithin(0, bytes.length);
      tail.set(bytes, 8 - bytes.length);
    }
  }

  /** The member's first three bytes must be `1f 8b 08`. */
  #checkHeader(bytes: Uint8Array): void {
    for (
      let i = this.#memberBytes;
      i < HEADER_START.length && i - this.#memberBytes < bytes.length;
      i++
    ) {
      if (bytes[i - this.#memberBytes] !== HEADER_START[i]) {
        throw new GzipDataError(
          this.#members === 1 && i < 2
            ? "the input is not gzip (no gzip header)"
            : `gzip member ${this.#members} has an invalid header`,
        );
      }
    }
  }

  /** The member ends here: checks it whole. */
  async #endMember(): Promise<void> {
    const member = this.#member!;
    this.#member = null;
    try {
      await member.end(this.#tail);
    } catch (error) {
      if (!(error instanceof MemberError)) throw error;
      throw new GzipDataError(
        `gzip member ${this.#members} ending at byte ${this.#offset} is corrupt: ` +
          error.message,
        { cause: error.cause ?? error },
      );
    }
  }

  /** The end of the input: the member being read must be whole. */
  async #finish(): Promise<void> {
    if (this.#member === null) return;
    if (this.#memberBytes < MIN_MEMBER_BYTES) {
      this.cancel();
      throw new GzipDataError(
        `the input ends inside gzip member ${this.#members} (at byte ${this.#offset}): ` +
          "it is truncated",
      );
    }
    const member = this.#member;
    this.#member = null;
    try {
      await member.end(this.#tail);
    } catch (error) {
      if (!(error instanceof MemberError)) throw error;
      const crc = /CRC-32/.test(error.message);
      throw new GzipDataError(
        crc
          ? `gzip member ${this.#members} ending at byte ${this.#offset} is corrupt: ${error.message}`
          : `the input ends inside gzip member ${this.#members} (at byte ${this.#offset}): it is ` +
            `truncated, or its trailer is corrupt (${error.message})`,
        { cause: error.cause ?? error },
      );
    }
  }
}

let nativeWorks: Promise<boolean> | undefined;

/**
 * Whether members can be decoded with this runtime's `DecompressionStream`: it exists, a write's
 * output is out when the write settles (so a member's end can be found), and it rejects a bad
 * CRC-32. Checked once, on two small members; where it fails, fflate decodes.
 */
export function nativeGunzipWorks(): Promise<boolean> {
  return nativeWorks ??= checkNative().catch(() => false);
}

async function checkNative(): Promise<boolean> {
  if (typeof DecompressionStream !== "function" || typeof CompressionStream !== "function") {
    return false;
  }
  const text = "snowplow\tcheck\n";
  const member = new Uint8Array(
    await new Response(
      new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  const input = new Uint8Array(member.length * 2 + 4);
  input.set(member);
  input.set(member, member.length);
  const good = await new GunzipDecoder(true).push(input, true);
  const decoder = new TextDecoder();
  const decoded = good.out.map((piece) => decoder.decode(piece, { stream: true })).join("");
  if (good.error !== undefined || decoded !== text + text) return false;
  const bad = member.slice();
  bad[bad.length - 8] ^= 0xff;
  return (await new GunzipDecoder(true).push(bad, true)).error !== undefined;
}

/** A decoder using `DecompressionStream` where {@linkcode nativeGunzipWorks}, else fflate. */
export async function makeGunzipDecoder(): Promise<GunzipDecoder> {
  return new GunzipDecoder(await nativeGunzipWorks());
}

/** Corrupt or truncated gzip data (turned into the decoder's `TypeError`). */
class GzipDataError extends Error {}

/** Whether a member may start at `at` (`1f 8b 08` and a flag byte without reserved bits). */
function mayStartMember(chunk: Uint8Array, at: number): boolean {
  const n = chunk.length;
  return (at + 1 >= n || chunk[at + 1] === 0x8b) && (at + 2 >= n || chunk[at + 2] === 0x08) &&
    (at + 3 >= n || (chunk[at + 3] & 0xe0) === 0);
}

/** Where the run of zero bytes that ends `chunk` starts (`chunk.length` when it ends otherwise). */
function trailingZeros(chunk: Uint8Array): number {
  let i = chunk.length;
  while (i > 0 && chunk[i - 1] === 0) i--;
  return i;
}
