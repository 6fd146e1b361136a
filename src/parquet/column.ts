/**
 * One column of a row group: its values as they arrive, then encoded into Parquet pages.
 *
 * @module
 */

import { _Bytes } from "./bytes.ts";
import type { _ColumnKind, _ColumnSpec } from "./columns.ts";
import { _writeRleHybrid } from "./rle.ts";
import { _snappyCompress } from "./snappy.ts";
import { _ThriftWriter } from "./thrift.ts";
import { _timestampMicros } from "./timestamp.ts";

/** A value ready for its column: text, a number, a boolean, or a bigint timestamp. */
export type _ColumnValue = string | number | boolean | bigint;

/** The compression codecs the writer offers. */
export type _Codec = "snappy" | "none";

/** Parquet's physical types, encodings, page types and codecs (parquet.thrift). */
export const _PARQUET = {
  type: { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 },
  encoding: { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 },
  page: { DATA: 0, DICTIONARY: 2 },
  codec: { none: 0, snappy: 1 } as Record<_Codec, number>,
} as const;

const PHYSICAL: Record<_ColumnKind, number> = {
  string: _PARQUET.type.BYTE_ARRAY,
  json: _PARQUET.type.BYTE_ARRAY,
  int: _PARQUET.type.INT32,
  double: _PARQUET.type.DOUBLE,
  bool: _PARQUET.type.BOOLEAN,
  tstamp: _PARQUET.type.INT64,
};

/** The physical type of a column kind. */
export function _physicalType(kind: _ColumnKind): number {
  return PHYSICAL[kind];
}

/** Where encoded pages go: pieces of the file in order, and the file offset after them. */
export interface _PageSink {
  pieces: Uint8Array[];
  /** The file offset at which the next piece starts. */
  offset: number;
}

/** What the footer needs to know about one column chunk. */
export interface _ChunkMeta {
  type: number;
  encodings: number[];
  codec: number;
  numValues: number;
  nullCount: number;
  uncompressedSize: number;
  compressedSize: number;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  /** PLAIN-encoded bounds for numeric and timestamp columns with values. */
  min?: Uint8Array;
  max?: Uint8Array;
}

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/**
 * Checks `value` against the column kind and converts it to what is stored (a timestamp
 * becomes microseconds, JSON its text). Throws a `TypeError` or `RangeError` saying what is
 * wrong with it; the caller adds where.
 */
export function _columnValue(spec: _ColumnSpec, value: unknown): _ColumnValue {
  switch (spec.kind) {
    case "string":
      if (typeof value === "string") return value;
      break;
    case "int":
      if (typeof value === "number" && Number.isInteger(value)) {
        if (value >= INT32_MIN && value <= INT32_MAX) return value;
        throw new RangeError(`${spec.name} ${value} does not fit INT32`);
      }
      break;
    case "double":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      break;
    case "bool":
      if (typeof value === "boolean") return value;
      break;
    case "tstamp": {
      if (typeof value !== "string") break;
      const micros = _timestampMicros(value);
      if (micros === null) {
        throw new RangeError(
          `${spec.name} "${value}" has digits below a microsecond (TIMESTAMP(MICROS) would lose them)`,
        );
      }
      if (micros !== undefined) return micros;
      break;
    }
    case "json": {
      const text = JSON.stringify(value);
      if (typeof text === "string") return text;
      break;
    }
  }
  throw new TypeError(`${spec.name} ${describe(value)} is not a valid ${spec.kind} value`);
}

function describe(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value);
  }
  if (typeof value === "object") return Array.isArray(value) ? "(an array)" : "(an object)";
  return String(value);
}

/** After how many values of the first row group a column's buffer is sized for the rest. */
const SIZING_VALUES = 64;

/** The most a column's buffer is sized for in advance: 64 MiB. */
const MAX_RESERVE = 64 * 1024 * 1024;

/** The room of a new dictionary (a power of two); it doubles as needed. */
const INITIAL_ENTRIES = 64;

