/**
 * The rules of the flat form that every path follows, written once: the kind codes and field
 * indexes derived from the field table ({@linkcode ENRICHED_EVENT_FIELDS}), what each atomic
 * kind expects, the calendar rule, `geo_location`, how the two contexts fields merge,
 * `_schema_version`, and how deep a JSON column may nest.
 *
 * The object path (`transform.ts`, `parse.ts`) and the bytes path (`transform_bytes.ts`) import
 * these and declare none of them again; docs/event.md ("Changing a rule") lists what else a new
 * kind touches.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS, type EnrichedEventFieldName, type FieldKind } from "./fields.ts";

// ---------------------------------------------------------------------------------------------
// Kinds and field indexes
// ---------------------------------------------------------------------------------------------

/** Kind codes, in an order where every atomic kind is below {@linkcode CONTEXTS}. */
export const STRING = 0;
/** The code of kind `int`. */
export const INT = 1;
/** The code of kind `double`. */
export const DOUBLE = 2;
/** The code of kind `bool`. */
export const BOOL = 3;
/** The code of kind `tstamp`. */
export const TSTAMP = 4;
/** The code of kind `contexts`; every code below it is an atomic kind. */
export const CONTEXTS = 5;
/** The code of kind `unstruct`. */
export const UNSTRUCT = 6;

/** The code of each {@linkcode FieldKind}. */
export const KIND_CODES: Readonly<Record<FieldKind, number>> = Object.freeze({
  string: STRING,
  int: INT,
  double: DOUBLE,
  bool: BOOL,
  tstamp: TSTAMP,
  contexts: CONTEXTS,
  unstruct: UNSTRUCT,
});

/** Field names by index. */
export const NAMES: readonly string[] = ENRICHED_EVENT_FIELDS.map((f) => f.name);
/** Kind codes by index. */
export const KINDS: Uint8Array = Uint8Array.from(ENRICHED_EVENT_FIELDS, (f) => KIND_CODES[f.kind]);

function indexOf(name: EnrichedEventFieldName): number {
  return NAMES.indexOf(name);
}

/** Index of `geo_latitude`. */
export const LATITUDE: number = indexOf("geo_latitude");
/** Index of `geo_longitude`. */
export const LONGITUDE: number = indexOf("geo_longitude");
/** Index of `contexts`, the first contexts field. */
export const CONTEXTS_FIELD: number = indexOf("contexts");
/** Index of `unstruct_event`. */
export const UNSTRUCT_FIELD: number = indexOf("unstruct_event");
/** Index of `derived_contexts`, the second contexts field. */
export const DERIVED_CONTEXTS_FIELD: number = indexOf("derived_contexts");
/** Index of the last field. */
export const LAST_FIELD: number = ENRICHED_EVENT_FIELDS.length - 1;

// ---------------------------------------------------------------------------------------------
// Atomic kinds
// ---------------------------------------------------------------------------------------------

/** What each atomic kind expects, for error messages. */
export const EXPECTED = {
  int: `expected an integer (optional sign and decimal digits) within ±${Number.MAX_SAFE_INTEGER}`,
  double: "expected a finite decimal number (optional sign, fraction and exponent)",
  bool: 'expected "1" or "0"',
  tstamp: 'expected a timestamp "YYYY-MM-DD hh:mm:ss" with an optional fraction of 1-9 digits, ' +
    "a real calendar date and time",
} as const;

const EXPECTED_BY_CODE: readonly string[] = [
  "",
  EXPECTED.int,
  EXPECTED.double,
  EXPECTED.bool,
  EXPECTED.tstamp,
];

/** What a field of an atomic kind (by code) expects, for error messages. */
export function expected(kind: number): string {
  return EXPECTED_BY_CODE[kind];
}

/** The number of days in `month` (1–12) of `year`, by the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The calendar rule: whether the numbers are a real date and a time of day from `00:00:00` to
 * `23:59:59` (no leap second). A part that is not a number is given as a negative value.
 * Timestamps (`tstamp` fields) and run folders (`run=YYYY-MM-DD-HH-mm-ss`) both follow it.
 */
export function isDateTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): boolean {
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 &&
    (day <= 28 || day <= daysInMonth(year, month)) && hour >= 0 && hour <= 23 &&
    minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

// ---------------------------------------------------------------------------------------------
// The flat form
// ---------------------------------------------------------------------------------------------

/**
 * The `geo_location` rule: when the option is on and both `geo_latitude` and `geo_longitude`
 * are non-empty, the first member is `geo_location`, the raw latitude text, this separator and
 * the raw longitude text (`"37.443604,-122.4124"`).
 */
export const GEO_LOCATION = "geo_location";
/** What separates the two coordinates in `geo_location`. */
export const GEO_SEPARATOR = ",";

/**
 * The contexts fields, in the order their contexts join a shredded column: contexts of one
 * column from both fields share one array, those of `contexts` first, nothing overwritten.
 * A column takes the place of the field where it first appears.
 */
export const CONTEXTS_FIELDS: readonly number[] = Object.freeze([
  CONTEXTS_FIELD,
  DERIVED_CONTEXTS_FIELD,
]);

/**
 * With the `schemaVersion` option, the member put first into each context whose data is an
 * object, holding the schema's `MODEL-REVISION-ADDITION`; a member of that name in the data is
 * replaced.
 */
export const SCHEMA_VERSION = "_schema_version";

/**
 * How deeply arrays and objects may nest in a JSON column (the envelope counts as level 1).
 * A deeper column is an invalid value on every path: `JSON.stringify` of a much deeper value
 * throws a `RangeError`, so such an event could not be written as JSON.
 */
export const MAX_JSON_DEPTH = 1000;

for (
  const [index, name, kind] of [
    [LATITUDE, "geo_latitude", DOUBLE],
    [LONGITUDE, "geo_longitude", DOUBLE],
    [CONTEXTS_FIELD, "contexts", CONTEXTS],
    [UNSTRUCT_FIELD, "unstruct_event", UNSTRUCT],
    [DERIVED_CONTEXTS_FIELD, "derived_contexts", CONTEXTS],
  ] as const
) {
  // The paths rely on these: a table change that breaks one fails at load, not in the output.
  if (index < 0 || NAMES[index] !== name || KINDS[index] !== kind) {
    throw new Error(`Invalid field table: ${name} must be a field of its kind`);
  }
}
