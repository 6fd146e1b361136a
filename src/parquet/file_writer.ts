/**
 * A Parquet file built row group by row group: events in, file bytes out.
 *
 * @module
 */

import {
  type _ChunkMeta,
  type _Codec,
  _ColumnBuffer,
  type _ColumnValue,
  _columnValue,
  type _PageSink,
  _Scratch,
  _writeChunk,
} from "./column.ts";
import { _ATOMIC_COLUMNS, _columnFor, type _ColumnSpec } from "./columns.ts";
import { _encodeFooter, type _RowGroupMeta } from "./footer.ts";
import { _JsonRow } from "./json_row.ts";
import { _timestampMicrosAt } from "./timestamp.ts";
import type { ToParquetOptions } from "./to_parquet.ts";
import { _Bytes } from "./bytes.ts";
import type { LineFields } from "../event/_line_fields.ts";
import {
  BOOL,
  CONTEXTS,
  GEO_SEPARATOR,
  INT,
  KINDS,
  LATITUDE,
  LONGITUDE,
  NAMES,
  STRING,
  TSTAMP,
} from "../event/_rules.ts";
import { FIELD_COUNT } from "../event/fields.ts";

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const FIELD_INDEX: ReadonlyMap<string, number> = new Map(NAMES.map((name, i) => [name, i]));
const GEO = "geo_location";

const decoder = new TextDecoder("utf-8", { fatal: true });

const MAGIC = new TextEncoder().encode("PAR1");

interface ColumnState {
  spec: _ColumnSpec;
  buffer: _ColumnBuffer;
  /** The row group in which the column first had a value (earlier ones get null chunks). */
  firstRowGroup: number;
}

/** How {@linkcode _ParquetFileWriter} writes. */
export interface _FileWriterOptions {
  rowGroupSize: number;
  codec: _Codec;
  /** The exact columns, in order; without it, every atomic column and the shredded ones seen. */
  columns?: readonly string[];
}

/**
 * Collects events into column buffers and encodes each full row group. Bytes come out of
 * {@linkcode _ParquetFileWriter.addRowGroup} and {@linkcode _ParquetFileWriter.finish}, in
 * file order.
 */
export class _ParquetFileWriter {
  readonly #rowGroupSize: number;
  readonly #codec: _Codec;
  readonly #fixed: boolean;
  readonly #columns = new Map<string, ColumnState>();
  readonly #rowGroups: _RowGroupMeta[] = [];
  readonly #out: _PageSink = { pieces: [], offset: 0 };
  readonly #scratch = new _Scratch();
  /** Rows in the current row group. */
  #rows = 0;
  /** Events seen, for error messages. */
  #events = 0;
  #pendingColumns: (ColumnState | _ColumnSpec)[] = [];
  #pendingValues: _ColumnValue[] = [];
  readonly #row = new _JsonRow();
  readonly #names = new NameCache();
  /** The column of each atomic field, by field index (none: not among `columns`). */
  readonly #byField: (ColumnState | undefined)[] = new Array(FIELD_COUNT).fill(undefined);
  #geo: ColumnState | undefined;
  /** {@linkcode _ParquetFileWriter.addFields}: the timestamps of the line, by field index. */
  readonly #stamps: (number | bigint)[] = new Array(FIELD_COUNT).fill(0);
  /** Where `geo_location` is put together. */
  readonly #text = new _Bytes(1 << 12);

  constructor(options: _FileWriterOptions) {
    this.#rowGroupSize = options.rowGroupSize;
    this.#codec = options.codec;
    this.#fixed = options.columns !== undefined;
    const specs = options.columns === undefined ? _ATOMIC_COLUMNS : fixedColumns(options.columns);
    for (const spec of specs) this.#addColumn(spec);
    this.#out.pieces.push(MAGIC.slice());
    this.#out.offset = MAGIC.length;
  }