/** The most distinct values a dictionary may hold, so indexes fit 16 bits. */
const MAX_DICTIONARY = 0xffff;

/** After this many values, a string column with more than half of them distinct drops its dictionary. */
const SAMPLE = 512;

/**
 * The values of one column in the current row group, encoded as they arrive: PLAIN bytes (so
 * no value is kept as a JavaScript string), and for strings also dictionary indexes while a
 * dictionary still pays (at most half as many distinct values as values). The dictionary is
 * keyed by the values' bytes in the PLAIN buffer: a hash table of entry numbers, each entry
 * the position of its first occurrence.
 */
export class _ColumnBuffer {
  readonly spec: _ColumnSpec;
  /** 1 where row `i` has a value. */
  readonly defs: Uint8Array;
  /** How many values (rows with a value). */
  count = 0;
  /** The values, PLAIN-encoded (booleans one byte each, packed when written). */
  readonly plain: _Bytes;
  /** String columns: whether the dictionary is still kept (it is dropped once it does not pay). */
  hasDictionary: boolean;
  /** String columns: how many distinct values the dictionary holds. */
  dictionarySize = 0;
  /** String columns: the dictionary index of each value. */
  readonly indexes: Uint16Array | undefined;
  /** Numeric and timestamp columns: the smallest and largest value. */
  min: number | bigint | undefined;
  max: number | bigint | undefined;
  readonly #dictionaryLimit: number;
  /** Whether {@linkcode _ColumnBuffer.#reserve} has sized the buffer. */
  #reserved = false;
  /** Open addressing: entry number + 1 of each slot (0: empty). */
  #slots: Int32Array;
  /** Where entry `e`'s bytes start in the PLAIN buffer (after its length). */
  #entryAt: Int32Array;
  #entryLength: Int32Array;
  /** The hash of each entry, to place it again when the table grows. */
  #entryHash: Int32Array;

  constructor(spec: _ColumnSpec, rows: number) {
    this.spec = spec;
    this.defs = new Uint8Array(rows);
    this.plain = new _Bytes(spec.kind === "bool" ? rows : 1 << 14);
    this.#dictionaryLimit = Math.min(MAX_DICTIONARY, rows >> 1);
    this.hasDictionary = spec.kind === "string";
    this.indexes = this.hasDictionary ? new Uint16Array(rows) : undefined;
    // The table starts small and doubles as entries come (most dictionaries stay small).
    const entries = this.hasDictionary ? INITIAL_ENTRIES : 0;
    this.#slots = new Int32Array(2 * entries);
    this.#entryAt = new Int32Array(entries);
    this.#entryLength = new Int32Array(entries);
    this.#entryHash = new Int32Array(entries);
  }

  /** Adds the value of row `row` (a value {@linkcode _columnValue} returned for this column). */
  add(row: number, value: _ColumnValue): void {
    this.defs[row] = 1;
    const plain = this.plain;
    switch (this.spec.kind) {
      case "string": {
        const at = plain.length + 4;
        plain.lengthPrefixedUtf8(value as string);
        if (this.hasDictionary) this.#indexLast(at);
        break;
      }
      case "json":
        plain.lengthPrefixedUtf8(value as string);
        break;
      case "int":
        plain.i32(value as number);
        this.#bound(value as number);
        break;
      case "double":
        plain.f64(value as number);
        this.#bound(value as number);
        break;
      case "tstamp":
        writeInt64(plain, value as number | bigint);
        this.#bound(value as number | bigint);
        break;
      case "bool":
        plain.u8(value ? 1 : 0);
        break;
    }
    if (++this.count === SIZING_VALUES) this.#reserve();
  }

