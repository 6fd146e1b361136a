/**
 * The flat JSON form written straight from UTF-8 bytes to UTF-8 bytes: the NDJSON fast path.
 * Nothing is decoded to JS strings or encoded back on the good path; every value is validated
 * on its bytes, and the self-describing payloads are checked by a validating JSON scanner and
 * then copied as bytes.
 *
 * @module
 */

import { FIELD_COUNT } from "./fields.ts";
import { KINDS, LATITUDE, LONGITUDE, NAMES } from "./read_field.ts";
import { schemaInfo } from "./shred.ts";
import type { TransformOptions } from "./transform.ts";

/**
 * A growable output byte buffer: {@linkcode writeEventJson} appends NDJSON lines to it.
 *
 * @example Collect NDJSON lines
 * ```ts
 * import { ByteSink } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const sink = new ByteSink(4);
 * sink.write(new TextEncoder().encode('{"a":1}\n'));
 * assert.equal(sink.length, 8);
 * assert.equal(new TextDecoder().decode(sink.take()), '{"a":1}\n');
 * assert.equal(sink.length, 0);
 * ```
 */
export class ByteSink {
  /** The buffer; bytes `[0, length)` are the content. It is replaced when it grows. */
  bytes: Uint8Array<ArrayBuffer>;
  /** How many bytes of {@linkcode ByteSink.bytes} are content. */
  length: number;

