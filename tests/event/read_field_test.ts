/**
 * Splitting a line into its 131 fields and reading one field by kind (docs/contract.md §1 and §2).
 */

import assert from "node:assert/strict";
import {
  FIELD_STARTS,
  fieldText,
  Invalid,
  issue,
  readField,
  scanLine,
} from "../../src/event/read_field.ts";
import {
  BOOL,
  CONTEXTS,
  DOUBLE,
  expected,
  INT,
  KINDS,
  LATITUDE,
  LONGITUDE,
  NAMES,
  STRING,
  TSTAMP,
  UNSTRUCT,
} from "../../src/event/_rules.ts";
import { TransformError } from "../../src/event/transform_error.ts";
import { EXPECTED } from "../../src/event/_rules.ts";

/** The field table of docs/contract.md §1.2 (tests/testdata/ev_fields.tsv): index, name, kind. */
const TABLE = Deno.readTextFileSync(new URL("../testdata/ev_fields.tsv", import.meta.url))
  .trim().split("\n").slice(1).map((row) => row.split("\t"));

function fieldsLine(count: number, value = (i: number) => `f${i}`): string {
  return Array.from({ length: count }, (_, i) => value(i)).join("\t");
}

function scanError(line: string): TransformError {
  try {
    scanLine(line);
  } catch (error) {
    assert.ok(error instanceof TransformError);
    return error;
  }
  assert.fail(`scanLine() accepted ${JSON.stringify(line.slice(0, 40))}`);
}

Deno.test("NAMES and KINDS follow the contract's field table", () => {
  const codes: Record<string, number> = {
    string: STRING,
    int: INT,
    double: DOUBLE,
    bool: BOOL,
    tstamp: TSTAMP,
    contexts: CONTEXTS,
    unstruct: UNSTRUCT,
  };
  assert.equal(NAMES.length, 131);
  assert.equal(KINDS.length, 131);
  for (const [index, name, kind] of TABLE) {
    assert.equal(NAMES[Number(index)], name);
    assert.equal(KINDS[Number(index)], codes[kind], name);
  }
  assert.equal(NAMES[LATITUDE], "geo_latitude");
  assert.equal(NAMES[LONGITUDE], "geo_longitude");
});

Deno.test("KINDS puts every atomic kind below CONTEXTS", () => {
  for (const kind of [STRING, INT, DOUBLE, BOOL, TSTAMP]) assert.ok(kind < CONTEXTS);
  assert.ok(UNSTRUCT > CONTEXTS);
});

Deno.test("scanLine() finds the 131 fields and fieldText() returns each", () => {
  const line = fieldsLine(131);
  scanLine(line);
  for (let i = 0; i < 131; i++) assert.equal(fieldText(line, i), `f${i}`);
  assert.equal(FIELD_STARTS[0], 0);
  assert.equal(FIELD_STARTS[131], line.length + 1);
});

Deno.test("scanLine() keeps empty fields empty", () => {
  const line = "\t".repeat(130);
  scanLine(line);
  for (let i = 0; i < 131; i++) assert.equal(fieldText(line, i), "");
});

Deno.test("scanLine() does not count a trailing line break as part of the last field", async (t) => {
  for (const ending of ["\n", "\r\n"]) {
    await t.step(JSON.stringify(ending), () => {
      const line = fieldsLine(131) + ending;
      scanLine(line);
      assert.equal(fieldText(line, 130), "f130");
    });
  }
  await t.step("an empty last field before the line break", () => {
    const line = fieldsLine(131, (i) => (i === 130 ? "" : "x")) + "\r\n";
    scanLine(line);
    assert.equal(fieldText(line, 130), "");
  });
  await t.step("a lone \\r stays in the field", () => {
    const line = fieldsLine(131) + "\r";
    scanLine(line);
    assert.equal(fieldText(line, 130), "f130\r");
  });
});

