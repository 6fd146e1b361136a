/**
 * Reading one field of a line according to its kind: shared by {@linkcode transform},
 * {@linkcode parse} and the JSON fast path.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS, FIELD_COUNT, type FieldKind } from "./fields.ts";
import { TransformError, type TransformIssue } from "./transform_error.ts";
import { EXPECTED, readBool, readDouble, readInt, readTimestamp } from "./values.ts";
import { readContexts, readUnstruct } from "./shred.ts";

/** Kind codes, in an order where every atomic kind is below `CONTEXTS`. */
export const STRING = 0;
export const INT = 1;
export const DOUBLE = 2;
export const BOOL = 3;
export const TSTAMP = 4;
export const CONTEXTS = 5;
export const UNSTRUCT = 6;

const CODES: Record<FieldKind, number> = {
  string: STRING,
  int: INT,
  double: DOUBLE,
  bool: BOOL,
  tstamp: TSTAMP,
  contexts: CONTEXTS,
  unstruct: UNSTRUCT,
};

/** Field names by index. */
export const NAMES: readonly string[] = ENRICHED_EVENT_FIELDS.map((f) => f.name);
/** Kind codes by index. */
export const KINDS: Uint8Array = Uint8Array.from(ENRICHED_EVENT_FIELDS, (f) => CODES[f.kind]);

/** Index of `geo_latitude`. */
export const LATITUDE = 22;
/** Index of `geo_longitude`. */
export const LONGITUDE = 23;

/** The marker returned for an invalid field, with what was expected. */
export class Invalid {
  constructor(readonly message: string) {}
}

const INVALID_INT = new Invalid(EXPECTED.int);
const INVALID_DOUBLE = new Invalid(EXPECTED.double);
const INVALID_BOOL = new Invalid(EXPECTED.bool);
const INVALID_TSTAMP = new Invalid(EXPECTED.tstamp);

/**
 * Converts a non-empty field to its typed value (contexts and unstruct parsed, not shredded),
 * or returns an {@linkcode Invalid}.
 */
export function readField(kind: number, text: string): unknown {
  switch (kind) {
    case STRING:
      return text;
    case INT:
      return readInt(text) ?? INVALID_INT;
    case DOUBLE:
      return readDouble(text) ?? INVALID_DOUBLE;
    case BOOL:
      return readBool(text) ?? INVALID_BOOL;
    case TSTAMP:
      return readTimestamp(text) ?? INVALID_TSTAMP;
    case CONTEXTS: {
      const value = readContexts(text);
      return typeof value === "string" ? new Invalid(value) : value;
    }
    default: {
      const value = readUnstruct(text);
      return typeof value === "string" ? new Invalid(value) : value;
    }
  }
}

/** What a field of an atomic kind expects, for error messages. */
export function expected(kind: number): string {
  return kind === INT
    ? EXPECTED.int
    : kind === DOUBLE
    ? EXPECTED.double
    : kind === BOOL
    ? EXPECTED.bool
    : EXPECTED.tstamp;
}

/** An issue for field `index`. */
export function issue(index: number, value: string, message: string): TransformIssue {
  return { field: ENRICHED_EVENT_FIELDS[index].name, index, value, message };
}

/**
 * Where each field of the last scanned line starts: field `i` is
 * `line.slice(FIELD_STARTS[i], FIELD_STARTS[i + 1] - 1)`. Shared scratch space: valid only until
 * the next {@linkcode scanLine} call (the transform is synchronous, so no call can interleave).
 */
export const FIELD_STARTS: Int32Array = new Int32Array(FIELD_COUNT + 1);

/**
 * Finds the 131 fields of a line (a trailing `\n` or `\r\n` is not part of the last field),
 * filling {@linkcode FIELD_STARTS}. Throws a {@linkcode TransformError} when the line has no
 * tab or another field count.
 */
export function scanLine(line: string): void {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 10) {
    end--;
    if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  }
  const starts = FIELD_STARTS;
  let start = 0;
  for (let i = 0; i < FIELD_COUNT - 1; i++) {
    starts[i] = start;
    // Most fields are empty: check for an immediate tab before searching.
    const tab = line.charCodeAt(start) === 9 ? start : line.indexOf("\t", start);
    if (tab === -1 || tab >= end) {
      throw new TransformError(i === 0 ? "NotTsv" : "FieldCountMismatch", i + 1);
    }
    start = tab + 1;
  }
  starts[FIELD_COUNT - 1] = start;
  starts[FIELD_COUNT] = end + 1;
  let extra = line.indexOf("\t", start);
  if (extra !== -1 && extra < end) {
    let count = FIELD_COUNT;
    while (extra !== -1 && extra < end) {
      count++;
      extra = line.indexOf("\t", extra + 1);
    }
    throw new TransformError("FieldCountMismatch", count);
  }
}

/** The text of field `index` of the last scanned line. */
export function fieldText(line: string, index: number): string {
  return line.slice(FIELD_STARTS[index], FIELD_STARTS[index + 1] - 1);
}
