/**
 * Reading one field of a line according to its kind: shared by {@linkcode transform},
 * {@linkcode parse} and the JSON fast path.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS, FIELD_COUNT } from "./fields.ts";
import { TransformError, type TransformIssue } from "./transform_error.ts";
import { readBool, readDouble, readInt, readTimestamp } from "./values.ts";
import { readContexts, readUnstruct } from "./shred.ts";
import { BOOL, CONTEXTS, DOUBLE, EXPECTED, INT, STRING, TSTAMP } from "./_rules.ts";

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
