/**
 * Schema URIs met by the bytes path, cached by their bytes with what the output needs of each
 * (validity, the shredded column names as bytes, the SchemaVer), so that a URI seen before is
 * neither decoded nor parsed again.
 *
 * @module
 */

import { SCHEMA_VERSION } from "./_rules.ts";
import { schemaInfo } from "./shred.ts";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** What the output needs of one schema URI. */
export interface SchemaEntry {
  /** The URI's bytes. */
  readonly uri: Uint8Array;
  /** The URI's whole little-endian 32-bit words, for a quick comparison. */
  readonly words: Uint32Array;
  /** Whether it is a valid Iglu URI. */
  readonly valid: boolean;
  /** The contexts column name (for grouping). */
  readonly column: string;
  /** `,"contexts_...":[` */
  readonly contextsKey: Uint8Array;
  /** `,"unstruct_event_...":` */
  readonly unstructKey: Uint8Array;
  /** The unstruct column name (empty when invalid). */
  readonly unstructColumn: string;
  /** `MODEL-REVISION-ADDITION"` (the value of `_schema_version` and its closing quote). */
  readonly version: Uint8Array;
  /** Another entry with the same hash. */
  readonly next: SchemaEntry | undefined;
}

/** `{"_schema_version":"`, the start of a context object written with `schemaVersion`. */
export const SCHEMA_VERSION_HEAD: Uint8Array = encoder.encode(`{"${SCHEMA_VERSION}":"`);

const MAX_CACHED_SCHEMAS = 4096;
const schemaCache = new Map<number, SchemaEntry>();
let cachedSchemas = 0;

/** Recently used schemas, by a cheap hash of their bytes. */
const recentSchemas: (SchemaEntry | undefined)[] = new Array(256).fill(undefined);

/** The ASCII text of `b[from, to)`. */
export function ascii(b: Uint8Array, from: number, to: number): string {
  let text = "";
  for (let at = from; at < to; at += 4096) {
    const chunk = b.subarray(at, Math.min(to, at + 4096));
    text += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return text;
}

/** Whether the URI of `entry` is `src[from, to)` (compared 4 bytes at a time, from the end). */
function sameBytes(
  entry: SchemaEntry,
  src: Uint8Array,
  view: DataView,
  from: number,
  to: number,
): boolean {
  const uri = entry.uri;
  const length = uri.length;
  if (length !== to - from) return false;
  const words = entry.words;
  for (let i = words.length - 1; i >= 0; i--) {
    if (view.getUint32(from + 4 * i, true) !== words[i]) return false;
  }
  for (let k = words.length * 4; k < length; k++) if (uri[k] !== src[from + k]) return false;
  return true;
}

/** The whole little-endian 32-bit words of `bytes[from, to)`. */
function wordsOf(bytes: Uint8Array, from: number, to: number): Uint32Array {
  const words = new Uint32Array((to - from) >> 2);
  for (let w = 0; w < words.length; w++) {
    const at = from + 4 * w;
    words[w] =
      (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>>
      0;
  }
  return words;
}

/** A new entry for the schema URI in `bytes[from, to)`, chained before `next`. */
function newEntry(
  bytes: Uint8Array,
  from: number,
  to: number,
  next: SchemaEntry | undefined,
): SchemaEntry {
  const info = schemaInfo(ascii(bytes, from, to));
  const uri = bytes.slice(from, to);
  const words = wordsOf(bytes, from, to);
  if (info === null) {
    return {
      uri,
      words,
      valid: false,
      column: "",
      contextsKey: EMPTY,
      unstructKey: EMPTY,
      unstructColumn: "",
      version: EMPTY,
      next,
    };
  }
  return {
    uri,
    words,
    valid: true,
    column: info.contextsColumn,
    contextsKey: encoder.encode(`,"${info.contextsColumn}":[`),
    unstructKey: encoder.encode(`,"${info.unstructColumn}":`),
    unstructColumn: info.unstructColumn,
    version: encoder.encode(`${info.key.version}"`),
    next,
  };
}

/** The entry of the schema URI in `bytes[from, to)` (ASCII without escapes), from the table. */
function lookUp(bytes: Uint8Array, from: number, to: number): SchemaEntry {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  const first = schemaCache.get(hash);
  const length = to - from;
  search: for (let entry = first; entry !== undefined; entry = entry.next) {
    const uri = entry.uri;
    if (uri.length !== length) continue;
    for (let i = 0; i < length; i++) if (uri[i] !== bytes[from + i]) continue search;
    return entry;
  }
  let entry = newEntry(bytes, from, to, first);
  if (cachedSchemas >= MAX_CACHED_SCHEMAS) {
    schemaCache.clear();
    cachedSchemas = 0;
    entry = { ...entry, next: undefined };
  }
  schemaCache.set(hash, entry);
  cachedSchemas++;
  return entry;
}

/**
 * The entry of the schema URI in `src[from, to)` (ASCII without escapes; `view` is a DataView
 * of `src`): a small direct-mapped cache, by length and a few bytes, in front of the table.
 */
export function schemaEntry(
  src: Uint8Array,
  view: DataView,
  from: number,
  to: number,
): SchemaEntry {
  const slot = ((to - from) * 7 + src[to - 7] * 3 + src[to - 12] + src[(from + to) >> 1] * 5) &
    255;
  let entry = recentSchemas[slot];
  if (entry === undefined || !sameBytes(entry, src, view, from, to)) {
    entry = lookUp(src, from, to);
    recentSchemas[slot] = entry;
  }
  return entry;
}
