/**
 * ISO 8601 timestamps of the flat form → microseconds since the Unix epoch (Parquet
 * `TIMESTAMP(MICROS, UTC)`).
 *
 * @module
 */

import { isDateTime } from "../event/_rules.ts";

const ZERO = 48;

/** The number of `count` decimal digits at `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether `text` has the separators of `YYYY-MM-DDThh:mm:ss` and ends with `Z`. */
function hasShape(text: string): boolean {
  const n = text.length;
  return (n === 20 || (n >= 22 && n <= 30 && text[19] === ".")) && text[4] === "-" &&
    text[7] === "-" && text[10] === "T" && text[13] === ":" && text[16] === ":" &&
    text[n - 1] === "Z";
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) +
    dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Microseconds since the epoch of `YYYY-MM-DDThh:mm:ss[.f{1,9}]Z`: a number when it is a safe
 * integer, else a bigint. `undefined` for other text, `null` when digits after the sixth of the
 * fraction are not zeros (the value would lose precision).
 */
export function _timestampMicros(text: string): number | bigint | null | undefined {
  if (!hasShape(text)) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (!isDateTime(year, month, day, hour, minute, second)) return undefined;
  const digits = text.length - 21; // fraction digits, 0 without a fraction
  const fraction = digits > 0 ? digitsAt(text, 20, digits) : 0;
  if (fraction < 0) return undefined;
  return microsOf(year, month, day, hour, minute, second, fraction, digits);
}

/**
 * Microseconds since the epoch of a valid `tstamp` field `b[p, stop)`,
 * `YYYY-MM-DD hh:mm:ss[.f{1,9}]` (the digits sit where they sit in the flat form's text): as
 * {@linkcode _timestampMicros} gives for the flat form's value of that field.
 */
export function _timestampMicrosAt(
  b: Uint8Array,
  p: number,
  stop: number,
): number | bigint | null {
  const digits = stop - p - 20; // fraction digits, 0 without a fraction
  return microsOf(
    bytesAt(b, p, 4),
    bytesAt(b, p + 5, 2),
    bytesAt(b, p + 8, 2),
    bytesAt(b, p + 11, 2),
    bytesAt(b, p + 14, 2),
    bytesAt(b, p + 17, 2),
    digits > 0 ? bytesAt(b, p + 20, digits) : 0,
    digits,
  );
}

/** The number of `count` decimal digits (already checked) at `b[at]`. */
function bytesAt(b: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + b[i] - ZERO;
  return value;
}

/**
 * Microseconds since the epoch of a valid date and time with `fraction` of `digits` digits;
 * `null` when digits after the sixth are not zeros.
 */
function microsOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: number,
  digits: number,
): number | bigint | null {
  let micros = 0;
  if (digits > 0) {
    if (digits <= 6) micros = fraction * 10 ** (6 - digits);
    else {
      const below = 10 ** (digits - 6);
      if (fraction % below !== 0) return null;
      micros = fraction / below;
    }
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const value = seconds * 1_000_000 + micros;
  return Number.isSafeInteger(value) ? value : BigInt(seconds) * 1_000_000n + BigInt(micros);
}
