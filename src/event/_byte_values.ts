/**
 * The atomic kinds read from UTF-8 bytes, for the bytes path: the same rules as `values.ts`
 * (and the calendar rule of `_rules.ts`), on `bytes[p, stop)` without decoding.
 *
 * @module
 */

import { isDateTime } from "./_rules.ts";
import { ascii } from "./_schema_cache.ts";
import { readDouble } from "./values.ts";

/** What a reader returns for invalid text. */
export const INVALID = -1;

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const SPACE = 32;
const COLON = 58;
const UPPER_E = 69;
const LOWER_E = 101;

/**
 * Reads an `int` field `b[p, stop)`: INVALID, or the value's magnitude; the caller copies the
 * text when {@linkcode isCanonicalInt} says so, else writes the number.
 */
export function intMagnitude(b: Uint8Array, p: number, stop: number): number {
  let q = p;
  const sign = b[q];
  if (sign === PLUS || sign === MINUS) q++;
  if (q === stop) return INVALID;
  while (q < stop - 1 && b[q] === ZERO) q++; // leading zeros do not count
  if (stop - q > 16) return INVALID;
  let value = 0;
  for (; q < stop; q++) {
    const d = b[q] - ZERO;
    if (d < 0 || d > 9) return INVALID;
    value = value * 10 + d;
  }
  return value > Number.MAX_SAFE_INTEGER ? INVALID : value;
}

/**
 * Whether the valid `int` text `b[p, stop)` of magnitude `value` is written as `String(value)`
 * writes it: no `+`, no leading zero, not negative zero.
 */
export function isCanonicalInt(b: Uint8Array, p: number, stop: number, value: number): boolean {
  const sign = b[p];
  const q = sign === MINUS ? p + 1 : p;
  return sign !== PLUS && (b[q] !== ZERO || stop - q === 1) && !(sign === MINUS && value === 0);
}

/**
 * Reads a `double` field `b[p, stop)`. Returns INVALID when it is not a finite decimal number;
 * else the end of the prefix of its bytes that is exactly `String(value)` (the text without
 * trailing fraction zeros, when it has at most 15 significant digits, no exponent, no `+`, no
 * leading zero, and is not negative zero or below 1e-6); else 0: write
 * `String(Number(text))`.
 */
export function doubleEnd(b: Uint8Array, p: number, stop: number): number {
  let q = p;
  let copyable = true;
  const sign = b[q];
  if (sign === PLUS || sign === MINUS) {
    copyable = sign === MINUS;
    q++;
  }
  const intFrom = q;
  while (q < stop && b[q] >= ZERO && b[q] <= NINE) q++;
  const intDigits = q - intFrom;
  let significant = intDigits;
  if (intDigits === 0) copyable = false;
  else if (b[intFrom] === ZERO) {
    if (intDigits > 1) copyable = false;
    significant = 0;
  }
  let copyEnd = q;
  let fracDigits = 0;
  if (q < stop && b[q] === DOT) {
    q++;
    const fracFrom = q;
    while (q < stop && b[q] >= ZERO && b[q] <= NINE) q++;
    fracDigits = q - fracFrom;
    if (fracDigits === 0) copyable = false;
    // Trailing zeros of the fraction are not part of String(value).
    let last = q;
    while (last > fracFrom && b[last - 1] === ZERO) last--;
    if (last > fracFrom) {
      copyEnd = last;
      if (significant === 0) {
        let lead = fracFrom;
        while (b[lead] === ZERO) lead++;
        if (lead - fracFrom > 5) copyable = false; // below 1e-6: String() uses an exponent
        significant = last - lead;
      } else {
        significant += last - fracFrom;
      }
    }
  }
  if (intDigits === 0 && fracDigits === 0) return INVALID;
  if (q < stop && (b[q] === LOWER_E || b[q] === UPPER_E)) {
    copyable = false;
    q++;
    if (q < stop && (b[q] === PLUS || b[q] === MINUS)) q++;
    const expFrom = q;
    while (q < stop && b[q] >= ZERO && b[q] <= NINE) q++;
    if (q === expFrom) return INVALID;
  }
  if (q !== stop) return INVALID;
  if (copyable && significant <= 15 && intDigits <= 21) {
    // Zero: "0", "0.0"; negative zero must be written "0".
    if (significant > 0 || sign !== MINUS) return copyEnd;
  }
  return Number.isFinite(Number(ascii(b, p, stop))) ? 0 : INVALID;
}

