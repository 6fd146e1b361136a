/**
 * The error for a line that cannot be read (docs/contract.md §4).
 */

import assert from "node:assert/strict";
import { TransformError, type TransformIssue } from "../../src/event/transform_error.ts";

const ISSUES: TransformIssue[] = [
  { field: "txn_id", index: 7, value: "x", message: "expected an integer" },
  { field: "br_cookies", index: 93, value: "yes", message: 'expected "1" or "0"' },
];

Deno.test("TransformError is a SyntaxError named TransformError", () => {
  const error = new TransformError("NotTsv", 1);
  assert.ok(error instanceof TransformError);
  assert.ok(error instanceof SyntaxError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "TransformError");
  assert.ok(String(error).startsWith("TransformError: Cannot parse enriched event: "));
  assert.equal(typeof error.stack, "string");
});

Deno.test("TransformError carries code, fieldCount and issues", async (t) => {
  await t.step("NotTsv", () => {
    const error = new TransformError("NotTsv", 1);
    assert.equal(error.code, "NotTsv");
    assert.equal(error.fieldCount, 1);
    assert.deepEqual(error.issues, []);
  });
  await t.step("FieldCountMismatch", () => {
    const error = new TransformError("FieldCountMismatch", 130);
    assert.equal(error.code, "FieldCountMismatch");
    assert.equal(error.fieldCount, 130);
    assert.deepEqual(error.issues, []);
  });
  await t.step("InvalidValues", () => {
    const error = new TransformError("InvalidValues", 131, ISSUES);
    assert.equal(error.code, "InvalidValues");
    assert.equal(error.fieldCount, 131);
    assert.deepEqual(error.issues, ISSUES);
  });
});

Deno.test("TransformError message says what was wrong", async (t) => {
  await t.step("NotTsv", () => {
    assert.equal(
      new TransformError("NotTsv", 1).message,
      "Cannot parse enriched event: expected 131 tab-separated fields but the line has no tab",
    );
  });
  await t.step("FieldCountMismatch", () => {
    assert.equal(
      new TransformError("FieldCountMismatch", 130).message,
      "Cannot parse enriched event: expected 131 fields but got 130",
    );
    assert.equal(
      new TransformError("FieldCountMismatch", 132).message,
      "Cannot parse enriched event: expected 131 fields but got 132",
    );
  });
  await t.step("one invalid value", () => {
    assert.equal(
      new TransformError("InvalidValues", 131, ISSUES.slice(0, 1)).message,
      'Cannot parse enriched event: 1 invalid value: txn_id (index 7) "x": expected an integer',
    );
  });
  await t.step("several invalid values, in order", () => {
    assert.equal(
      new TransformError("InvalidValues", 131, ISSUES).message,
      'Cannot parse enriched event: 2 invalid values: txn_id (index 7) "x": expected an integer; ' +
        'br_cookies (index 93) "yes": expected "1" or "0"',
    );
  });
  await t.step("a long value is cut to 80 characters", () => {
    const value = "9".repeat(500);
    const error = new TransformError("InvalidValues", 131, [
      { field: "txn_id", index: 7, value, message: "m" },
    ]);
    assert.ok(error.message.includes(`"${"9".repeat(80)}…"`));
    assert.ok(!error.message.includes("9".repeat(81)));
    assert.equal(error.issues[0].value, value, "the issue keeps the whole value");
  });
  await t.step("control characters in a value are escaped", () => {
    const error = new TransformError("InvalidValues", 131, [
      { field: "app_id", index: 0, value: "a\nb\u0000", message: "m" },
    ]);
    assert.ok(error.message.includes('"a\\nb\\u0000"'));
    assert.ok(!error.message.includes("\n"));
  });
});

Deno.test("TransformError.toJSON() gives the Scala ParsingError shape", async (t) => {
  await t.step("NotTSV", () => {
    assert.deepEqual(new TransformError("NotTsv", 1).toJSON(), { type: "NotTSV" });
  });
  await t.step("FieldNumberMismatch", () => {
    assert.deepEqual(new TransformError("FieldCountMismatch", 130).toJSON(), {
      type: "FieldNumberMismatch",
      fieldCount: 130,
    });
  });
  await t.step("RowDecodingError", () => {
    assert.deepEqual(new TransformError("InvalidValues", 131, ISSUES).toJSON(), {
      type: "RowDecodingError",
      errors: [
        { type: "InvalidValue", key: "txn_id", value: "x", message: "expected an integer" },
        { type: "InvalidValue", key: "br_cookies", value: "yes", message: 'expected "1" or "0"' },
      ],
    });
  });
  await t.step("JSON.stringify() uses it", () => {
    assert.equal(
      JSON.stringify(new TransformError("FieldCountMismatch", 132)),
      '{"type":"FieldNumberMismatch","fieldCount":132}',
    );
    assert.equal(JSON.stringify(new TransformError("NotTsv", 1)), '{"type":"NotTSV"}');
    assert.equal(
      JSON.stringify(new TransformError("InvalidValues", 131, ISSUES.slice(1))),
      '{"type":"RowDecodingError","errors":[{"type":"InvalidValue","key":"br_cookies",' +
        '"value":"yes","message":"expected \\"1\\" or \\"0\\""}]}',
    );
  });
});
