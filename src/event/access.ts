/**
 * Reading parts of a parsed event: one field, a subset in the flat form, values inside a
 * context or the unstruct event, and the inventory of schemas (the Go SDK's accessors).
 *
 * @module
 */

import {
  ENRICHED_EVENT_FIELDS,
  type EnrichedEvent,
  type EnrichedEventFieldName,
} from "./fields.ts";
import { CONTEXTS, KINDS, NAMES } from "./_rules.ts";
import { type IgluSchemaKey, parseIgluUri, shreddedName } from "./self_describing.ts";
import { shredContexts, shredUnstruct } from "./shred.ts";
import type { TransformOptions } from "./transform.ts";
import type { Contexts, UnstructEvent } from "./self_describing.ts";

const INDEX_BY_NAME: ReadonlyMap<string, number> = new Map(
  ENRICHED_EVENT_FIELDS.map((field) => [field.name, field.index]),
);

function indexOf(name: string): number {
  const index = INDEX_BY_NAME.get(name);
  if (index === undefined) {
    throw new TypeError(`Invalid field name ${JSON.stringify(name)}: not an enriched event field`);
  }
  return index;
}

/** Adds field `index` of `event` to `out` in the flat form. */
function addFlat(
  event: EnrichedEvent,
  index: number,
  out: Record<string, unknown>,
  options: TransformOptions | undefined,
): void {
  const name = NAMES[index];
  const value = (event as unknown as Record<string, unknown>)[name];
  const kind = KINDS[index];
  if (value == null) {
    if (options?.nulls && kind < CONTEXTS) out[name] = null;
  } else if (kind < CONTEXTS) {
    out[name] = value;
  } else if (kind === CONTEXTS) {
    shredContexts(value as Contexts, out, options?.schemaVersion ?? false);
  } else {
    shredUnstruct(value as UnstructEvent, out);
  }
}

/**
 * The value of one field. Atomic fields give their typed value; `contexts`,
 * `derived_contexts` and `unstruct_event` give their shredded flat-form columns
 * (`{ "contexts_com_acme_user_1": [...] }`). Empty fields give `null`.
 *
 * @example Read one field
 * ```ts
 * import { getValue, parse } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[58] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
 *   data: { schema: "iglu:com.acme/click/jsonschema/1-0-0", data: { x: 1 } },
 * });
 * const event = parse(fields.join("\t"));
 * assert.equal(getValue(event, "app_id"), "shop");
 * assert.deepEqual(getValue(event, "unstruct_event"), { unstruct_event_com_acme_click_1: { x: 1 } });
 * assert.equal(getValue(event, "user_id"), null);
 * ```
 *
 * @param event A parsed event.
 * @param field A field name.
 * @returns The field's value, its shredded columns, or `null` when empty.
 * @throws {TypeError} When `field` is not one of the 131 field names.
 */
export function getValue(event: EnrichedEvent, field: EnrichedEventFieldName): unknown {
  const index = indexOf(field);
  const value = (event as unknown as Record<string, unknown>)[field];
  if (value == null) return null;
  if (KINDS[index] < CONTEXTS) return value;
  const out: Record<string, unknown> = {};
  addFlat(event, index, out, undefined);
  return out;
}

/**
 * A subset of the flat form: only the named fields (self-describing columns expand to their
 * shredded columns), in TSV order. Empty fields are left out unless `nulls` is set.
 *
 * @example Keep a few fields
 * ```ts
 * import { parse, pick } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[1] = "web";
 * fields[7] = "42";
 * const event = parse(fields.join("\t"));
 * assert.deepEqual(pick(event, ["txn_id", "app_id", "user_id"]), { app_id: "shop", txn_id: 42 });
 * ```
 *
 * @param event A parsed event.
 * @param fields The fields to keep.
 * @param options `nulls` and `schemaVersion` as in {@linkcode transform} (`geoLocation` does
 * not apply).
 * @returns The flat form of those fields.
 * @throws {TypeError} When a name is not one of the 131 field names.
 */
export function pick(
  event: EnrichedEvent,
  fields: readonly EnrichedEventFieldName[],
  options?: TransformOptions,
): Record<string, unknown> {
  const indexes = fields.map(indexOf).sort((a, b) => a - b);
  const out: Record<string, unknown> = {};
  let previous = -1;
  for (const index of indexes) {
    if (index !== previous) addFlat(event, index, out, options);
    previous = index;
  }
  return out;
}

/** One step into a JSON value: an object member name or an array index. */
export type JsonPathSegment = string | number;