/**
 * Whether the valid number text `b[p, stop)` is exactly what `String` (and `JSON.stringify`)
 * writes for its value: `1.5`, `0.30000000000000004`, not `1.50`, `1e2` or digits beyond
 * what a double keeps.
 */
export function isNumberText(b: Uint8Array, p: number, stop: number): boolean {
  if (doubleEnd(b, p, stop) === stop) return true;
  const text = ascii(b, p, stop);
  return String(Number(text)) === text;
}

/** The text of a valid `double` field `b[p, stop)` as `String(value)` writes it. */
export function doubleText(b: Uint8Array, p: number, stop: number): string {
  return String(Number(ascii(b, p, stop))); // (String(-0) is "0")
}

/** Exact powers of ten: 10^k is a double without rounding for k <= 22. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The value of a valid `double` field `b[p, stop)` (as `readDouble` reads its text): plain
 * decimals of at most 15 digits from their digits (an exact integer divided once by an exact
 * power of ten rounds correctly, as `Number` does), anything else through `readDouble`.
 */
export function doubleValue(b: Uint8Array, p: number, stop: number): number {
  let i = p;
  const negative = b[i] === MINUS;
  if (negative || b[i] === PLUS) i++;
  let mantissa = 0;
  let digitCount = 0;
  let point = -1;
  for (; i < stop; i++) {
    const c = b[i];
    if (c === DOT && point < 0) {
      point = i;
      continue;
    }
    const digit = c - ZERO;
    if (digit < 0 || digit > 9 || ++digitCount > 15) return readDouble(ascii(b, p, stop))!;
    mantissa = mantissa * 10 + digit;
  }
  const value = point < 0 ? mantissa : mantissa / POWERS_OF_TEN[stop - point - 1];
  return negative && value !== 0 ? -value : value; // no negative zero, as readDouble
}

/** Whether `b[p, stop)` is a valid `bool` field: `1` or `0`. */
export function isBool(b: Uint8Array, p: number, stop: number): boolean {
  const c = b[p];
  return stop - p === 1 && (c === ZERO || c === ZERO + 1);
}

/** Two decimal digits at `p`, or -1. */
function two(b: Uint8Array, p: number): number {
  const x = b[p] - ZERO;
  const y = b[p + 1] - ZERO;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** Whether `b[p, stop)` is `YYYY-MM-DD hh:mm:ss[.f{1,9}]`, a real date and time. */
export function isTimestamp(b: Uint8Array, p: number, stop: number): boolean {
  const length = stop - p;
  if (length !== 19 && (length < 21 || length > 29)) return false;
  if (
    b[p + 4] !== MINUS || b[p + 7] !== MINUS || b[p + 10] !== SPACE || b[p + 13] !== COLON ||
    b[p + 16] !== COLON
  ) return false;
  const century = two(b, p);
  const yy = two(b, p + 2);
  const year = century < 0 || yy < 0 ? -1 : century * 100 + yy;
  if (
    !isDateTime(year, two(b, p + 5), two(b, p + 8), two(b, p + 11), two(b, p + 14), two(b, p + 17))
  ) {
    return false;
  }
  if (length > 19) {
    if (b[p + 19] !== DOT) return false;
    for (let i = p + 20; i < stop; i++) {
      const d = b[i];
      if (d < ZERO || d > NINE) return false;
    }
  }
  return true;
}
