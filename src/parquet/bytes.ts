/**
 * A growable little-endian byte buffer, the one place Parquet bytes are assembled.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Appends little-endian numbers, varints and UTF-8 text to one growing `Uint8Array`. */
export class _Bytes {
  /** The buffer; bytes `[0, length)` are the content. Replaced when it grows. */
  bytes: Uint8Array<ArrayBuffer>;
  /** A view of {@linkcode _Bytes.bytes}. */
  view: DataView;
  /** How many bytes are content. */
  length = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Empties the buffer, keeping its memory. */
  reset(): void {
    this.length = 0;
  }

  /** The content, without copying: valid until the next write or reset. */
  content(): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(0, this.length);
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  i32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** A signed 64-bit integer given as a safe integer number. */
  i64(value: number): void {
    this.ensure(8);
    const low = value % 0x1_0000_0000;
    const high = (value - low) / 0x1_0000_0000;
    // A negative value: low in (-2^32, 0] borrows one from high.
    if (low < 0) {
      this.view.setUint32(this.length, low + 0x1_0000_0000, true);
      this.view.setInt32(this.length + 4, high - 1, true);
    } else {
      this.view.setUint32(this.length, low, true);
      this.view.setInt32(this.length + 4, high, true);
    }
    this.length += 8;
  }

  /** An unsigned LEB128 varint of a non-negative safe integer. */
  varint(value: number): void {
    this.ensure(10);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  /** Appends `src[from, to)`: short runs byte by byte (cheaper than a subarray and `set`). */
  appendRange(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.ensure(n);
    const out = this.bytes;
    let o = this.length;
    if (n < 128) { for (let i = from; i < to; i++) out[o++] = src[i]; }
    else out.set(src.subarray(from, to), o);
    this.length += n;
  }

  append(chunk: Uint8Array): void {
    this.ensure(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** UTF-8 text without a length. */
  utf8(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    this.ensure(text.length * 3);
    this.length += encoder.encodeInto(text, this.bytes.subarray(this.length)).written;
  }

  /** UTF-8 text after its byte length as 4 bytes: Parquet's PLAIN `BYTE_ARRAY`. */
  lengthPrefixedUtf8(text: string): void {
    this.ensure(4 + text.length * 3);
    const start = this.length + 4;
    let written: number;
    if (text.length < 64) written = writeShortUtf8(text, this.bytes, start);
    else written = encoder.encodeInto(text, this.bytes.subarray(start)).written;
    this.view.setInt32(this.length, written, true);
    this.length = start + written;
  }
}

/** Writes short text without the cost of a `encodeInto` call when it is ASCII. */
function writeShortUtf8(text: string, bytes: Uint8Array, start: number): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return encoder.encodeInto(text, bytes.subarray(start)).written;
    bytes[start + i] = c;
  }
  return text.length;
}