Deno.test("scanLine() reports a line without a tab as NotTsv with one field", async (t) => {
  for (const line of ["", "no tabs here", "\n", "\r\n", "a,b,c\n"]) {
    await t.step(JSON.stringify(line), () => {
      const error = scanError(line);
      assert.equal(error.code, "NotTsv");
      assert.equal(error.fieldCount, 1);
    });
  }
});

Deno.test("scanLine() reports another field count with the count found", async (t) => {
  for (const count of [2, 100, 130, 132, 133, 262]) {
    await t.step(`${count} fields`, () => {
      const error = scanError(fieldsLine(count));
      assert.equal(error.code, "FieldCountMismatch");
      assert.equal(error.fieldCount, count);
    });
    await t.step(`${count} fields and a line break`, () => {
      const error = scanError(fieldsLine(count) + "\r\n");
      assert.equal(error.fieldCount, count);
    });
  }
  await t.step("131 fields and a trailing tab", () => {
    assert.equal(scanError(fieldsLine(131) + "\t\n").fieldCount, 132);
  });
  await t.step("a line break that is not at the end stays inside its field", () => {
    const line = fieldsLine(130) + "\n\t";
    scanLine(line);
    assert.equal(fieldText(line, 129), "f129\n");
    assert.equal(fieldText(line, 130), "");
  });
});

Deno.test("readField() converts each kind", async (t) => {
  await t.step("string", () => assert.equal(readField(STRING, ' "quoted" '), ' "quoted" '));
  await t.step("int", () => assert.equal(readField(INT, "-12"), -12));
  await t.step("double", () => assert.equal(readField(DOUBLE, "1e3"), 1000));
  await t.step("bool", () => {
    assert.equal(readField(BOOL, "1"), true);
    assert.equal(readField(BOOL, "0"), false);
  });
  await t.step("tstamp", () => {
    assert.equal(readField(TSTAMP, "2013-11-26 00:02:05.123"), "2013-11-26T00:02:05.123Z");
  });
  await t.step("contexts", () => {
    const value = { schema: "x", data: [{ schema: "iglu:com.acme/a/jsonschema/1-0-0", data: {} }] };
    assert.deepEqual(readField(CONTEXTS, JSON.stringify(value)), value);
  });
  await t.step("unstruct", () => {
    const value = { schema: "x", data: { schema: "iglu:com.acme/a/jsonschema/1-0-0", data: 1 } };
    assert.deepEqual(readField(UNSTRUCT, JSON.stringify(value)), value);
  });
});

Deno.test("readField() returns an Invalid saying what was expected", async (t) => {
  const cases: [string, number, string, string | RegExp][] = [
    ["int", INT, "12.5", EXPECTED.int],
    ["double", DOUBLE, "12,99", EXPECTED.double],
    ["bool", BOOL, "true", EXPECTED.bool],
    ["tstamp", TSTAMP, "not a tstamp", EXPECTED.tstamp],
    ["contexts", CONTEXTS, "{", /^invalid JSON/],
    ["unstruct", UNSTRUCT, '{"data":[]}', /not self-describing/],
  ];
  for (const [label, kind, text, message] of cases) {
    await t.step(label, () => {
      const value = readField(kind, text);
      assert.ok(value instanceof Invalid);
      if (typeof message === "string") assert.equal(value.message, message);
      else assert.match(value.message, message);
    });
  }
});

Deno.test("expected() gives the message of each atomic kind", () => {
  assert.equal(expected(INT), EXPECTED.int);
  assert.equal(expected(DOUBLE), EXPECTED.double);
  assert.equal(expected(BOOL), EXPECTED.bool);
  assert.equal(expected(TSTAMP), EXPECTED.tstamp);
});

Deno.test("issue() names the field of an index", () => {
  assert.deepEqual(issue(7, "x", "m"), { field: "txn_id", index: 7, value: "x", message: "m" });
  assert.deepEqual(issue(121, "y", "n"), {
    field: "refr_dvce_tstamp",
    index: 121,
    value: "y",
    message: "n",
  });
});