  /**
   * An empty sink.
   *
   * @param capacity Initial size of the buffer in bytes.
   */
  constructor(capacity: number = 1 << 16) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
    this.length = 0;
  }

  /**
   * Makes room for `extra` more bytes after the content and returns the (possibly new) buffer.
   *
   * @param extra How many bytes the caller is about to write at {@linkcode ByteSink.length}.
   * @returns The buffer, at least `length + extra` bytes long.
   */
  ensure(extra: number): Uint8Array<ArrayBuffer> {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  /**
   * Appends bytes.
   *
   * @param chunk The bytes to append.
   */
  write(chunk: Uint8Array): void {
    this.ensure(chunk.length).set(chunk, this.length);
    this.length += chunk.length;
  }

  /**
   * The content, without copying: valid until the next write or reset.
   *
   * @returns A view of bytes `[0, length)`.
   */
  view(): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(0, this.length);
  }

  /**
   * A copy of the content, after which the sink is empty.
   *
   * @returns The content.
   */
  take(): Uint8Array<ArrayBuffer> {
    const content = this.bytes.slice(0, this.length);
    this.length = 0;
    return content;
  }

  /**
   * The content without copying, after which the sink is empty and writes into a new buffer of
   * the same size, so the returned bytes are never overwritten.
   *
   * @returns A view of the content.
   */
  detach(): Uint8Array<ArrayBuffer> {
    const content = this.bytes.subarray(0, this.length);
    this.bytes = new Uint8Array(this.bytes.length);
    this.length = 0;
    return content;
  }

  /** Empties the sink (the buffer is kept). */
  reset(): void {
    this.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Constants and pre-encoded keys
// ---------------------------------------------------------------------------------------------

const TAB = 9;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const LOWER_E = 101;
const UPPER_E = 69;
const NEWLINE = 10;
const LAST_FIELD = FIELD_COUNT - 1;
const CONTEXTS_INDEX = 52;
const DERIVED_INDEX = 122;
/** Deepest nesting of arrays and objects inside a payload that the scanner follows. */
const MAX_DEPTH = 64;
const FAIL = -1;

const K_STRING = 0;
const K_INT = 1;
const K_DOUBLE = 2;
const K_BOOL = 3;
const K_TSTAMP = 4;
const K_CONTEXTS = 5;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** `,"name":` of every field, back to back in one array. */
const KEY_BYTES: Uint8Array = encoder.encode(NAMES.map((name) => `,"${name}":`).join(""));
/** Where the key of field `i` starts in {@linkcode KEY_BYTES}; it ends at `KEY_AT[i + 1]`. */
const KEY_AT: Int32Array = new Int32Array(FIELD_COUNT + 1);
for (let i = 0, at = 0; i <= FIELD_COUNT; i++) {
  KEY_AT[i] = at;
  if (i < FIELD_COUNT) at += NAMES[i].length + 4;
}
/**
 * The keys again as little-endian 32-bit words, each key padded to a multiple of 4 bytes:
 * written a word at a time (the padding is overwritten by what follows), which measured
 * faster than a byte loop or \`set()\` for these short runs.
 */
const KEY_WORDS: Uint32Array = new Uint32Array((KEY_BYTES.length + 3 * FIELD_COUNT) >> 2);
/** Where the words of key `i` start in {@linkcode KEY_WORDS}. */
const KEY_WORD_AT: Int32Array = new Int32Array(FIELD_COUNT + 1);
for (let i = 0, w = 0; i < FIELD_COUNT; i++) {
  KEY_WORD_AT[i] = w;
  for (let at = KEY_AT[i]; at < KEY_AT[i + 1]; at += 4, w++) {
    for (let b = 3; b >= 0; b--) {
      KEY_WORDS[w] = (KEY_WORDS[w] << 8) | (at + b < KEY_AT[i + 1] ? KEY_BYTES[at + b] : 0);
    }
  }
  KEY_WORD_AT[i + 1] = w;
}

/** Writes the key of field `i` at `o` (and up to 3 bytes of padding after it). */
function putKey(view: DataView, o: number, i: number): number {
  const length = KEY_AT[i + 1] - KEY_AT[i];
  for (let w = KEY_WORD_AT[i], at = o; w < KEY_WORD_AT[i + 1]; w++, at += 4) {
    view.setUint32(at, KEY_WORDS[w], true);
  }
  return o + length;
}

/** The last output buffer and a DataView of it. */
let viewed: Uint8Array = EMPTY;
let viewedView: DataView = new DataView(EMPTY.buffer);

/** A DataView of `out` (cached: the output buffer only changes when the sink grows). */
function viewOf(out: Uint8Array): DataView {
  if (out !== viewed) {
    viewed = out;
    viewedView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  return viewedView;
}

/** Room for every key with `null`, the braces and the line feed. */
const FIXED_ROOM = KEY_BYTES.length + 5 * FIELD_COUNT + 64;
const GEO_KEY = encoder.encode(',"geo_location":"');
const SCHEMA_VERSION_HEAD = encoder.encode('{"_schema_version":"');

/**
 * Byte classes inside a JSON string: 0 plain ASCII, 1 `"`, 2 `\`, 3 a control character
 * (invalid raw), 4 a UTF-8 lead or stray byte (validated).
 */
const JSON_CLASS = new Uint8Array(256);
/** Byte classes in an atomic string field: 0 copied as is, anything else has a closer look. */
const ATOM_CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  JSON_CLASS[b] = b < 0x20 ? 3 : b === QUOTE ? 1 : b === BACKSLASH ? 2 : b >= 0x80 ? 4 : 0;
  ATOM_CLASS[b] = b < 0x20 || b === QUOTE || b === BACKSLASH || b >= 0x80 ? 1 : 0;
}
const HEX = encoder.encode("0123456789abcdef");

// ---------------------------------------------------------------------------------------------
// Schema URIs, cached by their bytes
// ---------------------------------------------------------------------------------------------

/** What the output needs of one schema URI. */
interface SchemaEntry {
  /** The URI's bytes. */
  readonly uri: Uint8Array;
  /** The URI's whole 32-bit words, for {@linkcode sameBytes}. */
  readonly words: Uint32Array;
  /** Whether it is a valid Iglu URI. */
  readonly valid: boolean;
  /** The contexts column name (for grouping). */
  readonly column: string;
  /** `,"contexts_...":[` */
  readonly contextsKey: Uint8Array;
  /** `,"unstruct_event_...":` */
  readonly unstructKey: Uint8Array;
  /** `MODEL-REVISION-ADDITION"` (the value of `_schema_version` and its closing quote). */
  readonly version: Uint8Array;
  /** Another entry with the same hash. */
  readonly next: SchemaEntry | undefined;
}

const MAX_CACHED_SCHEMAS = 4096;
const schemaCache = new Map<number, SchemaEntry>();
let cachedSchemas = 0;

/** Recently used schemas, by a cheap hash of their bytes. */
const recentSchemas: (SchemaEntry | undefined)[] = new Array(256).fill(undefined);

/** Whether the URI of `entry` is `src[from, to)` (compared 4 bytes at a time, from the end). */
function sameBytes(entry: SchemaEntry, from: number, to: number): boolean {
  const uri = entry.uri;
  const length = uri.length;
  if (length !== to - from) return false;
  const words = entry.words;
  const view = srcView;
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

/** The cache entry of the schema URI in `bytes[from, to)` (ASCII without escapes). */
function schemaEntry(bytes: Uint8Array, from: number, to: number): SchemaEntry {
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
  const text = ascii(bytes, from, to);
  const info = schemaInfo(text);
  let entry: SchemaEntry = info === null
    ? {
      uri: bytes.slice(from, to),
      words: wordsOf(bytes, from, to),
      valid: false,
      column: "",
      contextsKey: EMPTY,
      unstructKey: EMPTY,
      version: EMPTY,
      next: first,
    }
    : {
      uri: bytes.slice(from, to),
      words: wordsOf(bytes, from, to),
      valid: true,
      column: info.contextsColumn,
      contextsKey: encoder.encode(`,"${info.contextsColumn}":[`),
      unstructKey: encoder.encode(`,"${info.unstructColumn}":`),
      version: encoder.encode(`${info.key.version}"`),
      next: first,
    };
  if (cachedSchemas >= MAX_CACHED_SCHEMAS) {
    schemaCache.clear();
    cachedSchemas = 0;
    entry = { ...entry, next: undefined };
  }
  schemaCache.set(hash, entry);
  cachedSchemas++;
  return entry;
}

// ---------------------------------------------------------------------------------------------
// A validating JSON scanner over bytes
// ---------------------------------------------------------------------------------------------

/** The input of the current scan (module state: the writer is synchronous). */
let src: Uint8Array = EMPTY;
/** The last input buffer seen and a DataView of it (kept until the next call, for reuse). */
let srcViewed: Uint8Array = EMPTY;
let srcView: DataView = new DataView(EMPTY.buffer);
/** Container kinds of the open arrays/objects of the current value: 1 object, 2 array. */
const STACK = new Uint8Array(MAX_DEPTH + 1);

/**
 * The position after the UTF-8 sequence whose lead byte is at `p`, or FAIL when it is not
 * well-formed (overlong, a surrogate, beyond U+10FFFF, a stray continuation byte, or cut
 * short by `limit`).
 */
function skipUtf8(p: number, limit: number): number {
  const b = src[p];
  if (b < 0xc2) return FAIL;
  if (b < 0xe0) {
    if (p + 1 >= limit) return FAIL;
    const c = src[p + 1];
    return c >= 0x80 && c <= 0xbf ? p + 2 : FAIL;
  }
  if (b < 0xf0) {
    if (p + 2 >= limit) return FAIL;
    const c = src[p + 1];
    const lo = b === 0xe0 ? 0xa0 : 0x80;
    const hi = b === 0xed ? 0x9f : 0xbf;
    if (c < lo || c > hi) return FAIL;
    const d = src[p + 2];
    return d >= 0x80 && d <= 0xbf ? p + 3 : FAIL;
  }
  if (b > 0xf4 || p + 3 >= limit) return FAIL;
  const c = src[p + 1];
  const lo = b === 0xf0 ? 0x90 : 0x80;
  const hi = b === 0xf4 ? 0x8f : 0xbf;
  if (c < lo || c > hi) return FAIL;
  const d = src[p + 2];
  const e = src[p + 3];
  return d >= 0x80 && d <= 0xbf && e >= 0x80 && e <= 0xbf ? p + 4 : FAIL;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Set by {@linkcode skipString}: whether the last string held an escape. */
let stringEscaped = false;

/**
 * The position after the JSON string whose opening quote is at `p - 1`, or FAIL. The field's
 * terminating tab (a control character) stops any string that is not closed.
 */
function skipString(p: number, limit: number): number {
  stringEscaped = false;
  const s = src;
  for (;;) {
    let c = s[p];
    while (JSON_CLASS[c] === 0) c = s[++p];
    if (c === QUOTE) return p + 1;
    if (c === BACKSLASH) {
      stringEscaped = true;
      const e = s[p + 1];
      if (e === 117) { // \uXXXX
        if (!isHex(s[p + 2]) || !isHex(s[p + 3]) || !isHex(s[p + 4]) || !isHex(s[p + 5])) {
          return FAIL;
        }
        p += 6;
      } else if (
        e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 ||
        e === 114 || e === 116
      ) {
        p += 2;
      } else {
        return FAIL;
      }
    } else if (c !== undefined && c >= 0x80) {
      p = skipUtf8(p, limit);
      if (p === FAIL) return FAIL;
    } else {
      return FAIL; // a control character, or the end of the buffer
    }
  }
}

function skipSpaces(p: number): number {
  const s = src;
  while (s[p] === SPACE) p++; // other whitespace: not vouched for (and \n would split NDJSON)
  return p;
}

function skipDigits(p: number): number {
  let c = src[p];
  while (c >= 48 && c <= 57) c = src[++p];
  return p;
}

/**
 * The position after the number at `p`, or FAIL when it is invalid or its copy would not read
 * back as what `JSON.stringify(JSON.parse(text))` gives: infinite or negative zero.
 */
function skipNumber(p: number): number {
  const start = p;
  const negative = src[p] === MINUS;
  if (negative) p++;
  const first = src[p];
  if (first === ZERO) p++;
  else if (first > ZERO && first <= 57) p = skipDigits(p + 1);
  else return FAIL;
  let c = src[p];
  if (c === DOT) {
    const digits = skipDigits(p + 1);
    if (digits === p + 1) return FAIL;
    p = digits;
    c = src[p];
  }
  let exponent = false;
  if (c === LOWER_E || c === UPPER_E) {
    exponent = true;
    p++;
    c = src[p];
    if (c === PLUS || c === MINUS) p++;
    const digits = skipDigits(p);
    if (digits === p) return FAIL;
    p = digits;
  }
  if (negative && !exponent && p - start <= 300) {
    for (let i = start + 1; i < p; i++) if (src[i] > ZERO && src[i] <= 57) return p;
    return FAIL; // negative zero
  }
  if (exponent || p - start > 300) {
    const value = Number(ascii(src, start, p));
    if (!Number.isFinite(value) || Object.is(value, -0)) return FAIL;
  }
  return p;
}

/** Whether a top-level data key is `_schema_version` (a `schemaVersion` copy cannot keep it). */
function isReservedKey(from: number, to: number): boolean {
  return to - from === 15 && src[from] === 95 && src[from + 1] === 115 && src[from + 7] === 95 &&
    ascii(src, from, to) === "_schema_version";
}

/**
 * The position after the JSON value at `p` (no leading whitespace), or FAIL. With `topKeys`,
 * member names of a top-level object must be unescaped and not reserved (see
 * {@linkcode isReservedKey}).
 */
function skipValue(p: number, limit: number, topKeys: boolean): number {
  let depth = 0;
  value: for (;;) {
    const c = src[p];
    if (c === QUOTE) {
      p = skipString(p + 1, limit);
      if (p === FAIL) return FAIL;
    } else if (c === OPEN_BRACE) {
      p = skipSpaces(p + 1);
      if (src[p] === CLOSE_BRACE) {
        p++;
      } else {
        if (depth === MAX_DEPTH) return FAIL;
        STACK[depth++] = 1;
        // a member: "name" : value
        if (src[p] !== QUOTE) return FAIL;
        const end = skipString(p + 1, limit);
        if (end === FAIL) return FAIL;
        if (topKeys && depth === 1 && (stringEscaped || isReservedKey(p + 1, end - 1))) return FAIL;
        p = skipSpaces(end);
        if (src[p] !== COLON) return FAIL;
        p = skipSpaces(p + 1);
        continue value;
      }
    } else if (c === OPEN_BRACKET) {
      p = skipSpaces(p + 1);
      if (src[p] === CLOSE_BRACKET) {
        p++;
      } else {
        if (depth === MAX_DEPTH) return FAIL;
        STACK[depth++] = 2;
        continue value;
      }
    } else if (c === MINUS || (c >= ZERO && c <= 57)) {
      p = skipNumber(p);
      if (p === FAIL) return FAIL;
    } else if (c === 116) {
      if (src[p + 1] !== 114 || src[p + 2] !== 117 || src[p + 3] !== 101) return FAIL;
      p += 4;
    } else if (c === 102) {
      if (src[p + 1] !== 97 || src[p + 2] !== 108 || src[p + 3] !== 115 || src[p + 4] !== 101) {
        return FAIL;
      }
      p += 5;
    } else if (c === 110) {
      if (src[p + 1] !== 117 || src[p + 2] !== 108 || src[p + 3] !== 108) return FAIL;
      p += 4;
    } else {
      return FAIL;
    }
    // After a value: commas and closings.
    for (;;) {
      if (depth === 0) return p;
      p = skipSpaces(p);
      const next = src[p];
      if (next === COMMA) {
        p = skipSpaces(p + 1);
        if (STACK[depth - 1] === 1) {
          if (src[p] !== QUOTE) return FAIL;
          const end = skipString(p + 1, limit);
          if (end === FAIL) return FAIL;
          if (topKeys && depth === 1 && (stringEscaped || isReservedKey(p + 1, end - 1))) {
            return FAIL;
          }
          p = skipSpaces(end);
          if (src[p] !== COLON) return FAIL;
          p = skipSpaces(p + 1);
        }
        continue value;
      }
      if (next === (STACK[depth - 1] === 1 ? CLOSE_BRACE : CLOSE_BRACKET)) {
        depth--;
        p++;
        continue;
      }
      return FAIL;
    }
  }
}

/** Whether the member name in `src[from, to)` (between its quotes) is `data` / `schema`. */
function isData(from: number, to: number): boolean {
  return to - from === 4 && src[from] === 100 && src[from + 1] === 97 && src[from + 2] === 116 &&
    src[from + 3] === 97;
}
function isSchema(from: number, to: number): boolean {
  return to - from === 6 && src[from] === 115 && src[from + 1] === 99 &&
    src[from + 2] === 104 && src[from + 3] === 101 && src[from + 4] === 109 &&
    src[from + 5] === 97;
}

// The entities found in the self-describing columns of the current line.
const MAX_ENTITIES = 1024;
let entityCount = 0;
const entitySchemas: SchemaEntry[] = [];
const entityDataStart = new Int32Array(MAX_ENTITIES);
const entityDataEnd = new Int32Array(MAX_ENTITIES);
/** The first entity of the derived contexts (those before it come from `contexts`). */
let derivedFrom = 0;

/**
 * Walks the self-describing object at `p` (`{"schema": "iglu:...", "data": ...}`, last member
 * of each name wins) and records it as entity number `entityCount`. Returns the position
 * after it, or FAIL (also for an invalid Iglu URI).
 */
function walkEntity(p: number, limit: number, topKeys: boolean): number {
  if (src[p] !== OPEN_BRACE) return FAIL;
  p = skipSpaces(p + 1);
  let schemaFrom = FAIL;
  let schemaTo = FAIL;
  let dataFrom = FAIL;
  let dataTo = FAIL;
  for (;;) {
    if (src[p] !== QUOTE) return FAIL;
    const nameEnd = skipString(p + 1, limit);
    if (nameEnd === FAIL || stringEscaped) return FAIL;
    const nameFrom = p + 1;
    p = skipSpaces(nameEnd);
    if (src[p] !== COLON) return FAIL;
    const start = skipSpaces(p + 1);
    if (isSchema(nameFrom, nameEnd - 1)) {
      if (src[start] !== QUOTE) return FAIL;
      p = skipString(start + 1, limit);
      if (p === FAIL || stringEscaped) return FAIL;
      schemaFrom = start + 1;
      schemaTo = p - 1;
    } else if (isData(nameFrom, nameEnd - 1)) {
      p = skipValue(start, limit, topKeys);
      if (p === FAIL) return FAIL;
      dataFrom = start;
      dataTo = p;
    } else {
      p = skipValue(start, limit, false);
      if (p === FAIL) return FAIL;
    }
    p = skipSpaces(p);
    const next = src[p];
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return FAIL;
    p = skipSpaces(p + 1);
  }
  if (schemaFrom === FAIL || dataFrom === FAIL || entityCount === MAX_ENTITIES) return FAIL;
  // A small direct-mapped cache (by length and a few bytes) in front of the hash table.
  const slot = ((schemaTo - schemaFrom) * 7 + src[schemaTo - 7] * 3 + src[schemaTo - 12] +
    src[(schemaFrom + schemaTo) >> 1] * 5) & 255;
  let entry = recentSchemas[slot];
  if (entry === undefined || !sameBytes(entry, schemaFrom, schemaTo)) {
    entry = schemaEntry(src, schemaFrom, schemaTo);
    recentSchemas[slot] = entry;
  }
  if (!entry.valid) return FAIL;
  entitySchemas[entityCount] = entry;
  entityDataStart[entityCount] = dataFrom;
  entityDataEnd[entityCount] = dataTo;
  entityCount++;
  return p + 1;
}

/**
 * Scans the self-describing column at `p` of a line that ends at `limit`, and records its
 * entities from `entityCount` on: the items of the (last) `data` array for contexts, the
 * (last) `data` object for unstruct. Returns the position of the tab that ends the column, or
 * FAIL when it is invalid or not vouched for.
 */
function scanColumn(p: number, limit: number, contexts: boolean, version: boolean): number {
  const first = entityCount;
  p = skipSpaces(p);
  if (src[p] !== OPEN_BRACE) return FAIL;
  p = skipSpaces(p + 1);
  if (src[p] === CLOSE_BRACE) return FAIL; // no data
  let sawData = false;
  for (;;) {
    if (src[p] !== QUOTE) return FAIL;
    const nameEnd = skipString(p + 1, limit);
    if (nameEnd === FAIL || stringEscaped) return FAIL;
    const nameFrom = p + 1;
    p = skipSpaces(nameEnd);
    if (src[p] !== COLON) return FAIL;
    p = skipSpaces(p + 1);
    if (isData(nameFrom, nameEnd - 1)) {
      sawData = true;
      entityCount = first; // the last `data` member wins
      if (contexts) {
        if (src[p] !== OPEN_BRACKET) return FAIL;
        p = skipSpaces(p + 1);
        if (src[p] === CLOSE_BRACKET) {
          p++;
        } else {
          for (;;) {
            p = walkEntity(p, limit, version);
            if (p === FAIL) return FAIL;
            p = skipSpaces(p);
            const next = src[p];
            if (next === CLOSE_BRACKET) break;
            if (next !== COMMA) return FAIL;
            p = skipSpaces(p + 1);
          }
          p++;
        }
      } else {
        p = walkEntity(p, limit, false);
        if (p === FAIL) return FAIL;
      }
    } else {
      p = skipValue(p, limit, false);
      if (p === FAIL) return FAIL;
    }
    p = skipSpaces(p);
    const next = src[p];
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return FAIL;
    p = skipSpaces(p + 1);
  }
  if (!sawData) return FAIL;
  p = skipSpaces(p + 1);
  return p < limit && src[p] === TAB ? p : FAIL;
}

// ---------------------------------------------------------------------------------------------
// Atomic values
// ---------------------------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Two decimal digits at `p`, or -1. */
function two(b: Uint8Array, p: number): number {
  const x = b[p] - ZERO;
  const y = b[p + 1] - ZERO;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** Whether `b[p, stop)` is `YYYY-MM-DD hh:mm:ss[.f{1,9}]`, a real date and time. */
function isTimestamp(b: Uint8Array, p: number, stop: number): boolean {
  const length = stop - p;
  if (length !== 19 && (length < 21 || length > 29)) return false;
  if (
    b[p + 4] !== MINUS || b[p + 7] !== MINUS || b[p + 10] !== SPACE || b[p + 13] !== COLON ||
    b[p + 16] !== COLON
  ) return false;
  const century = two(b, p);
  const yy = two(b, p + 2);
  const month = two(b, p + 5);
  const day = two(b, p + 8);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return false;
  if (day > 28 && day > daysInMonth(century * 100 + yy, month)) return false;
  const hour = two(b, p + 11);
  const minute = two(b, p + 14);
  const second = two(b, p + 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return false;
  }
  if (length > 19) {
    if (b[p + 19] !== DOT) return false;
    for (let i = p + 20; i < stop; i++) {
      const d = b[i];
      if (d < 48 || d > 57) return false;
    }
  }
  return true;
}

/** The ASCII text of `b[from, to)`. */
function ascii(b: Uint8Array, from: number, to: number): string {
  let text = "";
  for (let at = from; at < to; at += 4096) {
    const chunk = b.subarray(at, Math.min(to, at + 4096));
    text += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return text;
}

/** The text of the last double that {@linkcode doubleEnd} formatted. */
let formatted = "";

/**
 * Reads a `double` field `b[p, stop)` (SPEC section 2). Returns FAIL when it is invalid; else
 * the end of the prefix of its bytes that is exactly `String(value)` (the text without
 * trailing fraction zeros, when it has at most 15 significant digits, no exponent, no `+`, no
 * leading zero, and is not negative zero or below 1e-6); else 0, with the text in
 * {@linkcode formatted}.
 */
function doubleEnd(b: Uint8Array, p: number, stop: number): number {
  let q = p;
  let copyable = true;
  const sign = b[q];
  if (sign === PLUS || sign === MINUS) {
    copyable = sign === MINUS;
    q++;
  }
  const intFrom = q;
  while (q < stop && b[q] >= 48 && b[q] <= 57) q++;
  const intDigits = q - intFrom;
  let significant = intDigits;
  if (intDigits === 0) copyable = false;
  else if (b[intFrom] === ZERO) {
    if (intDigits > 1) copyable = false;
    significant = 0;
  }
  let copyEnd = q;
  let fracDigits = 0;
  if (q < stop && b[q] === DOT) {
    q++;
    const fracFrom = q;
    while (q < stop && b[q] >= 48 && b[q] <= 57) q++;
    fracDigits = q - fracFrom;
    if (fracDigits === 0) copyable = false;
    // Trailing zeros of the fraction are not part of String(value).
    let last = q;
    while (last > fracFrom && b[last - 1] === ZERO) last--;
    if (last > fracFrom) {
      copyEnd = last;
      if (significant === 0) {
        let lead = fracFrom;
        while (b[lead] === ZERO) lead++;
        if (lead - fracFrom > 5) copyable = false; // below 1e-6: String() uses an exponent
        significant = last - lead;
      } else {
        significant += last - fracFrom;
      }
    }
  }
  if (intDigits === 0 && fracDigits === 0) return FAIL;
  if (q < stop && (b[q] === LOWER_E || b[q] === UPPER_E)) {
    copyable = false;
    q++;
    if (q < stop && (b[q] === PLUS || b[q] === MINUS)) q++;
    const expFrom = q;
    while (q < stop && b[q] >= 48 && b[q] <= 57) q++;
    if (q === expFrom) return FAIL;
  }
  if (q !== stop) return FAIL;
  if (copyable && significant <= 15 && intDigits <= 21) {
    // Zero: "0", "0.0"; negative zero must be written "0".
    if (significant > 0 || sign !== MINUS) return copyEnd;
  }
  const value = Number(ascii(b, p, stop));
  if (!Number.isFinite(value)) return FAIL;
  formatted = String(value);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The writer
// ---------------------------------------------------------------------------------------------

/** Writes `text` (ASCII) at `o`; returns the position after it. */
function putAscii(out: Uint8Array, o: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[o++] = text.charCodeAt(i);
  return o;
}

/**
 * Copies `from[a, b)` to `out` at `o`; returns the position after it. From the line being
 * written, 16–192 bytes go 8 at a time (a subarray and `set` cost more than such a copy).
 */
function put(out: Uint8Array, o: number, from: Uint8Array, a: number, b: number): number {
  const n = b - a;
  if (n > 192) {
    out.set(from.subarray(a, b), o);
    return o + n;
  }
  let i = a;
  if (n >= 16 && from === src) {
    const input = srcView;
    const to = viewOf(out);
    for (; i + 8 <= b; i += 8, o += 8) {
      to.setUint32(o, input.getUint32(i, true), true);
      to.setUint32(o + 4, input.getUint32(i + 4, true), true);
    }
  }
  for (; i < b; i++) out[o++] = from[i];
  return o;
}

/** How many bytes an entity's item may take in the output. */
function itemSize(k: number, version: boolean): number {
  return entityDataEnd[k] - entityDataStart[k] + 1 +
    (version ? SCHEMA_VERSION_HEAD.length + entitySchemas[k].version.length + 1 : 0);
}

/** Writes entity `k`'s data (with `_schema_version` first when asked for) at `o`. */
function putItem(out: Uint8Array, o: number, k: number, version: boolean): number {
  let from = entityDataStart[k];
  const to = entityDataEnd[k];
  if (version && src[from] === OPEN_BRACE) {
    o = put(out, o, SCHEMA_VERSION_HEAD, 0, SCHEMA_VERSION_HEAD.length);
    const v = entitySchemas[k].version;
    o = put(out, o, v, 0, v.length);
    from = skipSpaces(from + 1);
    if (src[from] !== CLOSE_BRACE) out[o++] = COMMA;
  }
  return put(out, o, src, from, to);
}

/**
 * Writes the contexts columns that first appear among entities `[from, to)` (and not among
 * `[seenFrom, from)`), each with its items from every entity after its first. Returns the
 * position after them.
 */
function putColumns(
  out: Uint8Array,
  o: number,
  from: number,
  to: number,
  version: boolean,
  seenFrom: number = from,
): number {
  for (let k = from; k < to; k++) {
    const column = entitySchemas[k].column;
    let seen = false;
    for (let j = seenFrom; j < k; j++) {
      if (entitySchemas[j].column === column) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    const key = entitySchemas[k].contextsKey;
    o = put(out, o, key, 0, key.length);
    o = putItem(out, o, k, version);
    for (let j = k + 1; j < entityCount; j++) {
      if (entitySchemas[j].column === column) {
        out[o++] = COMMA;
        o = putItem(out, o, j, version);
      }
    }
    out[o++] = CLOSE_BRACKET;
  }
  return o;
}

/** The size {@linkcode putColumns} may need. */
function columnsSize(from: number, to: number, version: boolean): number {
  let size = 0;
  for (let k = from; k < to; k++) size += entitySchemas[k].contextsKey.length + 1;
  for (let k = from; k < entityCount; k++) size += itemSize(k, version);
  return size;
}

/**
 * Appends the flat JSON form of one enriched-event line, given as UTF-8 bytes, followed by
 * `"\n"` to `sink`, without decoding it to a string: the fast path for NDJSON output.
 *
 * The line is `bytes[start, end)` without its line feed (a trailing `\r` is ignored). When it
 * returns `true`, `JSON.parse` of the written text deep-equals
 * `JSON.parse(JSON.stringify(transform(line, options)))` for the decoded line, and for the
 * canonical compact lines that Snowplow Enrich writes the text is the same as
 * {@linkcode transformToJson}'s. When it returns `false` the sink is unchanged and the line
 * must take the general path ({@linkcode transform}), which also reports the errors: it does
 * so for every line that `transform` rejects, for invalid UTF-8, and for the rare valid lines
 * whose payloads it cannot vouch for (whitespace other than spaces, escaped member names or
 * schemas, numbers that overflow or are negative zero, nesting deeper than 64, with
 * `schemaVersion` a top-level member of a context's data that is escaped or named
 * `_schema_version`, a leading byte order mark).
 *
 * @example Write NDJSON, falling back to the general path
 * ```ts
 * import { ByteSink, transform, writeEventJson } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[7] = "42";
 * fields[52] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 7 } }],
 * });
 * const good = new TextEncoder().encode(fields.join("\t"));
 * const bad = new TextEncoder().encode(fields.join("\t").replace("42", "x"));
 *
 * const sink = new ByteSink();
 * assert.equal(writeEventJson(good, 0, good.length, sink), true);
 * assert.equal(writeEventJson(bad, 0, bad.length, sink), false); // transform() throws for it
 * assert.equal(
 *   new TextDecoder().decode(sink.take()),
 *   '{"app_id":"shop","txn_id":42,"contexts_com_acme_user_1":[{"id":7}]}\n',
 * );
 * assert.throws(() => transform(new TextDecoder().decode(bad)));
 * ```
 *
 * @param bytes UTF-8 bytes holding the line.
 * @param start Where the line starts in `bytes`.
 * @param end Where the line ends (exclusive, before its line feed).
 * @param sink Where to append the JSON text and a line feed.
 * @param options What shape to produce (as for {@linkcode transform}).
 * @returns Whether the line was written; `false` means: use the general path.
 * @throws {RangeError} When `[start, end)` is not a range of `bytes`.
 */
export function writeEventJson(
  bytes: Uint8Array,
  start: number,
  end: number,
  sink: ByteSink,
  options?: TransformOptions,
): boolean {
  if (!(start >= 0 && start <= end && end <= bytes.length)) {
    throw new RangeError(
      `writeEventJson: the line [${start}, ${end}) is not within the ${bytes.length} bytes`,
    );
  }
  src = bytes;
  if (bytes !== srcViewed || srcView.byteLength !== bytes.byteLength) { // (resizable buffers)
    srcViewed = bytes;
    srcView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const written = writeLine(bytes, start, end, sink, options);
  src = EMPTY;
  return written;
}

function writeLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  sink: ByteSink,
  options: TransformOptions | undefined,
): boolean {
  if (end > start && bytes[end - 1] === CR) end--;
  const nulls = options?.nulls ?? false;
  const version = options?.schemaVersion ?? false;
  const geo = options?.geoLocation ?? true;
  // A byte order mark at the start would be dropped by TextDecoder: not vouched for.
  if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
    return false;
  }
  const base = sink.length;
  // Room for the rest of the line: values take at most 3 bytes per input byte (a bool, with its
  // tab), keys, nulls and braces a fixed amount; escapes (6 bytes) and formatted doubles ask for
  // more room when they occur.
  let out: Uint8Array = sink.ensure(3 * (end - start) + FIXED_ROOM);
  let view = viewOf(out);
  let o = base;
  let latFrom = 0;
  let latTo = 0;
  entityCount = 0;
  derivedFrom = 0;
  let contextsAt = 0; // where the columns of the contexts field are in the output
  let contextsEnd = 0;
  let p = start;
  for (let i = 0; i < FIELD_COUNT; i++) {
    // Empty field.
    if (p >= end || bytes[p] === TAB) {
      if ((i !== LAST_FIELD) === (p >= end)) return false; // too few or too many fields
      if (nulls && KINDS[i] < K_CONTEXTS) {
        o = putKey(view, o, i);
        out[o++] = 110;
        out[o++] = 117;
        out[o++] = 108;
        out[o++] = 108;
      }
      if (i === DERIVED_INDEX) derivedFrom = entityCount;
      p++;
      continue;
    }
    const kind = KINDS[i];
    if (kind === K_STRING) {
      o = putKey(view, o, i);
      out[o++] = QUOTE;
      const input = srcView;
      for (;;) {
        // Four bytes at a time while none needs a look (SWAR: a byte below 0x20 or from 0x80,
        // or equal to `"` or `\`, sets its high bit in the mask).
        while (p + 4 <= end) {
          const w = input.getUint32(p, true);
          const x = w ^ 0x22222222;
          const y = w ^ 0x5c5c5c5c;
          const special = w | ((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x) |
            ((y - 0x01010101) & ~y);
          if ((special & 0x80808080) !== 0) break;
          view.setUint32(o, w, true);
          p += 4;
          o += 4;
        }
        let c = bytes[p];
        while (ATOM_CLASS[c] === 0) {
          out[o++] = c;
          c = bytes[++p];
        }
        if (c === TAB || p >= end) break;
        if (c === QUOTE || c === BACKSLASH || c < 0x20) {
          out = ensureAt(sink, o, 6 + 3 * (end - p) + FIXED_ROOM);
          view = viewOf(out);
        }
        if (c === QUOTE || c === BACKSLASH) {
          out[o++] = BACKSLASH;
          out[o++] = c;
          p++;
        } else if (c < 0x20) {
          out[o++] = BACKSLASH;
          out[o++] = 117;
          out[o++] = ZERO;
          out[o++] = ZERO;
          out[o++] = HEX[c >> 4];
          out[o++] = HEX[c & 15];
          p++;
        } else {
          const next = skipUtf8(p, end);
          if (next === FAIL) return false;
          while (p < next) out[o++] = bytes[p++];
        }
      }
      if (p >= end) return false; // a string field is never the last one
      out[o++] = QUOTE;
      p++;
      continue;
    }
    // The other kinds: find the field's end first (the JSON scanner finds its own).
    let stop = p;
    if (kind < K_CONTEXTS) {
      while (stop < end && bytes[stop] !== TAB) stop++;
      if ((stop === end) !== (i === LAST_FIELD)) return false;
    }
    switch (kind) {
      case K_INT: {
        let q = p;
        const sign = bytes[q];
        if (sign === PLUS || sign === MINUS) q++;
        if (q === stop) return false;
        let r = q;
        while (r < stop - 1 && bytes[r] === ZERO) r++; // leading zeros do not count
        if (stop - r > 16) return false;
        let value = 0;
        for (; r < stop; r++) {
          const d = bytes[r] - ZERO;
          if (d < 0 || d > 9) return false;
          value = value * 10 + d;
        }
        if (value > Number.MAX_SAFE_INTEGER) return false;
        o = putKey(view, o, i);
        if (
          sign !== PLUS && (bytes[q] !== ZERO || stop - q === 1) && !(sign === MINUS && value === 0)
        ) {
          while (p < stop) out[o++] = bytes[p++];
        } else {
          o = putAscii(out, o, String(sign === MINUS ? -value : value));
        }
        break;
      }
      case K_DOUBLE: {
        const copyEnd = doubleEnd(bytes, p, stop);
        if (copyEnd === FAIL) return false;
        if (i === LATITUDE) {
          latFrom = p;
          latTo = stop;
        } else if (i === LONGITUDE && geo && latTo > latFrom) {
          // Both coordinates are valid: put geo_location first (fields 0-22 move, not the rest).
          const geoSize = GEO_KEY.length + (latTo - latFrom) + (stop - p) + 2;
          out = ensureAt(sink, o, geoSize);
          view = viewOf(out);
          out.copyWithin(base + geoSize, base, o);
          let g = put(out, base, GEO_KEY, 0, GEO_KEY.length);
          g = put(out, g, bytes, latFrom, latTo);
          out[g++] = COMMA;
          g = put(out, g, bytes, p, stop);
          out[g++] = QUOTE;
          o += geoSize;
        }
        o = putKey(view, o, i);
        if (copyEnd > 0) {
          while (p < copyEnd) out[o++] = bytes[p++];
        } else {
          out = ensureAt(sink, o, formatted.length);
          view = viewOf(out);
          o = putAscii(out, o, formatted);
        }
        break;
      }
      case K_BOOL: {
        const c = bytes[p];
        if (stop - p !== 1 || (c !== 48 && c !== 49)) return false;
        o = putKey(view, o, i);
        if (c === 49) {
          out[o++] = 116;
          out[o++] = 114;
          out[o++] = 117;
        } else {
          out[o++] = 102;
          out[o++] = 97;
          out[o++] = 108;
          out[o++] = 115;
        }
        out[o++] = 101;
        break;
      }
      case K_TSTAMP: {
        if (!isTimestamp(bytes, p, stop)) return false;
        o = putKey(view, o, i);
        out[o++] = QUOTE;
        for (let q = p; q < p + 10; q++) out[o++] = bytes[q];
        out[o++] = 84; // T
        for (let q = p + 11; q < stop; q++) out[o++] = bytes[q];
        out[o++] = 90; // Z
        out[o++] = QUOTE;
        break;
      }
      case K_CONTEXTS: {
        if (i === CONTEXTS_INDEX) {
          stop = scanColumn(p, end, true, version);
          if (stop === FAIL) return false;
          out = ensureAt(sink, o, columnsSize(0, entityCount, version));
          view = viewOf(out);
          contextsAt = o;
          o = putColumns(out, o, 0, entityCount, version);
          contextsEnd = o;
        } else {
          derivedFrom = entityCount;
          stop = scanColumn(p, end, true, version);
          if (stop === FAIL) return false;
          if (sharesColumn()) {
            // Some derived contexts join columns of the contexts field: write those again.
            const size = columnsSize(0, derivedFrom, version);
            if (scratch.length < size) scratch = new Uint8Array(size * 2);
            const length = putColumns(scratch, 0, 0, derivedFrom, version);
            const grown = length - (contextsEnd - contextsAt);
            out = ensureAt(sink, o, grown);
            out.copyWithin(contextsEnd + grown, contextsEnd, o);
            out.set(scratch.subarray(0, length), contextsAt);
            o += grown;
          }
          // Columns new in the derived contexts go here.
          out = ensureAt(sink, o, columnsSize(derivedFrom, entityCount, version));
          view = viewOf(out);
          o = putColumns(out, o, derivedFrom, entityCount, version, 0); // derived-only columns
        }
        break;
      }
      default: {
        const first = entityCount;
        stop = scanColumn(p, end, false, false);
        if (stop === FAIL) return false;
        const key = entitySchemas[first].unstructKey;
        const size = key.length + entityDataEnd[first] - entityDataStart[first];
        out = ensureAt(sink, o, size);
        view = viewOf(out);
        o = put(out, o, key, 0, key.length);
        o = put(out, o, bytes, entityDataStart[first], entityDataEnd[first]);
        entityCount = first; // not a context
      }
    }
    p = stop + 1;
  }

  out = ensureAt(sink, o, 3);
  if (o === base) {
    out[o++] = OPEN_BRACE;
  } else {
    out[base] = OPEN_BRACE; // in place of the first member's comma
  }
  out[o++] = CLOSE_BRACE;
  out[o++] = NEWLINE;
  sink.length = o;
  return true;
}

/** Whether a derived context (entities from `derivedFrom` on) has a column of the contexts field. */
function sharesColumn(): boolean {
  for (let k = derivedFrom; k < entityCount; k++) {
    const column = entitySchemas[k].column;
    for (let j = 0; j < derivedFrom; j++) if (entitySchemas[j].column === column) return true;
  }
  return false;
}

/** Where the contexts columns are written again when derived contexts join them. */
let scratch = new Uint8Array(1 << 12);

/** Makes room for `extra` bytes after position `o` of the sink; returns its buffer. */
function ensureAt(sink: ByteSink, o: number, extra: number): Uint8Array {
  const length = sink.length;
  sink.length = o;
  const out = sink.ensure(extra);
  sink.length = length;
  return out;
}
