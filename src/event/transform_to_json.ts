/**
 * The flat JSON form written straight to JSON text: the fast path for NDJSON output.
 *
 * @module
 */

import { FIELD_COUNT } from "./fields.ts";
import {
  BOOL,
  CONTEXTS,
  DOUBLE,
  FIELD_STARTS,
  INT,
  KINDS,
  LATITUDE,
  LONGITUDE,
  NAMES,
  scanLine,
  STRING,
  TSTAMP,
} from "./read_field.ts";
import { entityData, readContexts, readUnstruct, type SchemaInfo, schemaInfo } from "./shred.ts";
import { transform, type TransformOptions } from "./transform.ts";
import { isTimestampAt, readDoubleAt, readIntAt } from "./values.ts";
import { scanContexts, scanUnstruct } from "./json_scan.ts";

const CONTEXTS_INDEX = 52;
const UNSTRUCT_INDEX = 58;
const DERIVED_INDEX = 122;

/** `,"name":` for each field. */
const KEYS: readonly string[] = NAMES.map((name) => `,${JSON.stringify(name)}:`);
/** `,"name":"` for each field. */
const QUOTED_KEYS: readonly string[] = KEYS.map((key) => `${key}"`);
/** `,"name":true` and `,"name":false` for each field. */
const TRUE_KEYS: readonly string[] = KEYS.map((key) => `${key}true`);
const FALSE_KEYS: readonly string[] = KEYS.map((key) => `${key}false`);