  /**
   * Adds the value of row `row` of a JSON or string column given as its UTF-8 text,
   * `bytes[from, to)` (valid UTF-8: the caller vouches for it), copied as is.
   */
  addText(row: number, bytes: Uint8Array, from: number, to: number): void {
    this.defs[row] = 1;
    const plain = this.plain;
    const length = to - from;
    plain.ensure(4 + length);
    plain.view.setInt32(plain.length, length, true);
    const at = plain.length + 4;
    const out = plain.bytes;
    if (length < 128) { for (let i = from, o = at; i < to; i++) out[o++] = bytes[i]; }
    else out.set(bytes.subarray(from, to), at);
    plain.length = at + length;
    if (this.hasDictionary) this.#indexLast(at);
    if (++this.count === SIZING_VALUES) this.#reserve();
  }

  /**
   * Starts the value of row `row` of a JSON column, whose UTF-8 text the caller then appends
   * to {@linkcode _ColumnBuffer.plain}; returns where it starts, for
   * {@linkcode _ColumnBuffer.endText}.
   */
  beginText(row: number): number {
    this.defs[row] = 1;
    this.plain.i32(0); // its length, set by endText
    return this.plain.length;
  }

  /** Ends the value {@linkcode _ColumnBuffer.beginText} started at `at`. */
  endText(at: number): void {
    this.plain.view.setInt32(at - 4, this.plain.length - at, true);
    if (++this.count === SIZING_VALUES) this.#reserve();
  }

  /** Adds the value of row `row` of a numeric column (an `int` already checked, a `double`). */
  addNumber(row: number, value: number): void {
    this.defs[row] = 1;
    if (this.spec.kind === "int") this.plain.i32(value);
    else this.plain.f64(value);
    this.#bound(value);
    if (++this.count === SIZING_VALUES) this.#reserve();
  }

  /** Adds a boolean of row `row`. */
  addBool(row: number, value: boolean): void {
    this.defs[row] = 1;
    this.plain.u8(value ? 1 : 0);
    if (++this.count === SIZING_VALUES) this.#reserve();
  }

