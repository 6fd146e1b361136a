/**
 * The atomic field kinds (docs/contract.md §2): what text is valid and what it becomes.
 */

import assert from "node:assert/strict";
import { EXPECTED } from "../../src/event/_rules.ts";
import {
  isTimestamp,
  isTimestampAt,
  readBool,
  readDouble,
  readDoubleAt,
  readInt,
  readIntAt,
  readTimestamp,
  readTimestampAt,
  writeTimestamp,
} from "../../src/event/values.ts";

const VALID_INTS: [string, number][] = [
  ["0", 0],
  ["7", 7],
  ["42", 42],
  ["-7", -7],
  ["+3", 3],
  ["-0", 0], // no negative zero: JSON cannot keep it, and toTsv must round-trip
  ["007", 7],
  ["1920", 1920],
  ["9007199254740991", 9007199254740991],
  ["-9007199254740991", -9007199254740991],
  ["+9007199254740991", 9007199254740991],
  // 17 characters of digits, still a value within ±(2^53−1): the contract allows any decimal digits.
  ["00000000000000001", 1],
];

/** The contract's "stricter" list (§2.2) for ints, and more text that is not sign + decimal digits. */
const INVALID_INTS = [
  " 3",
  "3 ",
  "1_000",
  "12.5",
  "1.0",
  "0x1F",
  "--3",
  "+-3",
  "9007199254740992",
  "-9007199254740992",
  "99999999999999999999",
  "1e3",
  "1920px",
  "abc",
  "nan",
  "NaN",
  "inf",
  "Infinity",
  "+",
  "-",
  "",
  "١٢", // Arabic-Indic digits are not decimal digits here
  "１２", // full-width digits
];

Deno.test("readInt() accepts an optional sign and decimal digits within ±(2^53−1)", async (t) => {
  for (const [text, value] of VALID_INTS) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(readInt(text), value);
    });
  }
});

Deno.test("readInt() rejects every other text", async (t) => {
  for (const text of INVALID_INTS) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(readInt(text), undefined);
    });
  }
});

Deno.test("readIntAt() reads only the given slice of a line", () => {
  const line = "ab\t-42\t7x";
  assert.equal(readIntAt(line, 3, 6), -42);
  assert.equal(readIntAt(line, 7, 8), 7);
  assert.equal(readIntAt(line, 7, 9), undefined);
  assert.equal(readIntAt(line, 2, 6), undefined);
});

const VALID_DOUBLES: [string, number][] = [
  ["0", 0],
  ["-122.4124", -122.4124],
  ["37.443604", 37.443604],
  ["51.50", 51.5],
  ["+1.5", 1.5],
  ["-0.0", 0], // no negative zero: JSON cannot keep it, and toTsv must round-trip
  ["1e3", 1000],
  ["1E3", 1000],
  ["1e+3", 1000],
  ["2.5e-3", 0.0025],
  ["-1.5E2", -150],
  ["179", 179],
  ["1e308", 1e308],
];

/** The contract's "stricter" list (§2.2) for doubles, and more text that is not a finite decimal number. */
const INVALID_DOUBLES = [
  "51.50.1",
  "12,99",
  "abc",
  "1e",
  "1e+",
  "e5",
  "1e999",
  "-1e999",
  "nan",
  "NaN",
  "inf",
  "-inf",
  "Infinity",
  "-Infinity",
  " 3",
  "3 ",
  "1_000",
  "0x1F",
  "--3",
  "1920px",
  ".",
  "+",
  "-",
  "",
  "1.5.",
];

Deno.test("readDouble() accepts finite decimal numbers with sign, fraction and exponent", async (t) => {
  for (const [text, value] of VALID_DOUBLES) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(readDouble(text), value);
    });
  }
});

Deno.test("readDouble() rejects every other text", async (t) => {
  for (const text of INVALID_DOUBLES) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(readDouble(text), undefined);
    });
  }
});

Deno.test("readDoubleAt() agrees with readDouble() on a slice of a line", async (t) => {
  for (const text of [...VALID_DOUBLES.map(([text]) => text), ...INVALID_DOUBLES]) {
    if (text === "") continue; // an empty field is never read
    await t.step(JSON.stringify(text), () => {
      const line = `1.5\t${text}\t9`;
      assert.equal(readDoubleAt(line, 4, 4 + text.length), readDouble(text));
    });
  }
});

Deno.test("readDoubleAt() rounds plain decimals exactly as Number() does", () => {
  // A seeded walk over plain decimals of 1-17 digits with the point anywhere: the fast path
  // (up to 15 digits) and the fallback (16 and 17) must both equal Number(text).
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let k = 0; k < 20_000; k++) {
    const count = 1 + next(17);
    let digits = "";
    for (let d = 0; d < count; d++) digits += next(10);
    const point = next(count + 1);
    const text = `${next(2) ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`;
    const expected = Number(text);
    assert.equal(readDoubleAt(text, 0, text.length), expected === 0 ? 0 : expected, text);
  }
});

