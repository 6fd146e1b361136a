/**
 * Reading the self-describing JSON columns and shredding them into flat-form columns.
 *
 * @module
 */

import {
  type Contexts,
  type IgluSchemaKey,
  parseIgluUri,
  type SelfDescribingJson,
  shreddedName,
  type UnstructEvent,
} from "./self_describing.ts";
import { MAX_JSON_DEPTH, SCHEMA_VERSION } from "./_rules.ts";

/** An Iglu schema with the flat-form column names derived from it. */
export interface SchemaInfo {
  readonly key: IgluSchemaKey;
  readonly contextsColumn: string;
  readonly unstructColumn: string;
}

const MAX_CACHED_SCHEMAS = 4096;
const schemaCache = new Map<string, SchemaInfo | null>();

// A small direct-mapped cache in front of the Map: URIs come out of JSON.parse as fresh strings,
// so a Map lookup hashes the whole URI each time, while a slot picked from the length and four
// characters (two in the name, the middle, the last) costs five reads and one comparison.
const SLOTS = 1024;
const slotUris: (string | undefined)[] = new Array(SLOTS).fill(undefined);
const slotInfos: (SchemaInfo | null)[] = new Array(SLOTS).fill(null);

/** The parts and column names of a schema URI, or `null` when it is not a valid Iglu URI. */
export function schemaInfo(uri: string): SchemaInfo | null {
  const length = uri.length;
  const slot = ((((length * 31 + uri.charCodeAt(length - 14)) * 31 + uri.charCodeAt(length - 18)) *
          31 + uri.charCodeAt(length >> 1)) * 31 + uri.charCodeAt(length - 1)) & (SLOTS - 1);
  if (slotUris[slot] === uri) return slotInfos[slot];
  let info = schemaCache.get(uri);
  if (info === undefined) info = readSchemaInfo(uri);
  slotUris[slot] = uri;
  slotInfos[slot] = info;
  return info;
}

