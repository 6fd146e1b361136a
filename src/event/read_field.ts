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

/** An issue for field `index`. */
export function issue(index: number, value: string, message: string): TransformIssue {
  return { field: ENRICHED_EVENT_FIELDS[index].name, index, value, message };
}

/**
 * Splits a line into its 131 fields, without a trailing `\n` or `\r\n`.
 * Throws a {@linkcode TransformError} when the line has no tab or another field count.
 */
export function splitLine(line: string): string[] {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 10) {
    end--;
    if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
    line = line.slice(0, end);
  }
  const fields = line.split("\t");
  if (fields.length !== FIELD_COUNT) {
    throw new TransformError(fields.length === 1 ? "NotTsv" : "FieldCountMismatch", fields.length);
  }
  return fields;
}
