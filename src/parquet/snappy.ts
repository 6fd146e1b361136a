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
  for (let start = 0; start < input.length; start += BLOCK) {
    compressBlock(input, start, Math.min(start + BLOCK, input.length), out);
  }
}

function load32(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
}

function hash(value: number): number {
  return Math.imul(value, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function compressBlock(input: Uint8Array, start: number, end: number, out: _Bytes): void {
  table.fill(-1);
  let literalStart = start;
  let at = start;
  const lastMatchStart = end - 4;
  let misses = 0;
  while (at <= lastMatchStart) {
    const word = load32(input, at);
    const h = hash(word);
    const candidate = table[h];
    table[h] = at;
    if (candidate < start || load32(input, candidate) !== word) {
      // Step further the longer nothing matched, so incompressible data goes fast.
      at += 1 + (misses++ >> 5);
      continue;
    }
    misses = 0;
    let length = 4;
    while (at + length < end && input[candidate + length] === input[at + length]) length++;
    if (at > literalStart) writeLiteral(input, literalStart, at, out);
    writeCopies(at - candidate, length, out);
    at += length;
    literalStart = at;
  }
  if (end > literalStart) writeLiteral(input, literalStart, end, out);
}

function writeLiteral(input: Uint8Array, start: number, end: number, out: _Bytes): void {
  const n = end - start - 1;
  if (n < 60) out.u8(n << 2);
  else if (n < 0x100) {
    out.u8(60 << 2);
    out.u8(n);
  } else if (n < 0x10000) {
    out.u8(61 << 2);
    out.u8(n & 0xff);
    out.u8(n >>> 8);
  } else {
    out.u8(62 << 2);
    out.u8(n & 0xff);
    out.u8((n >>> 8) & 0xff);
    out.u8(n >>> 16);
  }
  out.append(input.subarray(start, end));
}

function writeCopies(offset: number, length: number, out: _Bytes): void {
  // Pieces of at most 64 bytes, none shorter than 4.
  while (length >= 68) {
    writeCopy(offset, 64, out);
    length -= 64;
  }
  if (length > 64) {
    writeCopy(offset, 60, out);
    length -= 60;
  }
  writeCopy(offset, length, out);
}

function writeCopy(offset: number, length: number, out: _Bytes): void {
  if (length <= 11 && offset < 2048) {
    out.u8(((offset >>> 8) << 5) | ((length - 4) << 2) | 1);
    out.u8(offset & 0xff);
  } else {
    out.u8(((length - 1) << 2) | 2);
    out.u8(offset & 0xff);
    out.u8(offset >>> 8);
  }
}
