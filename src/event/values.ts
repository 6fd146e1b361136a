/**
 * Validation and conversion of the atomic field kinds (`int`, `double`, `bool`, `tstamp`).
 * Each reader returns `undefined` for invalid text so the caller can collect every problem.
 *
 * @module
 */

import { isDateTime } from "./_rules.ts";

const ZERO = 48;
const PLUS = 43;
const MINUS = 45;

/** Reads an `int` field: an optional sign and decimal digits within ±(2^53−1). */
export function readInt(text: string): number | undefined {
  return readIntAt(text, 0, text.length);
}

/** {@linkcode readInt} on `line.slice(start, stop)`, without slicing. */
export function readIntAt(line: string, start: number, stop: number): number | undefined {
  let i = start;
  let negative = false;
  const first = line.charCodeAt(i);
  if (first === PLUS || first === MINUS) {
    negative = first === MINUS;
    i++;
  }
  if (i === stop) return undefined;
  while (i < stop - 1 && line.charCodeAt(i) === ZERO) i++; // leading zeros do not count
  if (stop - i > 16) return undefined;
  let value = 0;
  for (; i < stop; i++) {
    const c = line.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return undefined;
    value = value * 10 + c;
  }
  if (value > Number.MAX_SAFE_INTEGER) return undefined;
  return negative && value !== 0 ? -value : value; // no negative zero: JSON cannot keep it
}

const DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reads a `double` field: a finite decimal number such as `-122.4124` or `1e3`. */
export function readDouble(text: string): number | undefined {
  if (!DOUBLE.test(text)) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  return value === 0 ? 0 : value; // no negative zero: JSON cannot keep it
}

/** Exact powers of ten: 10^k is a double without rounding for k <= 22. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * {@linkcode readDouble} on `line.slice(start, stop)`. Plain decimals with at most 15 digits
 * (such as coordinates and prices) are read without slicing: the digits form an exact integer
 * and one division by an exact power of ten rounds once, correctly, as `Number` does. Anything
 * else goes through {@linkcode readDouble}.
 */
export function readDoubleAt(line: string, start: number, stop: number): number | undefined {
  let i = start;
  const negative = line.charCodeAt(i) === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digitCount = 0;
  let point = -1;
  for (; i < stop; i++) {
    const c = line.charCodeAt(i);
    if (c === 46 && point < 0) {
      point = i;
      continue;
    }
    const digit = c - ZERO;
    if (digit < 0 || digit > 9 || ++digitCount > 15) return readDouble(line.slice(start, stop));
    mantissa = mantissa * 10 + digit;
  }
  if (digitCount === 0) return undefined; // "", "-", ".", "-."
  const value = point < 0 ? mantissa : mantissa / POWERS_OF_TEN[stop - point - 1];
  return negative && value !== 0 ? -value : value; // no negative zero: JSON cannot keep it
}

/** Reads a `bool` field: `1` or `0`. */
export function readBool(text: string): boolean | undefined {
  if (text === "1") return true;
  if (text === "0") return false;
  return undefined;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** Whether text is `YYYY-MM-DD hh:mm:ss[.f{1,9}]` with a real calendar date and time. */
export function isTimestamp(text: string): boolean {
  return isTimestampAt(text, 0, text.length);
}

/** {@linkcode isTimestamp} on `line.slice(start, stop)`, without slicing. */
export function isTimestampAt(line: string, start: number, stop: number): boolean {
  const length = stop - start;
  if (length !== 19 && (length < 21 || length > 29)) return false;
  if (
    line.charCodeAt(start + 4) !== MINUS || line.charCodeAt(start + 7) !== MINUS ||
    line.charCodeAt(start + 10) !== 32 || line.charCodeAt(start + 13) !== 58 ||
    line.charCodeAt(start + 16) !== 58
  ) return false;
  const valid = isDateTime(
    digits(line, start, 4),
    digits(line, start + 5, 2),
    digits(line, start + 8, 2),
    digits(line, start + 11, 2),
    digits(line, start + 14, 2),
    digits(line, start + 17, 2),
  );
  if (!valid) return false;
  if (length > 19) {
    if (line.charCodeAt(start + 19) !== 46 || digits(line, start + 20, length - 20) < 0) {
      return false;
    }
  }
  return true;
}

/** Reads a `tstamp` field into its ISO 8601 form (`T` for the space, `Z` appended). */
export function readTimestamp(text: string): string | undefined {
  return isTimestamp(text) ? `${text.slice(0, 10)}T${text.slice(11)}Z` : undefined;
}

/** {@linkcode readTimestamp} on `line.slice(start, stop)`. */
export function readTimestampAt(line: string, start: number, stop: number): string | undefined {
  return isTimestampAt(line, start, stop)
    ? `${line.slice(start, start + 10)}T${line.slice(start + 11, stop)}Z`
    : undefined;
}

/** Turns an ISO timestamp made by {@linkcode readTimestamp} back into its TSV form. */
export function writeTimestamp(iso: string): string | undefined {
  if (iso.length < 20 || iso.charCodeAt(10) !== 84 || !iso.endsWith("Z")) return undefined;
  const text = `${iso.slice(0, 10)} ${iso.slice(11, -1)}`;
  return isTimestamp(text) ? text : undefined;
}