function follow(value: unknown, path: readonly JsonPathSegment[]): unknown {
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    if (Array.isArray(value)) {
      if (typeof segment !== "number") return undefined;
      value = value[segment];
    } else {
      if (typeof segment !== "string" || !Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
  }
  return value;
}

/**
 * The values at `path` inside every context of one shredded column, from both `contexts`
 * and `derived_contexts`, in order; contexts where the path leads nowhere are skipped.
 *
 * @example Read a value from a context
 * ```ts
 * import { getContextValues, parse } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[52] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   data: [
 *     { schema: "iglu:org.schema/WebPage/jsonschema/1-0-0", data: { breadcrumb: ["blog", "x"] } },
 *   ],
 * });
 * const event = parse(fields.join("\t"));
 * assert.deepEqual(getContextValues(event, "contexts_org_schema_web_page_1", ["breadcrumb", 0]), [
 *   "blog",
 * ]);
 * assert.deepEqual(getContextValues(event, "contexts_org_schema_web_page_1", ["nope"]), []);
 * ```
 *
 * @param event A parsed event.
 * @param column A shredded column name, `contexts_<vendor>_<name>_<model>`.
 * @param path Member names and array indexes to follow inside each context's data.
 * @returns The values found (empty when the event has no such context).
 */
export function getContextValues(
  event: EnrichedEvent,
  column: string,
  path: readonly JsonPathSegment[] = [],
): unknown[] {
  const found: unknown[] = [];
  for (const contexts of [event.contexts, event.derived_contexts]) {
    if (contexts == null) continue;
    for (const entity of contexts.data) {
      const key = parseIgluUri(entity.schema);
      if (key === null || shreddedName("contexts", key) !== column) continue;
      const value = follow(entity.data, path);
      if (value !== undefined) found.push(value);
    }
  }
  return found;
}

/**
 * The value at `path` inside the unstruct event's data, or `undefined` when there is no
 * unstruct event or the path leads nowhere.
 *
 * @example Read a value from the unstruct event
 * ```ts
 * import { getUnstructValue, parse } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[58] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
 *   data: {
 *     schema: "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
 *     data: { elementClasses: ["foreground"] },
 *   },
 * });
 * const event = parse(fields.join("\t"));
 * assert.equal(getUnstructValue(event, ["elementClasses", 0]), "foreground");
 * assert.equal(getUnstructValue(event, ["missing"]), undefined);
 * ```
 *
 * @param event A parsed event.
 * @param path Member names and array indexes to follow inside the event's data.
 * @returns The value found, or `undefined`.
 */
export function getUnstructValue(
  event: EnrichedEvent,
  path: readonly JsonPathSegment[] = [],
): unknown {
  const unstruct = event.unstruct_event;
  return unstruct == null ? undefined : follow(unstruct.data.data, path);
}

/** Which column an entity of an event came from. */
export type SelfDescribingColumn = "contexts" | "derived_contexts" | "unstruct_event";

/** One schema an event carries. */
export interface SchemaInventoryItem {
  /** The Iglu schema URI. */
  schema: string;
  /** Its parts. */
  key: IgluSchemaKey;
  /** The column the entity came from. */
  column: SelfDescribingColumn;
  /** The flat-form column it is shredded to. */
  shreddedName: string;
}

/**
 * Every schema the event carries, with the column each came from, in column order
 * (`contexts`, `unstruct_event`, `derived_contexts`), one item per entity.
 *
 * @example List an event's schemas
 * ```ts
 * import { parse, schemaInventory } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[122] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
 *   data: [{ schema: "iglu:nl.basjes/yauaa_context/jsonschema/1-0-4", data: {} }],
 * });
 * const [item] = schemaInventory(parse(fields.join("\t")));
 * assert.equal(item.column, "derived_contexts");
 * assert.equal(item.shreddedName, "contexts_nl_basjes_yauaa_context_1");
 * assert.equal(item.key.version, "1-0-4");
 * ```
 *
 * @param event A parsed event.
 * @returns One item per context and unstruct event.
 */
export function schemaInventory(event: EnrichedEvent): SchemaInventoryItem[] {
  const items: SchemaInventoryItem[] = [];
  const add = (schema: string, column: SelfDescribingColumn) => {
    const key = parseIgluUri(schema);
    if (key === null) {
      throw new TypeError(`Invalid Iglu schema URI in ${column}: ${JSON.stringify(schema)}`);
    }
    const prefix = column === "unstruct_event" ? "unstruct_event" : "contexts";
    items.push({ schema, key, column, shreddedName: shreddedName(prefix, key) });
  };
  for (const entity of event.contexts?.data ?? []) add(entity.schema, "contexts");
  if (event.unstruct_event != null) add(event.unstruct_event.data.schema, "unstruct_event");
  for (const entity of event.derived_contexts?.data ?? []) add(entity.schema, "derived_contexts");
  return items;
}