  /** Finds (or adds) the dictionary entry of the value just written at PLAIN's `[at, end)`. */
  #indexLast(at: number): void {
    const plain = this.plain;
    const bytes = plain.bytes;
    const end = plain.length;
    const view = plain.view;
    const length = end - at;
    // A hash of the length and three words (start, middle, end): found entries are compared
    // whole anyway, so hashing every byte would only cost time.
    let hash = Math.imul(length, 0x9e3779b1);
    if (length >= 4) {
      hash = Math.imul(hash ^ view.getInt32(at, true), 0x01000193);
      hash = Math.imul(hash ^ view.getInt32(at + ((length - 4) >> 1), true), 0x01000193);
      hash = Math.imul(hash ^ view.getInt32(end - 4, true), 0x01000193);
    } else {
      for (let i = at; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    }
    hash ^= hash >>> 15;
    const slots = this.#slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot] - 1;
      if (entry < 0) break;
      if (
        this.#entryLength[entry] === length && sameBytes(view, this.#entryAt[entry], at, length)
      ) {
        return this.#indexed(entry);
      }
      slot = (slot + 1) & mask;
    }
    const entry = this.dictionarySize;
    if (entry >= this.#dictionaryLimit) {
      this.hasDictionary = false;
      return;
    }
    if (entry === this.#entryAt.length) {
      this.#grow();
      slot = hash & (this.#slots.length - 1);
      while (this.#slots[slot] !== 0) slot = (slot + 1) & (this.#slots.length - 1);
    }
    this.#slots[slot] = entry + 1;
    this.#entryAt[entry] = at;
    this.#entryLength[entry] = length;
    this.#entryHash[entry] = hash;
    this.dictionarySize++;
    this.#indexed(entry);
  }

  /** Doubles the table and the entries' room, placing every entry again. */
  #grow(): void {
    const entries = this.#entryAt.length * 2;
    const at = new Int32Array(entries);
    at.set(this.#entryAt);
    this.#entryAt = at;
    const length = new Int32Array(entries);
    length.set(this.#entryLength);
    this.#entryLength = length;
    const hashes = new Int32Array(entries);
    hashes.set(this.#entryHash);
    this.#entryHash = hashes;
    const slots = this.#slots = new Int32Array(2 * entries);
    const mask = slots.length - 1;
    for (let e = 0; e < this.dictionarySize; e++) {
      let slot = hashes[e] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
  }

  #indexed(entry: number): void {
    this.indexes![this.count] = entry;
    if (this.count + 1 === SAMPLE && this.dictionarySize > SAMPLE >> 1) this.hasDictionary = false;
  }

  /** Appends the dictionary's values, PLAIN-encoded in index order, to `body`. */
  writeDictionary(body: _Bytes): void {
    const bytes = this.plain.bytes;
    for (let e = 0; e < this.dictionarySize; e++) {
      const at = this.#entryAt[e];
      body.i32(this.#entryLength[e]);
      body.appendRange(bytes, at, at + this.#entryLength[e]);
    }
  }

  /**
   * Once the first row group has had {@linkcode SIZING_VALUES} values, makes room for what the
   * row group will need at this rate, so the buffer grows once rather than doubling again and
   * again (each doubling copies everything so far).
   */
  #reserve(): void {
    if (this.#reserved) return;
    this.#reserved = true;
    const plain = this.plain;
    const rows = this.defs.length;
    const expected = Math.min(plain.length * (rows / this.#lastRow()) * 1.25, MAX_RESERVE);
    if (expected > plain.bytes.length) plain.ensure(Math.ceil(expected) - plain.length);
  }

  /** The number of rows up to the last one with a value. */
  #lastRow(): number {
    let row = this.defs.length;
    while (row > 0 && this.defs[row - 1] === 0) row--;
    return Math.max(row, 1);
  }

  #bound(value: number | bigint): void {
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
  }

  /** Whether the dictionary pays: at most half as many distinct values as values. */
  get useDictionary(): boolean {
    return this.hasDictionary && this.count > 0 && this.dictionarySize <= this.count >> 1;
  }

  /** Forgets the row group's values (keeping the buffers' memory). */
  reset(): void {
    this.defs.fill(0);
    this.count = 0;
    this.plain.reset();
    if (this.spec.kind === "string") {
      this.hasDictionary = true;
      this.dictionarySize = 0;
      this.#slots.fill(0);
    }
    this.min = undefined;
    this.max = undefined;
  }
}

function sameBytes(view: DataView, a: number, b: number, length: number): boolean {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) return false;
  }
  for (; i < length; i++) if (view.getUint8(a + i) !== view.getUint8(b + i)) return false;
  return true;
}

/** Reused buffers for encoding. */
export class _Scratch {
  readonly body: _Bytes = new _Bytes(1 << 20);
  readonly compressed: _Bytes = new _Bytes(1 << 20);
  readonly header: _Bytes = new _Bytes(256);
}

/**
 * Appends the pages of one column chunk (`rows` rows; `column` may be `undefined` for a
 * column with no value in the row group) to `out`, and says where they are.
 */
export function _writeChunk(
  out: _PageSink,
  kind: _ColumnKind,
  column: _ColumnBuffer | undefined,
  rows: number,
  codec: _Codec,
  scratch: _Scratch,
): _ChunkMeta {
  const count = column?.count ?? 0;
  const meta: _ChunkMeta = {
    type: PHYSICAL[kind],
    encodings: [_PARQUET.encoding.PLAIN, _PARQUET.encoding.RLE],
    codec: _PARQUET.codec[codec],
    numValues: rows,
    nullCount: rows - count,
    uncompressedSize: 0,
    compressedSize: 0,
    dataPageOffset: 0,
  };
  const dictionary = column?.useDictionary ? column : undefined;
  if (dictionary !== undefined) {
    meta.dictionaryPageOffset = out.offset;
    meta.encodings.push(_PARQUET.encoding.RLE_DICTIONARY);
    const body = scratch.body;
    body.reset();
    dictionary.writeDictionary(body);
    writePage(out, meta, scratch, codec, _PARQUET.page.DICTIONARY, (t) =>
      t.struct(7, () => {
        t.i32(1, dictionary.dictionarySize);
        t.i32(2, _PARQUET.encoding.PLAIN);
      }));
  }
  meta.dataPageOffset = out.offset;
  const body = scratch.body;
  body.reset();
  body.i32(0); // the byte length of the definition levels, set below
  if (rows >= 8 && (count === 0 || count === rows)) {
    // No value or every row has one: a single run (what the hybrid writer makes of it).
    body.varint(rows * 2);
    body.u8(count === 0 ? 0 : 1);
  } else _writeRleHybrid(body, column?.defs ?? new Uint8Array(rows), rows, 1);
  body.view.setInt32(0, body.length - 4, true);
  if (column !== undefined && count > 0) {
    if (dictionary !== undefined) {
      const bitWidth = Math.max(1, 32 - Math.clz32(dictionary.dictionarySize - 1));
      body.u8(bitWidth);
      _writeRleHybrid(body, column.indexes!, count, bitWidth);
    } else if (kind === "bool") writeBooleans(body, column.plain.content());
    else body.append(column.plain.content());
    if (column.min !== undefined) {
      meta.min = bound(kind, column.min);
      meta.max = bound(kind, column.max!);
    }
  }
  const encoding = dictionary ? _PARQUET.encoding.RLE_DICTIONARY : _PARQUET.encoding.PLAIN;
  writePage(out, meta, scratch, codec, _PARQUET.page.DATA, (t) =>
    t.struct(5, () => {
      t.i32(1, rows);
      t.i32(2, encoding);
      t.i32(3, _PARQUET.encoding.RLE);
      t.i32(4, _PARQUET.encoding.RLE);
    }));
  return meta;
}

/** Writes `scratch.body` as one page: header, then the body compressed with `codec`. */
function writePage(
  out: _PageSink,
  meta: _ChunkMeta,
  scratch: _Scratch,
  codec: _Codec,
  pageType: number,
  pageHeader: (t: _ThriftWriter) => void,
): void {
  const body = scratch.body.content();
  let stored = body;
  if (codec === "snappy") {
    scratch.compressed.reset();
    _snappyCompress(body, scratch.compressed);
    stored = scratch.compressed.content();
  }
  const header = scratch.header;
  header.reset();
  const t = new _ThriftWriter(header);
  t.message(() => {
    t.i32(1, pageType);
    t.i32(2, body.length);
    t.i32(3, stored.length);
    pageHeader(t);
  });
  const page = new Uint8Array(header.length + stored.length);
  page.set(header.content());
  page.set(stored, header.length);
  out.pieces.push(page);
  out.offset += page.length;
  meta.uncompressedSize += header.length + body.length;
  meta.compressedSize += header.length + stored.length;
}

/** Packs booleans stored one byte each into bits, eight per byte, first value lowest. */
function writeBooleans(body: _Bytes, bytes: Uint8Array): void {
  body.ensure((bytes.length + 7) >> 3);
  for (let i = 0; i < bytes.length; i += 8) {
    let byte = 0;
    for (let b = 0; b < 8 && i + b < bytes.length; b++) byte |= bytes[i + b] << b;
    body.u8(byte);
  }
}

function writeInt64(body: _Bytes, value: number | bigint): void {
  if (typeof value === "number") body.i64(value);
  else {
    body.ensure(8);
    body.view.setBigInt64(body.length, value, true);
    body.length += 8;
  }
}

/** A statistics bound: the value PLAIN-encoded. */
function bound(kind: _ColumnKind, value: number | bigint): Uint8Array {
  const bytes = new _Bytes(8);
  if (kind === "int") bytes.i32(value as number);
  else if (kind === "double") bytes.f64(value as number);
  else writeInt64(bytes, value);
  return bytes.content().slice();
}
