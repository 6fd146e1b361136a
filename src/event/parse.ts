/**
 * The typed, lossless form of an enriched event and the way back to the TSV line.
 *
 * @module
 */

import { type EnrichedEvent, FIELD_COUNT } from "./fields.ts";
import { TransformError, type TransformIssue } from "./transform_error.ts";
import { fieldText, Invalid, issue, readField, scanLine } from "./read_field.ts";
import { BOOL, DOUBLE, INT, KINDS, NAMES, STRING, TSTAMP } from "./_rules.ts";
import { writeTimestamp } from "./values.ts";

/**
 * Parses one enriched-event TSV line into an {@linkcode EnrichedEvent}: all 131 fields, typed,
 * `null` when empty, the three self-describing columns parsed (not shredded).
 *
 * For canonical input `toTsv(parse(line)) === line` (see {@linkcode toTsv}).
 *
 * @example Parse a line and read typed fields
 * ```ts
 * import { parse } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[95] = "1024";  // br_viewwidth
 * fields[93] = "1";     // br_cookies
 * const event = parse(fields.join("\t"));
 * assert.equal(event.app_id, "shop");
 * assert.equal(event.br_viewwidth, 1024);
 * assert.equal(event.br_cookies, true);
 * assert.equal(event.user_id, null);
 * ```
 *
 * @param line One enriched event: 131 tab-separated fields.
 * @returns The typed event.
 * @throws {TransformError} When the line is not TSV, has another field count, or has invalid
 * values.
 */
export function parse(line: string): EnrichedEvent {
  scanLine(line);
  const event: Record<string, unknown> = {};
  let issues: TransformIssue[] | undefined;
  for (let i = 0; i < FIELD_COUNT; i++) {
    const text = fieldText(line, i);
    if (text === "") {
      event[NAMES[i]] = null;
      continue;
    }
    const value = readField(KINDS[i], text);
    if (value instanceof Invalid) {
      (issues ??= []).push(issue(i, text, value.message));
      event[NAMES[i]] = null;
    } else {
      event[NAMES[i]] = value;
    }
  }
  if (issues !== undefined) throw new TransformError("InvalidValues", FIELD_COUNT, issues);
  return event as unknown as EnrichedEvent;
}

function unwritable(name: string, value: unknown, expected: string): TypeError {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : String(value);
  return new TypeError(`Cannot write field ${name} to TSV: expected ${expected}, got ${shown}`);
}

const LINE_BREAK_OR_TAB = /[\t\n\r]/;

function write(index: number, value: unknown): string {
  const name = NAMES[index];
  switch (KINDS[index]) {
    case STRING:
      if (typeof value !== "string" || LINE_BREAK_OR_TAB.test(value)) {
        throw unwritable(name, value, "a string without tabs or line breaks");
      }
      return value;
    case INT:
      if (!Number.isSafeInteger(value)) throw unwritable(name, value, "a safe integer");
      return String(value);
    case DOUBLE:
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw unwritable(name, value, "a finite number");
      }
      return String(value);
    case BOOL:
      if (typeof value !== "boolean") throw unwritable(name, value, "a boolean");
      return value ? "1" : "0";
    case TSTAMP: {
      const text = typeof value === "string" ? writeTimestamp(value) : undefined;
      if (text === undefined) {
        throw unwritable(name, value, 'an ISO timestamp "YYYY-MM-DDThh:mm:ss[.fff]Z"');
      }
      return text;
    }
    default:
      if (typeof value !== "object") throw unwritable(name, value, "a JSON object");
      return JSON.stringify(value);
  }
}

/**
 * Writes an {@linkcode EnrichedEvent} back to its enriched TSV line (without a line break).
 *
 * `toTsv(parse(line)) === line` holds for canonical lines: numbers as JavaScript writes them
 * (`51.5`, not `51.50`; `179`, not `179.0`), integers without sign or leading zeros, and the
 * JSON columns compact as `JSON.stringify` writes them. For other lines the result has the same
 * values in canonical text: `parse(toTsv(parse(line)))` deep-equals `parse(line)`.
 *
 * @example Edit an event and write it back
 * ```ts
 * import { parse, toTsv } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * const line = fields.join("\t");
 * const event = parse(line);
 * assert.equal(toTsv(event), line);
 *
 * event.app_id = "shop-eu";
 * assert.equal(toTsv(event).split("\t")[0], "shop-eu");
 * ```
 *
 * @param event A typed event (`null` or missing fields are written empty).
 * @returns The TSV line.
 * @throws {TypeError} When a field holds a value that its kind cannot write, such as a string
 * with a tab or a timestamp that is not ISO 8601.
 */
export function toTsv(event: EnrichedEvent): string {
  const values = event as unknown as Record<string, unknown>;
  let line = "";
  for (let i = 0; i < FIELD_COUNT; i++) {
    const value = values[NAMES[i]];
    if (i > 0) line += "\t";
    if (value != null) line += write(i, value);
  }
  return line;
}
