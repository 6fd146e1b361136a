/**
 * A Snappy compressor (the raw format, without framing), for Parquet's SNAPPY codec.
 *
 * The format: the uncompressed length as a varint, then literals and back-references
 * ("copies") of 4–64 bytes at offsets below 64 KiB. Matches are found with a hash of four
 * bytes; input is handled in 64 KiB blocks so every offset fits two bytes.
 *
 * @module
 */

import type { _Bytes } from "./bytes.ts";

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const table = new Int32Array(1 << HASH_BITS);

/** Appends the Snappy compression of `input` to `out`. */
export function _snappyCompress(input: Uint8Array, out: _Bytes): void {
  out.varint(input.length);
  // Worst case: every byte a literal, plus literal tags.
  out.ensure(input.length + Math.ceil(input.length / 6) + 16);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let o = out.length;
  for (let start = 0; start < input.length; start += BLOCK) {
    o = compressBlock(input, view, start, Math.min(start + BLOCK, input.length), out.bytes, o);
  }
  out.length = o;
}

function hash(value: number): number {
  return Math.imul(value, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

/** Compresses `input[start, end)` into `dst` at `o` (room is ensured); returns the end. */
function compressBlock(
  input: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  dst: Uint8Array,
  o: number,
): number {
  table.fill(-1);
  let literalStart = start;
  let at = start;
  const lastMatchStart = end - 4;
  let misses = 0;
  while (at <= lastMatchStart) {
    const word = view.getUint32(at, true);
    const h = hash(word);
    const candidate = table[h];
    table[h] = at;
    if (candidate < start || view.getUint32(candidate, true) !== word) {
      // Step further the longer nothing matched, so incompressible data goes fast.
      at += 1 + (misses++ >> 5);
      continue;
    }
    misses = 0;
    let length = 4;
    while (
      at + length + 4 <= end &&
      view.getUint32(candidate + length, true) === view.getUint32(at + length, true)
    ) {
      length += 4;
    }
    while (at + length < end && input[candidate + length] === input[at + length]) length++;
    if (at > literalStart) o = writeLiteral(input, literalStart, at, dst, o);
    o = writeCopies(at - candidate, length, dst, o);
    at += length;
    literalStart = at;
  }
  if (end > literalStart) o = writeLiteral(input, literalStart, end, dst, o);
  return o;
}

function writeLiteral(
  input: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  o: number,
): number {
  const n = end - start - 1;
  if (n < 60) dst[o++] = n << 2;
  else if (n < 0x100) {
    dst[o++] = 60 << 2;
    dst[o++] = n;
  } else if (n < 0x10000) {
    dst[o++] = 61 << 2;
    dst[o++] = n & 0xff;
    dst[o++] = n >>> 8;
  } else {
    dst[o++] = 62 << 2;
    dst[o++] = n & 0xff;
    dst[o++] = (n >>> 8) & 0xff;
    dst[o++] = n >>> 16;
  }
  if (end - start < 64) {
    for (let i = start; i < end; i++) dst[o++] = input[i];
    return o;
  }
  dst.set(input.subarray(start, end), o);
  return o + end - start;
}

function writeCopies(offset: number, length: number, dst: Uint8Array, o: number): number {
  // Pieces of at most 64 bytes, none shorter than 4.
  while (length >= 68) {
    o = writeCopy(offset, 64, dst, o);
    length -= 64;
  }
  if (length > 64) {
    o = writeCopy(offset, 60, dst, o);
    length -= 60;
  }
  return writeCopy(offset, length, dst, o);
}

function writeCopy(offset: number, length: number, dst: Uint8Array, o: number): number {
  if (length <= 11 && offset < 2048) {
    dst[o++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
    dst[o++] = offset & 0xff;
  } else {
    dst[o++] = ((length - 1) << 2) | 2;
    dst[o++] = offset & 0xff;
    dst[o++] = offset >>> 8;
  }
  return o;
}
