/**
 * Parquet's RLE / bit-packing hybrid encoding of small unsigned integers (definition levels and
 * dictionary indexes).
 *
 * @module
 */

import type { _Bytes } from "./bytes.ts";

/**
 * Appends `values[0..count)` in the hybrid encoding with `bitWidth` bits per value (1–16):
 * a run of eight or more equal values starting at a group boundary becomes an RLE run, the
 * rest bit-packed groups of eight (the last group padded with zeros, as the format allows).
 */
export function _writeRleHybrid(
  out: _Bytes,
  values: ArrayLike<number>,
  count: number,
  bitWidth: number,
): void {
  const byteWidth = (bitWidth + 7) >> 3;
  let packedStart = -1;
  let i = 0;
  while (i < count) {
    const value = values[i];
    let run = 1;
    while (i + run < count && values[i + run] === value) run++;
    if (run >= 8) {
      if (packedStart >= 0) writePacked(out, values, packedStart, i, bitWidth);
      packedStart = -1;
      out.varint(run * 2);
      for (let b = 0; b < byteWidth; b++) out.u8((value >>> (8 * b)) & 0xff);
      i += run;
    } else {
      if (packedStart < 0) packedStart = i;
      i += 8;
    }
  }
  if (packedStart >= 0) writePacked(out, values, packedStart, count, bitWidth);
}

function writePacked(
  out: _Bytes,
  values: ArrayLike<number>,
  start: number,
  end: number,
  bitWidth: number,
): void {
  const groups = Math.ceil((end - start) / 8);
  out.varint(groups * 2 + 1);
  out.ensure(groups * bitWidth);
  const bytes = out.bytes;
  let at = out.length;
  let acc = 0;
  let bits = 0;
  const stop = start + groups * 8;
  for (let k = start; k < stop; k++) {
    acc |= (k < end ? values[k] : 0) << bits;
    bits += bitWidth;
    while (bits >= 8) {
      bytes[at++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out.length = at;
}