  #addColumn(spec: _ColumnSpec): ColumnState {
    const state = {
      spec,
      buffer: new _ColumnBuffer(spec, this.#rowGroupSize),
      firstRowGroup: this.#rowGroups.length,
    };
    this.#columns.set(spec.name, state);
    const field = FIELD_INDEX.get(spec.name);
    if (field !== undefined && KINDS[field] < CONTEXTS) this.#byField[field] = state;
    else if (spec.name === GEO) this.#geo = state;
    return state;
  }

  /** Whether the current row group is full. */
  get full(): boolean {
    return this.#rows >= this.#rowGroupSize;
  }

  /** How many events were added (including ones that failed). */
  get events(): number {
    return this.#events;
  }

  /**
   * Adds one event as a row. An event with a key that has no column, or a value its column
   * cannot hold, throws a `TypeError` or `RangeError` naming the event and the key, and adds
   * nothing.
   */
  add(event: Record<string, unknown>): void {
    const number = ++this.#events;
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
      throw new TypeError(`Cannot write event ${number} to Parquet: expected an object`);
    }
    const columns = this.#pendingColumns;
    const values = this.#pendingValues;
    let count = 0;
    // Object.keys, not for…in: transform's objects have dictionary properties, which for…in
    // enumerates about twice as slowly.
    const keys = Object.keys(event);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const value = event[key];
      if (value === null || value === undefined) continue;
      const state = this.#columns.get(key);
      const spec = state?.spec ?? this.#newColumn(key, number);
      try {
        values[count] = _columnValue(spec, value);
      } catch (error) {
        if (error instanceof RangeError) {
          throw new RangeError(`Cannot write event ${number} to Parquet: ${error.message}`);
        }
        throw new TypeError(`Cannot write event ${number} to Parquet: ${(error as Error).message}`);
      }
      columns[count++] = state ?? spec;
    }
    const row = this.#rows++;
    for (let i = 0; i < count; i++) {
      const pending = columns[i];
      const column = "buffer" in pending
        ? pending
        : (this.#columns.get(pending.name) ?? this.#addColumn(pending));
      column.buffer.add(row, values[i]);
    }
  }

  /**
   * Adds one event given as its compact flat JSON text `bytes[start, end)` (as
   * `writeEventJson` writes it, without the line feed): like {@linkcode add} on its
   * `JSON.parse`, but shredded values are copied as JSON text and atomic values read from their
   * bytes. Text of another shape (whitespace, escaped names) takes the `JSON.parse` path.
   */
  addJson(bytes: Uint8Array, start: number, end: number): void {
    const row = this.#row;
    if (!row.split(bytes, start, end)) {
      return this.add(JSON.parse(decoder.decode(bytes.subarray(start, end))));
    }
    const number = ++this.#events;
    const columns = this.#pendingColumns;
    const values = this.#pendingValues;
    let count = 0;
    for (let m = 0; m < row.count; m++) {
      const from = row.valueFrom[m];
      const to = row.valueTo[m];
      if (to - from === 4 && bytes[from] === 110) continue; // null
      const key = this.#names.of(bytes, row.nameFrom[m], row.nameTo[m]);
      const state = this.#columns.get(key);
      if (state === undefined && !this.#fixed && _columnFor(key) === undefined) {
        this.#events = number - 1;
        return this.add(JSON.parse(decoder.decode(bytes.subarray(start, end))));
      }
      const spec = state?.spec ?? this.#newColumn(key, number);
      const kind = spec.kind;
      if (kind === "json" || (kind === "string" && bytes[from] === 34 && !row.escaped[m])) {
        values[count] = m; // copied as bytes below
      } else {
        try {
          values[count] = _columnValue(spec, valueOf(spec, bytes, from, to, row.escaped[m]));
        } catch (error) {
          if (error instanceof RangeError) {
            throw new RangeError(`Cannot write event ${number} to Parquet: ${error.message}`);
          }
          throw new TypeError(
            `Cannot write event ${number} to Parquet: ${(error as Error).message}`,
          );
        }
      }
      columns[count++] = state ?? spec;
    }
    const at = this.#rows++;
    for (let i = 0; i < count; i++) {
      const pending = columns[i];
      const column = "buffer" in pending
        ? pending
        : (this.#columns.get(pending.name) ?? this.#addColumn(pending));
      const kind = column.spec.kind;
      const value = values[i];
      if (kind === "json") {
        column.buffer.addText(
          at,
          bytes,
          row.valueFrom[value as number],
          row.valueTo[value as number],
        );
      } else if (kind === "string" && typeof value === "number") {
        column.buffer.addText(at, bytes, row.valueFrom[value] + 1, row.valueTo[value] - 1);
      } else column.buffer.add(at, value);
    }
  }

  /**
   * Adds one event given as the validated fields of its enriched TSV line (`LineFields`, read
   * without the `schemaVersion` option; `geo` is the `geoLocation` option): values go from the
   * line's bytes into the columns. Returns `false`, adding nothing, when the event's file
   * row would not be what {@linkcode add} makes of it without an error: an int beyond INT32,
   * a timestamp finer than a microsecond, a key not among `columns`, JSON text other than what
   * `JSON.stringify` writes (spaces, `\u` or `\/` escapes, numbers such as `1.0`, `1e2` or
   * beyond 15 digits). The caller then takes the general path, which gives the event or the
   * error.
   */
  addFields(f: LineFields, geo: boolean): boolean {
    const bytes = f.bytes;
    const from = f.from;
    const to = f.to;
    const byField = this.#byField;
    const stamps = this.#stamps;
    const present = f.present;
    const count = f.presentCount;
    for (let n = 0; n < count; n++) {
      const i = present[n];
      const kind = KINDS[i];
      if (byField[i] === undefined) return false;
      if (kind === INT) {
        const value = f.numbers[i];
        if (value < INT32_MIN || value > INT32_MAX) return false;
      } else if (kind === TSTAMP) {
        const micros = _timestampMicrosAt(bytes, from[i], to[i]);
        if (micros === null) return false;
        stamps[i] = micros;
      }
    }
    // JSON text is copied only when it is what the object path writes (JSON.stringify).
    if (!f.scan.verbatim) return false;
    const hasGeo = geo && from[LATITUDE] < to[LATITUDE] && from[LONGITUDE] < to[LONGITUDE];
    if (hasGeo && this.#geo === undefined) return false;
    if (!this.#shreddedColumns(f)) return false;
    this.#events++;
    const row = this.#rows++;
    if (hasGeo) {
      const text = this.#text;
      text.reset();
      text.appendRange(bytes, from[LATITUDE], to[LATITUDE]);
      text.u8(GEO_SEPARATOR.charCodeAt(0));
      text.appendRange(bytes, from[LONGITUDE], to[LONGITUDE]);
      this.#geo!.buffer.addText(row, text.bytes, 0, text.length);
    }
    for (let n = 0; n < count; n++) {
      const i = present[n];
      const a = from[i];
      const b = to[i];
      const kind = KINDS[i];
      if (kind === STRING) byField[i]!.buffer.addText(row, bytes, a, b);
      else if (kind < BOOL) byField[i]!.buffer.addNumber(row, f.numbers[i]);
      else if (kind === BOOL) byField[i]!.buffer.addBool(row, bytes[a] === 49);
      else if (kind === TSTAMP) byField[i]!.buffer.add(row, stamps[i]);
    }
    this.#addShredded(f, row);
    return true;
  }

  /**
   * Whether every shredded column of the line has a column (with `columns`), else adds the
   * missing ones in the order the flat form has them: the contexts field's, the unstruct
   * event's, then those new in the derived contexts.
   */
  #shreddedColumns(f: LineFields): boolean {
    const schemas = f.scan.schemas;
    const count = f.scan.count;
    for (let k = 0; k <= count; k++) {
      let name: string;
      if (k === f.derivedFrom && f.unstruct !== undefined) {
        name = f.unstruct.unstructColumn;
        if (!this.#hasColumn(name)) return false;
      }
      if (k === count) break;
      name = schemas[k].column;
      if (!this.#hasColumn(name)) return false;
    }
    return true;
  }

  /** Whether column `name` exists or was added now (never with `columns`). */
  #hasColumn(name: string): boolean {
    if (this.#columns.has(name)) return true;
    const spec = this.#fixed ? undefined : _columnFor(name);
    if (spec === undefined) return false;
    this.#addColumn(spec);
    return true;
  }

  /** Adds the line's contexts arrays (each column's entities in order) and unstruct event. */
  #addShredded(f: LineFields, row: number): void {
    const scan = f.scan;
    const schemas = scan.schemas;
    const count = scan.count;
    const bytes = f.bytes;
    next: for (let k = 0; k < count; k++) {
      const column = schemas[k].column;
      for (let j = 0; j < k; j++) if (schemas[j].column === column) continue next;
      const buffer = this.#columns.get(column)!.buffer;
      const text = buffer.plain;
      const at = buffer.beginText(row);
      text.u8(91); // [
      text.appendRange(bytes, scan.dataStart[k], scan.dataEnd[k]);
      for (let j = k + 1; j < count; j++) {
        if (schemas[j].column !== column) continue;
        text.u8(44); // ,
        text.appendRange(bytes, scan.dataStart[j], scan.dataEnd[j]);
      }
      text.u8(93); // ]
      buffer.endText(at);
    }
    if (f.unstruct !== undefined) {
      this.#columns.get(f.unstruct.unstructColumn)!.buffer.addText(
        row,
        bytes,
        f.unstructFrom,
        f.unstructTo,
      );
    }
  }

  /** The spec of a column not seen yet; it is added once the whole event is valid. */
  #newColumn(key: string, number: number): _ColumnSpec {
    const spec = this.#fixed ? undefined : _columnFor(key);
    if (spec !== undefined) return spec;
    const why = this.#fixed
      ? "it is not one of the columns given in options.columns"
      : "the flat form has no such key (expected an atomic field, geo_location, contexts_… or unstruct_event_…)";
    throw new TypeError(`Cannot write event ${number} to Parquet: key "${key}": ${why}`);
  }

  /** Encodes the rows added so far as one row group and returns the bytes not yet handed out. */
  addRowGroup(): Uint8Array[] {
    if (this.#rows > 0) this.#writeRowGroup();
    return this.#take();
  }

  #writeRowGroup(): void {
    const fileOffset = this.#out.offset;
    const chunks = new Map<string, _ChunkMeta>();
    for (const { spec, buffer } of this.#columns.values()) {
      chunks.set(spec.name, this.#writeChunk(spec, buffer, this.#rows));
      buffer.reset();
    }
    this.#rowGroups.push({ numRows: this.#rows, fileOffset, chunks });
    this.#rows = 0;
  }

  #writeChunk(spec: _ColumnSpec, buffer: _ColumnBuffer | undefined, rows: number): _ChunkMeta {
    return _writeChunk(this.#out, spec.kind, buffer, rows, this.#codec, this.#scratch);
  }

  #take(): Uint8Array[] {
    const pieces = this.#out.pieces;
    this.#out.pieces = [];
    return pieces;
  }

  /**
   * Writes the last row group, an all-null chunk in each earlier row group for every column
   * that first appeared later, and the footer; returns the remaining bytes of the file.
   */
  finish(): Uint8Array[] {
    if (this.#rows > 0) this.#writeRowGroup();
    for (const { spec, firstRowGroup } of this.#columns.values()) {
      for (let group = 0; group < firstRowGroup; group++) {
        const rowGroup = this.#rowGroups[group];
        rowGroup.chunks.set(spec.name, this.#writeChunk(spec, undefined, rowGroup.numRows));
      }
    }
    const footer = _encodeFooter(this.#order(), this.#rowGroups);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setInt32(0, footer.length, true);
    this.#out.pieces.push(footer, length, MAGIC.slice());
    this.#out.offset += footer.length + 8;
    return this.#take();
  }

  /** The given columns in their order, or the atomic ones then the shredded ones by name. */
  #order(): _ColumnSpec[] {
    const specs = [...this.#columns.values()].map((state) => state.spec);
    if (this.#fixed) return specs;
    const atomic = specs.slice(0, _ATOMIC_COLUMNS.length);
    const shredded = specs.slice(_ATOMIC_COLUMNS.length);
    return [...atomic, ...shredded.sort((a, b) => (a.name < b.name ? -1 : 1))];
  }
}

/** Member names by their bytes, so a name seen before is not built again. */
class NameCache {
  readonly #byHash = new Map<number, string[]>();

  of(bytes: Uint8Array, from: number, to: number): string {
    let hash = to - from;
    for (let i = from; i < to; i++) hash = (Math.imul(hash, 31) + bytes[i]) | 0;
    let names = this.#byHash.get(hash);
    if (names !== undefined) {
      for (const name of names) if (sameText(name, bytes, from, to)) return name;
    } else this.#byHash.set(hash, names = []);
    const name = decoder.decode(bytes.subarray(from, to));
    if (names.length < 8) names.push(name);
    return name;
  }
}

function sameText(name: string, bytes: Uint8Array, from: number, to: number): boolean {
  if (name.length !== to - from) return false;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== bytes[from + i]) return false;
  return true;
}

/** ASCII (or Latin-1) bytes as text: member names are short and ASCII. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  let text = "";
  for (let i = from; i < to; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** The JS value of the JSON text `bytes[from, to)` of an atomic column's member. */
function valueOf(
  spec: _ColumnSpec,
  bytes: Uint8Array,
  from: number,
  to: number,
  escaped: number,
): unknown {
  const first = bytes[from];
  if (first === 34) { // a string
    if (escaped === 0) {
      for (let i = from + 1; i < to - 1; i++) {
        if (bytes[i] >= 0x80) return decoder.decode(bytes.subarray(from + 1, to - 1));
      }
      return latin1(bytes, from + 1, to - 1);
    }
    return JSON.parse(decoder.decode(bytes.subarray(from, to)));
  }
  if (first === 116 || first === 102) return first === 116; // true, false
  if (spec.kind === "int") {
    let value = 0;
    let i = first === 45 ? from + 1 : from;
    if (i < to && to - i <= 15) {
      for (; i < to; i++) {
        const digit = bytes[i] - 48;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
      }
      if (i === to) return first === 45 ? -value : value;
    }
  }
  return JSON.parse(latin1(bytes, from, to));
}

/** The writer's options with their defaults; throws for a bad one. */
export function _checkParquetOptions(
  options: Omit<ToParquetOptions, "onInvalid">,
): { rowGroupSize: number; compression: "snappy" | "none"; columns?: readonly string[] } {
  const { rowGroupSize = 10_000, compression = "snappy", columns } = options;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1 || rowGroupSize > 1_000_000) {
    throw new RangeError(
      `Invalid rowGroupSize: expected an integer from 1 to 1000000, got ${rowGroupSize}`,
    );
  }
  if (compression !== "snappy" && compression !== "none") {
    throw new TypeError(`Invalid compression: expected "snappy" or "none", got ${compression}`);
  }
  return { rowGroupSize, compression, columns };
}

function fixedColumns(names: readonly string[]): _ColumnSpec[] {
  const seen = new Set<string>();
  return names.map((name) => {
    const spec = _columnFor(name);
    if (spec === undefined) {
      throw new TypeError(
        `Invalid columns option: "${name}" is not a key of the flat form (an atomic field, geo_location, contexts_… or unstruct_event_…)`,
      );
    }
    if (seen.has(name)) throw new TypeError(`Invalid columns option: "${name}" is given twice`);
    seen.add(name);
    return spec;
  });
}