/** Characters that JSON strings must escape (surrogates: only unpaired ones, checked later). */
// deno-lint-ignore no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** The same, in a stretch of the line where tabs separate fields. */
// deno-lint-ignore no-control-regex -- control characters are exactly what JSON must escape
const ESCAPE_IN_LINE = /["\\\u0000-\u0008\u000a-\u001f\ud800-\udfff]/;

/** The shredded columns of both contexts fields: column name → JSON texts of its items. */
type Columns = Map<string, string[]>;

/** Marks a column that the fast path cannot vouch for: the caller falls back to `transform`. */
const INVALID = null;

function addItem(columns: Columns, added: string[], column: string, item: string): void {
  const list = columns.get(column);
  if (list === undefined) {
    columns.set(column, [item]);
    added.push(column);
  } else {
    list.push(item);
  }
}

/**
 * Adds the column items of one contexts field to `columns`, copying each entity's data as
 * text when the scanner vouches for it, else serialising the parsed data. Returns the columns
 * this field adds first, or `INVALID`.
 */
function addContexts(
  text: string,
  columns: Columns,
  version: boolean,
): string[] | typeof INVALID {
  const added: string[] = [];
  const scanned = scanContexts(text);
  if (scanned !== undefined) {
    const infos: SchemaInfo[] = [];
    const items: string[] = [];
    for (const entity of scanned) {
      const info = schemaInfo(entity.schema);
      if (info === null) return INVALID;
      const item = version ? withSchemaVersion(entity.data, info.key.version) : entity.data;
      if (item === undefined) break; // `_schema_version` may be there already: parse instead
      infos.push(info);
      items.push(item);
    }
    if (items.length === scanned.length) {
      for (let i = 0; i < items.length; i++) {
        addItem(columns, added, infos[i].contextsColumn, items[i]);
      }
      return added;
    }
  }
  const contexts = readContexts(text);
  if (typeof contexts === "string") return INVALID;
  for (const entity of contexts.data) {
    const info = schemaInfo(entity.schema)!;
    addItem(columns, added, info.contextsColumn, JSON.stringify(entityData(entity, info, version)));
  }
  return added;
}

/**
 * The data text with `"_schema_version"` as its first member when it is an object; `undefined`
 * when the object already names `_schema_version` (the parsed value decides then).
 */
function withSchemaVersion(data: string, version: string): string | undefined {
  if (data.charCodeAt(0) !== 123) return data;
  // Also when a member name is escaped: it could spell `_schema_version`.
  if (data.includes('"_schema_version"') || data.includes("\\")) return undefined;
  let p = 1;
  while (data.charCodeAt(p) === 32) p++;
  const head = `{"_schema_version":"${version}"`;
  return data.charCodeAt(p) === 125 ? `${head}}` : `${head},${data.slice(p)}`;
}

/** The `,"unstruct_event_...":data` text of an unstruct column, or `INVALID`. */
function unstructText(text: string): string | typeof INVALID {
  const scanned = scanUnstruct(text);
  if (scanned !== undefined) {
    const info = schemaInfo(scanned.schema);
    if (info === null) return INVALID;
    return `,${JSON.stringify(info.unstructColumn)}:${scanned.data}`;
  }
  const event = readUnstruct(text);
  if (typeof event === "string") return INVALID;
  const column = schemaInfo(event.data.schema)!.unstructColumn;
  return `,${JSON.stringify(column)}:${JSON.stringify(event.data.data)}`;
}

/** Writes the named columns into `parts` from position `n`; returns the next position. */
function writeColumns(
  parts: string[],
  n: number,
  columns: Columns,
  names: readonly string[],
): number {
  for (const name of names) {
    const items = columns.get(name)!;
    parts[n++] = `,${JSON.stringify(name)}:[`;
    parts[n++] = items[0];
    for (let i = 1; i < items.length; i++) {
      parts[n++] = ",";
      parts[n++] = items[i];
    }
    parts[n++] = "]";
  }
  return n;
}

/**
 * The flat JSON form of a line as JSON text, without building the object first: the JSON of
 * each context and of the unstruct event is validated (`JSON.parse`) and then copied as text
 * instead of being serialised again. `JSON.parse(transformToJson(line, options))` deep-equals
 * `JSON.parse(JSON.stringify(transform(line, options)))`, and for payloads written the way
 * `JSON.stringify` writes them the two texts are identical; this is the fastest way to write NDJSON.
 *
 * Where a payload's text could differ from its parsed value (escaped member names, a number that
 * overflows to infinity or is negative zero, `_schema_version` already present), that payload is
 * serialised from the parsed value instead.
 *
 * @example Write one NDJSON line
 * ```ts
 * import { transform, transformToJson } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[52] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 7 } }],
 * });
 * const line = fields.join("\t");
 *
 * assert.equal(transformToJson(line), '{"app_id":"shop","contexts_com_acme_user_1":[{"id":7}]}');
 * assert.equal(transformToJson(line), JSON.stringify(transform(line)));
 * ```
 *
 * @param line One enriched event: 131 tab-separated fields.
 * @param options What shape to produce.
 * @returns The flat JSON form as compact JSON text (no line break).
 * @throws {TransformError} Exactly when {@linkcode transform} throws.
 */
export function transformToJson(line: string, options?: TransformOptions): string {
  scanLine(line);
  const starts = FIELD_STARTS;
  const nulls = options?.nulls ?? false;
  const version = options?.schemaVersion ?? false;

  // The self-describing columns first: contexts merge across fields 52 and 122.
  const columns: Columns = new Map();
  let contextsColumns: string[] = [];
  let derivedColumns: string[] = [];
  let unstruct = "";
  const field = (index: number) => line.slice(starts[index], starts[index + 1] - 1);
  if (starts[CONTEXTS_INDEX + 1] - starts[CONTEXTS_INDEX] > 1) {
    const added = addContexts(field(CONTEXTS_INDEX), columns, version);
    if (added === INVALID) return fallback(line, options);
    contextsColumns = added;
  }
  if (starts[DERIVED_INDEX + 1] - starts[DERIVED_INDEX] > 1) {
    const added = addContexts(field(DERIVED_INDEX), columns, version);
    if (added === INVALID) return fallback(line, options);
    derivedColumns = added;
  }
  if (starts[UNSTRUCT_INDEX + 1] - starts[UNSTRUCT_INDEX] > 1) {
    const text = unstructText(field(UNSTRUCT_INDEX));
    if (text === INVALID) return fallback(line, options);
    unstruct = text;
  }

  // Atomic strings are copied between quotes unless some need escaping: check the atomic
  // parts of the line once rather than each field.
  const plain = !ESCAPE_IN_LINE.test(line.slice(0, starts[CONTEXTS_INDEX])) &&
    !ESCAPE_IN_LINE.test(line.slice(starts[CONTEXTS_INDEX + 1], starts[UNSTRUCT_INDEX])) &&
    !ESCAPE_IN_LINE.test(line.slice(starts[UNSTRUCT_INDEX + 1], starts[DERIVED_INDEX])) &&
    !ESCAPE_IN_LINE.test(line.slice(starts[DERIVED_INDEX + 1]));
  const parts: string[] = ["{"];
  let n = 1;
  if (
    (options?.geoLocation ?? true) && starts[LATITUDE + 1] - starts[LATITUDE] > 1 &&
    starts[LONGITUDE + 1] - starts[LONGITUDE] > 1
  ) {
    // Validated as doubles below, so the text needs no escaping.
    parts[n++] = `,"geo_location":"${field(LATITUDE)},${field(LONGITUDE)}"`;
  }
  for (let i = 0; i < FIELD_COUNT; i++) {
    const start = starts[i];
    const stop = starts[i + 1] - 1;
    const kind = KINDS[i];
    if (stop === start) {
      if (nulls && kind < CONTEXTS) parts[n++] = `${KEYS[i]}null`;
      continue;
    }
    switch (kind) {
      case STRING: {
        const text = line.slice(start, stop);
        if (plain || !NEEDS_ESCAPE.test(text)) {
          parts[n++] = QUOTED_KEYS[i];
          parts[n++] = text;
          parts[n++] = '"';
        } else {
          parts[n++] = KEYS[i];
          parts[n++] = JSON.stringify(text);
        }
        break;
      }
      case INT: {
        const value = readIntAt(line, start, stop);
        if (value === undefined) return fallback(line, options);
        parts[n++] = KEYS[i];
        parts[n++] = String(value);
        break;
      }
      case DOUBLE: {
        const value = readDoubleAt(line, start, stop);
        if (value === undefined) return fallback(line, options);
        parts[n++] = KEYS[i];
        parts[n++] = String(value);
        break;
      }
      case BOOL: {
        const c = stop - start === 1 ? line.charCodeAt(start) : 0;
        if (c !== 48 && c !== 49) return fallback(line, options);
        parts[n++] = c === 49 ? TRUE_KEYS[i] : FALSE_KEYS[i];
        break;
      }
      case TSTAMP:
        if (!isTimestampAt(line, start, stop)) return fallback(line, options);
        parts[n++] = QUOTED_KEYS[i];
        parts[n++] = line.slice(start, start + 10);
        parts[n++] = "T";
        parts[n++] = line.slice(start + 11, stop);
        parts[n++] = 'Z"';
        break;
      default:
        if (i === CONTEXTS_INDEX) n = writeColumns(parts, n, columns, contextsColumns);
        else if (i === DERIVED_INDEX) n = writeColumns(parts, n, columns, derivedColumns);
        else parts[n++] = unstruct;
    }
  }
  if (n === 1) return "{}";
  parts[1] = parts[1].slice(1); // the first member has no leading comma
  parts[n++] = "}";
  return parts.join("");
}

/** The general path, for lines with an invalid value: it throws the full `TransformError`. */
function fallback(line: string, options: TransformOptions | undefined): string {
  return JSON.stringify(transform(line, options));
}
