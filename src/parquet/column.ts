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

/** The values of one column in the current row group. */
export class _ColumnBuffer {
  readonly spec: _ColumnSpec;
  /** 1 where row `i` has a value. */
  defs: Uint8Array;
  /** The values of the rows that have one, in row order. */
  values: _ColumnValue[] = [];

  constructor(spec: _ColumnSpec, rows: number) {
    this.spec = spec;
    this.defs = new Uint8Array(rows);
  }

  /** Forgets the row group's values. */
  reset(): void {
    this.defs.fill(0);
    this.values = [];
  }
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
  const values = column?.values ?? [];
  const meta: _ChunkMeta = {
    type: PHYSICAL[kind],
    encodings: [_PARQUET.encoding.PLAIN, _PARQUET.encoding.RLE],
    codec: _PARQUET.codec[codec],
    numValues: rows,
    nullCount: rows - values.length,
    uncompressedSize: 0,
    compressedSize: 0,
    dataPageOffset: 0,
  };
  const dictionary = kind === "string" ? dictionaryOf(values as string[]) : undefined;
  if (dictionary !== undefined) {
    meta.dictionaryPageOffset = out.offset;
    meta.encodings.push(_PARQUET.encoding.RLE_DICTIONARY);
    const body = scratch.body;
    body.reset();
    for (const text of dictionary.keys()) body.lengthPrefixedUtf8(text);
    writePage(out, meta, scratch, codec, _PARQUET.page.DICTIONARY, (t) =>
      t.struct(7, () => {
        t.i32(1, dictionary.size);
        t.i32(2, _PARQUET.encoding.PLAIN);
      }));
  }
  meta.dataPageOffset = out.offset;
  const body = scratch.body;
  body.reset();
  body.i32(0); // the byte length of the definition levels, set below
  _writeRleHybrid(body, column?.defs ?? new Uint8Array(rows), rows, 1);
  body.view.setInt32(0, body.length - 4, true);
  if (dictionary !== undefined) writeIndexes(body, values as string[], dictionary);
  else writePlain(body, kind, values);
  if (values.length > 0 && (kind === "int" || kind === "double" || kind === "tstamp")) {
    setBounds(meta, kind, values as (number | bigint)[]);
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

/** The most distinct values a dictionary may hold, so indexes fit 16 bits. */
const MAX_DICTIONARY = 0xffff;

/** How many values are looked at first to guess whether a dictionary pays. */
const SAMPLE = 512;

/**
 * A dictionary when it pays: at most half as many distinct values as values (checked first on
 * the first {@linkcode SAMPLE} values, so unique columns such as ids cost little).
 */
function dictionaryOf(values: string[]): Map<string, number> | undefined {
  if (values.length === 0) return undefined;
  const dictionary = new Map<string, number>();
  const sample = Math.min(SAMPLE, values.length);
  for (let i = 0; i < sample; i++) {
    if (!dictionary.has(values[i])) dictionary.set(values[i], dictionary.size);
  }
  if (dictionary.size > sample >> 1) return undefined;
  const limit = Math.min(MAX_DICTIONARY, values.length >> 1);
  for (let i = sample; i < values.length; i++) {
    const value = values[i];
    if (dictionary.has(value)) continue;
    if (dictionary.size >= limit) return undefined;
    dictionary.set(value, dictionary.size);
  }
  return dictionary.size > limit ? undefined : dictionary;
}

function writeIndexes(body: _Bytes, values: string[], dictionary: Map<string, number>): void {
  const bitWidth = Math.max(1, 32 - Math.clz32(dictionary.size - 1));
  const indexes = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) indexes[i] = dictionary.get(values[i])!;
  body.u8(bitWidth);
  _writeRleHybrid(body, indexes, indexes.length, bitWidth);
}

function writePlain(body: _Bytes, kind: _ColumnKind, values: _ColumnValue[]): void {
  switch (kind) {
    case "string":
    case "json":
      for (const value of values) body.lengthPrefixedUtf8(value as string);
      return;
    case "int":
      body.ensure(values.length * 4);
      for (const value of values) body.i32(value as number);
      return;
    case "double":
      body.ensure(values.length * 8);
      for (const value of values) body.f64(value as number);
      return;
    case "tstamp":
      for (const value of values) writeInt64(body, value as number | bigint);
      return;
    case "bool": {
      body.ensure((values.length + 7) >> 3);
      for (let i = 0; i < values.length; i += 8) {
        let byte = 0;
        for (let b = 0; b < 8 && i + b < values.length; b++) if (values[i + b]) byte |= 1 << b;
        body.u8(byte);
      }
    }
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

function setBounds(meta: _ChunkMeta, kind: _ColumnKind, values: (number | bigint)[]): void {
  let min = values[0];
  let max = values[0];
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const bound = (value: number | bigint): Uint8Array => {
    const bytes = new _Bytes(8);
    if (kind === "int") bytes.i32(value as number);
    else if (kind === "double") bytes.f64(value as number);
    else writeInt64(bytes, value);
    return bytes.content().slice();
  };
  meta.min = bound(min);
  meta.max = bound(max);
}
