/**
 * ISO 8601 timestamps of the flat form → microseconds since the Unix epoch (Parquet
 * `TIMESTAMP(MICROS, UTC)`).
 *
 * @module
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
  const m = PATTERN.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (
    month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 ||
    minute > 59 || second > 59
  ) return undefined;
  const fraction = m[7] ?? "";
  if (fraction.length > 6 && Number(fraction.slice(6)) !== 0) return null;
  const micros = fraction.length === 0 ? 0 : Number(fraction.slice(0, 6).padEnd(6, "0"));
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const value = seconds * 1_000_000 + micros;
  return Number.isSafeInteger(value) ? value : BigInt(seconds) * 1_000_000n + BigInt(micros);
}