function readSchemaInfo(uri: string): SchemaInfo | null {
  const key = parseIgluUri(uri);
  const info = key === null ? null : {
    key,
    contextsColumn: shreddedName("contexts", key),
    unstructColumn: shreddedName("unstruct_event", key),
  };
  if (schemaCache.size >= MAX_CACHED_SCHEMAS) schemaCache.clear();
  schemaCache.set(uri, info);
  return info;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The parsed text, or why it is not a JSON column: invalid, or nested too deeply. */
function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return new InvalidJson(`invalid JSON: ${error instanceof Error ? error.message : error}`);
  }
  if (tooDeep(text)) {
    return new InvalidJson(
      `JSON nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
    );
  }
  return value;
}

class InvalidJson {
  constructor(readonly message: string) {}
}

/**
 * Whether the valid JSON `text` nests arrays and objects deeper than {@linkcode MAX_JSON_DEPTH}
 * (the rule every path applies). Each level takes two characters, so shorter texts are not
 * scanned at all.
 */
export function tooDeep(text: string): boolean {
  if (text.length <= 2 * MAX_JSON_DEPTH) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // a string (valid, so closed): skip to its closing quote
      for (let d = text.charCodeAt(++i); d !== 34; d = text.charCodeAt(++i)) if (d === 92) i++;
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}

/** The schema info of a URI that must be valid (it is, unless a caller edited an event). */
function knownSchema(uri: string): SchemaInfo {
  const info = schemaInfo(uri);
  if (info === null) throw new TypeError(`Invalid Iglu schema URI: ${show(String(uri))}`);
  return info;
}

/** Why an entity is not self-describing JSON with a valid Iglu URI, or `undefined` if it is. */
function checkEntity(entity: unknown, where: string): string | undefined {
  if (!isObject(entity) || !("data" in entity)) {
    return `${where} is not self-describing JSON {"schema": "iglu:...", "data": ...}`;
  }
  const schema = entity.schema;
  if (typeof schema !== "string") return `${where}.schema is not a string`;
  if (schemaInfo(schema) === null) {
    return `${where}.schema ${
      show(schema)
    } is not a valid Iglu URI (iglu:vendor/name/format/model-revision-addition)`;
  }
  return undefined;
}

/**
 * Reads a `contexts` / `derived_contexts` column: a JSON object whose `data` is an array of
 * self-describing JSON. Returns the parsed value, or a message saying what is wrong.
 */
export function readContexts(text: string): Contexts | string {
  const value = readEnvelope(text);
  if (typeof value === "string") return value;
  const data = value.data;
  for (let i = 0; i < data.length; i++) {
    const problem = checkEntity(data[i], `data[${i}]`);
    if (problem !== undefined) return problem;
  }
  return value as unknown as Contexts;
}

/** The contexts envelope of a column, or what is wrong with it (its entities not checked). */
function readEnvelope(text: string): { data: unknown[] } | string {
  const value = parseJson(text);
  if (value instanceof InvalidJson) return value.message;
  if (!isObject(value) || !Array.isArray(value.data)) {
    return 'expected a JSON object whose "data" is an array of self-describing JSON';
  }
  return value as { data: unknown[] };
}

/**
 * Reads an `unstruct_event` column: a JSON object whose `data` is one self-describing JSON.
 * Returns the parsed value, or a message saying what is wrong.
 */
export function readUnstruct(text: string): UnstructEvent | string {
  const value = parseJson(text);
  if (value instanceof InvalidJson) return value.message;
  if (!isObject(value)) {
    return 'expected a JSON object whose "data" is one self-describing JSON';
  }
  const problem = checkEntity(value.data, "data");
  if (problem !== undefined) return problem;
  return value as unknown as UnstructEvent;
}

/** A context's data, with `_schema_version` first when asked for (the Scala SDK's shape). */
export function entityData(
  entity: SelfDescribingJson,
  info: SchemaInfo,
  version: boolean,
): unknown {
  const data = entity.data;
  if (!version || !isObject(data)) return data;
  const out: Record<string, unknown> = { [SCHEMA_VERSION]: info.key.version };
  for (const key in data) {
    if (key === SCHEMA_VERSION) continue;
    // A "__proto__" member (JSON.parse makes it an own property) must stay a member: outside
    // Deno, assigning it would set the prototype instead.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: data[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = data[key];
    }
  }
  return out;
}

/**
 * Adds each context's data to `out` under its `contexts_<vendor>_<name>_<model>` column.
 * Contexts that share a column share one array, in order; nothing is overwritten.
 */
export function shredContexts(
  contexts: Contexts,
  out: Record<string, unknown>,
  version: boolean,
): void {
  for (const entity of contexts.data) {
    const info = knownSchema(entity.schema);
    const column = info.contextsColumn;
    const list = out[column] as unknown[] | undefined;
    const data = entityData(entity, info, version);
    if (list === undefined) out[column] = [data];
    else list.push(data);
  }
}

/** Adds the event's data to `out` under its `unstruct_event_<vendor>_<name>_<model>` column. */
export function shredUnstruct(event: UnstructEvent, out: Record<string, unknown>): void {
  out[knownSchema(event.data.schema).unstructColumn] = event.data.data;
}

/**
 * Reads a `contexts` / `derived_contexts` column and shreds it into `out` in one pass
 * (the hot path of the transform). Returns what is wrong with it, or `undefined`; after a
 * problem `out` may hold part of the column and must be discarded.
 */
export function shredContextsText(
  text: string,
  out: Record<string, unknown>,
  version: boolean,
): string | undefined {
  const value = readEnvelope(text);
  if (typeof value === "string") return value;
  const data = value.data;
  for (let i = 0; i < data.length; i++) {
    const entity = data[i];
    const info = isObject(entity) && "data" in entity && typeof entity.schema === "string"
      ? schemaInfo(entity.schema)
      : null;
    if (info === null) return checkEntity(entity, `data[${i}]`);
    const column = info.contextsColumn;
    const list = out[column] as unknown[] | undefined;
    const item = version
      ? entityData(entity as SelfDescribingJson, info, true)
      : (entity as SelfDescribingJson).data;
    if (list === undefined) out[column] = [item];
    else list.push(item);
  }
  return undefined;
}

/**
 * Reads an `unstruct_event` column and shreds it into `out` in one pass. Returns what is
 * wrong with it, or `undefined`.
 */
export function shredUnstructText(text: string, out: Record<string, unknown>): string | undefined {
  const value = readUnstruct(text);
  if (typeof value === "string") return value;
  shredUnstruct(value, out);
  return undefined;
}
