/**
 * CRC-32 (the gzip trailer's checksum, ISO 3309 / ITU-T V.42), computed four bytes at a time.
 *
 * @module
 */

let tables: Uint32Array[] | undefined;

/** The byte-wise table and three derived ones for reading four bytes per step. */
function makeTables(): Uint32Array[] {
  const t = Array.from({ length: 4 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k][n] = (t[k - 1][n] >>> 8) ^ t[0][t[k - 1][n] & 0xff];
  }
  return t;
}

/**
 * The CRC-32 of `bytes` following data whose CRC-32 was `previous` (0 for none), unsigned.
 *
 * @param bytes The next bytes.
 * @param previous The CRC-32 of the bytes before them.
 * @returns The CRC-32 of all the bytes.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3] = tables ??= makeTables();
  let crc = ~previous;
  let i = 0;
  for (const end = bytes.length - 3; i < end; i += 4) {
    crc ^= bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | bytes[i + 3] << 24;
    crc = t3[crc & 0xff] ^ t2[(crc >>> 8) & 0xff] ^ t1[(crc >>> 16) & 0xff] ^ t0[crc >>> 24];
  }
  for (; i < bytes.length; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