Deno.test("readBool() accepts only 1 and 0", async (t) => {
  assert.equal(readBool("1"), true);
  assert.equal(readBool("0"), false);
  for (const text of ["true", "false", "2", "yes", "no", "-1", "01", "10", " 1", "1 ", "1.0", ""]) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(readBool(text), undefined);
    });
  }
});

const VALID_TSTAMPS: [string, string][] = [
  ["2013-11-26 00:02:05", "2013-11-26T00:02:05Z"],
  ["2013-11-26 00:02:05.123", "2013-11-26T00:02:05.123Z"],
  ["2013-11-26 00:02:05.1", "2013-11-26T00:02:05.1Z"],
  ["2013-11-26 00:02:05.000", "2013-11-26T00:02:05.000Z"],
  ["2013-11-26 00:02:05.123456789", "2013-11-26T00:02:05.123456789Z"],
  ["2024-02-29 00:00:00", "2024-02-29T00:00:00Z"],
  ["2000-02-29 12:00:00", "2000-02-29T12:00:00Z"],
  ["2023-12-31 23:59:59.999", "2023-12-31T23:59:59.999Z"],
  ["1999-01-01 00:00:00", "1999-01-01T00:00:00Z"],
  ["2024-04-30 08:30:15", "2024-04-30T08:30:15Z"],
];

/** The contract's "stricter" list (§2.2) for timestamps, and more text that is not a real date and time. */
const INVALID_TSTAMPS = [
  "not a tstamp",
  "2024-13-45 25:61:99.000",
  "2024/05/01 10:00:00",
  "1714557600000",
  "2023-02-29 00:00:00",
  "1900-02-29 00:00:00",
  "2024-04-31 00:00:00",
  "2024-00-10 00:00:00",
  "2024-01-00 00:00:00",
  "2024-05-01 24:00:00",
  "2024-05-01 23:60:00",
  "2024-05-01 10:00:00.1234567890",
  "2024-05-01 10:00:00.",
  "2024-05-01 10:00:00.12a",
  "2024-05-01 10:00:00,123",
  "2024-05-01T10:00:00",
  "2024-05-01T10:00:00Z",
  "2024-05-01 10:00:00Z",
  "2024-05-01 10:00",
  "2024-05-01",
  "2024-5-1 10:00:00",
  " 2024-05-01 10:00:00",
  "2024-05-01 10:00:00 ",
  "2024-05-01  10:00:00",
  "+024-05-01 10:00:00",
  "2024-05-01 1:00:00.5",
  "",
];

Deno.test("readTimestamp() turns YYYY-MM-DD hh:mm:ss[.f] into ISO 8601, digits kept", async (t) => {
  for (const [text, iso] of VALID_TSTAMPS) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(isTimestamp(text), true);
      assert.equal(readTimestamp(text), iso);
    });
  }
});

Deno.test("readTimestamp() rejects text that is not a real calendar date and time", async (t) => {
  for (const text of INVALID_TSTAMPS) {
    await t.step(JSON.stringify(text), () => {
      assert.equal(isTimestamp(text), false);
      assert.equal(readTimestamp(text), undefined);
    });
  }
});

Deno.test("readTimestampAt() and isTimestampAt() read only the given slice", () => {
  const line = "x\t2013-11-26 00:02:05.123\ty";
  assert.equal(isTimestampAt(line, 2, 25), true);
  assert.equal(readTimestampAt(line, 2, 25), "2013-11-26T00:02:05.123Z");
  assert.equal(readTimestampAt(line, 2, 21), "2013-11-26T00:02:05Z");
  assert.equal(isTimestampAt(line, 2, 26), false);
  assert.equal(readTimestampAt(line, 1, 25), undefined);
});

Deno.test("writeTimestamp() inverts readTimestamp()", async (t) => {
  for (const [text, iso] of VALID_TSTAMPS) {
    await t.step(iso, () => {
      assert.equal(writeTimestamp(iso), text);
    });
  }
});

Deno.test("writeTimestamp() rejects text that readTimestamp() cannot produce", async (t) => {
  for (
    const iso of [
      "2013-11-26 00:02:05",
      "2013-11-26T00:02:05",
      "2013-11-26T00:02:05+01:00",
      "2013-11-26T00:02:05.Z",
      "2023-02-29T00:00:00Z",
      "2013-11-26t00:02:05z",
      "1714557600000",
      "",
    ]
  ) {
    await t.step(JSON.stringify(iso), () => {
      assert.equal(writeTimestamp(iso), undefined);
    });
  }
});

Deno.test("EXPECTED says what each kind accepts", () => {
  assert.match(EXPECTED.int, /integer/);
  assert.match(EXPECTED.int, /9007199254740991/);
  assert.match(EXPECTED.double, /finite decimal number/);
  assert.match(EXPECTED.bool, /"1" or "0"/);
  assert.match(EXPECTED.tstamp, /YYYY-MM-DD hh:mm:ss/);
});
