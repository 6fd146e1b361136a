/**
 * The error thrown for an enriched-event line that cannot be read.
 *
 * @module
 */

import type { EnrichedEventFieldName } from "./fields.ts";

/** What kind of problem a line has. */
export type TransformErrorCode = "NotTsv" | "FieldCountMismatch" | "InvalidValues";

/** One invalid field of a line. */
export interface TransformIssue {
  /** The field's name. */
  readonly field: EnrichedEventFieldName;
  /** The field's zero-based position in the line. */
  readonly index: number;
  /** The offending text, exactly as found. */
  readonly value: string;
  /** What was expected instead. */
  readonly message: string;
}

/**
 * The error's JSON form: the Scala Analytics SDK's `ParsingError` shape, so bad rows
 * interoperate with other Snowplow tools.
 */
export type ParsingErrorJson =
  | { type: "NotTSV" }
  | { type: "FieldNumberMismatch"; fieldCount: number }
  | {
    type: "RowDecodingError";
    errors: { type: "InvalidValue"; key: string; value: string; message: string }[];
  };

const MAX_QUOTED = 80;

function quote(value: string): string {
  const text = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
  return JSON.stringify(text);
}

function describe(code: TransformErrorCode, fieldCount: number, issues: readonly TransformIssue[]) {
  const prefix = "Cannot parse enriched event: ";
  if (code === "NotTsv") {
    return `${prefix}expected 131 tab-separated fields but the line has no tab`;
  }
  if (code === "FieldCountMismatch") {
    return `${prefix}expected 131 fields but got ${fieldCount}`;
  }
  const list = issues.map((i) => `${i.field} (index ${i.index}) ${quote(i.value)}: ${i.message}`);
  const count = issues.length === 1 ? "1 invalid value" : `${issues.length} invalid values`;
  return `${prefix}${count}: ${list.join("; ")}`;
}

/**
 * A line that is not a valid enriched event. Every problem in the line is collected before
 * it is thrown, so one error reports all invalid fields.
 *
 * @example Catch and inspect an invalid line
 * ```ts
 * import { transform, TransformError } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[7] = "x"; // txn_id is an int
 * try {
 *   transform(fields.join("\t"));
 *   assert.fail("expected a TransformError");
 * } catch (error) {
 *   assert.ok(error instanceof TransformError);
 *   assert.equal(error.code, "InvalidValues");
 *   assert.equal(error.issues[0].field, "txn_id");
 *   assert.equal(error.toJSON().type, "RowDecodingError");
 * }
 * ```
 */
export class TransformError extends SyntaxError {
  /** What kind of problem the line has. */
  readonly code: TransformErrorCode;
  /** How many tab-separated fields the line has. */
  readonly fieldCount: number;
  /** Every invalid field (empty unless `code` is `"InvalidValues"`). */
  readonly issues: readonly TransformIssue[];

  /**
   * Creates the error; the message is derived from the code, field count and issues.
   *
   * @param code What kind of problem the line has.
   * @param fieldCount How many tab-separated fields the line has.
   * @param issues Every invalid field.
   */
  constructor(
    code: TransformErrorCode,
    fieldCount: number,
    issues: readonly TransformIssue[] = [],
  ) {
    super(describe(code, fieldCount, issues));
    this.name = "TransformError";
    this.code = code;
    this.fieldCount = fieldCount;
    this.issues = issues;
  }

  /**
   * The Scala SDK's `ParsingError` JSON for this error.
   *
   * @returns `{"type":"NotTSV"}`, `{"type":"FieldNumberMismatch","fieldCount":130}` or
   * `{"type":"RowDecodingError","errors":[{"type":"InvalidValue","key":...,"value":...,"message":...}]}`.
   */
  toJSON(): ParsingErrorJson {
    if (this.code === "NotTsv") return { type: "NotTSV" };
    if (this.code === "FieldCountMismatch") {
      return { type: "FieldNumberMismatch", fieldCount: this.fieldCount };
    }
    return {
      type: "RowDecodingError",
      errors: this.issues.map((i) => ({
        type: "InvalidValue",
        key: i.field,
        value: i.value,
        message: i.message,
      })),
    };
  }
}
