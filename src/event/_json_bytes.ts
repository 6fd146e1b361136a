/**
 * A validating JSON scanner over UTF-8 bytes, for the self-describing columns on the bytes
 * path: it checks that a column is valid JSON of the expected shape and records each entity's
 * schema and the span of its data, without building any value, so the writer can copy the
 * data as bytes.
 *
 * It vouches only for text whose copy reads back as `JSON.stringify(JSON.parse(text))` would
 * write it; for anything else (and for invalid text) it fails, and the line takes the object
 * path, which decides and reports. See `writeEventJson` for the list.
 *
 * @module
 */

import { MAX_JSON_DEPTH, SCHEMA_VERSION } from "./_rules.ts";
import { ascii, type SchemaEntry, schemaEntry } from "./_schema_cache.ts";
import { isNumberText } from "./_byte_values.ts";

/** What a scan returns when it does not vouch for the text. */
export const FAIL = -1;

const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const UPPER_E = 69;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const LOWER_E = 101;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/**
 * The deepest nesting inside one value that the scanner follows. Deeper payloads take the
 * object path, which applies the rule ({@linkcode MAX_JSON_DEPTH}); this must stay below it
 * (a value sits at most three levels into its column).
 */
const MAX_VOUCHED_DEPTH = 64;
if (MAX_VOUCHED_DEPTH + 3 > MAX_JSON_DEPTH) {
  throw new Error("Invalid depth limits: the bytes path would vouch for what the rule rejects");
}

/** How many entities one line's self-describing columns may hold on the bytes path. */
export const MAX_ENTITIES = 1024;

/**
 * Byte classes inside a JSON string: 0 plain ASCII, 1 `"`, 2 `\`, 3 a control character
 * (invalid raw), 4 a UTF-8 lead or stray byte (validated).
 */
const JSON_CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  JSON_CLASS[b] = b < 0x20 ? 3 : b === QUOTE ? 1 : b === BACKSLASH ? 2 : b >= 0x80 ? 4 : 0;
}

const EMPTY = new Uint8Array(0);

/** The members of a self-describing object that matter (see `JsonScanner.memberName`). */
const OTHER = 0;
const DATA = 1;
const SCHEMA = 2;

/**
 * The position after the UTF-8 sequence whose lead byte is at `src[p]`, or FAIL when it is not
 * well-formed (overlong, a surrogate, beyond U+10FFFF, a stray continuation byte, or cut short
 * by `limit`).
 */
export function skipUtf8(src: Uint8Array, p: number, limit: number): number {
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

/**
 * Scans the self-describing columns of one line at a time. The entities it finds (schema and
 * data span, in column order) stay readable until {@linkcode JsonScanner.begin} starts the
 * next line.
 */
export class JsonScanner {
  /** The bytes of the line being scanned. */
  src: Uint8Array = EMPTY;
  /** A DataView of {@linkcode JsonScanner.src}. */
  view: DataView = new DataView(EMPTY.buffer);
  /** How many entities the line's columns hold so far. */
  count = 0;
  /** The schema of each entity. */
  readonly schemas: SchemaEntry[] = [];
  /** Where each entity's data starts in the line. */
  readonly dataStart: Int32Array = new Int32Array(MAX_ENTITIES);
  /** Where each entity's data ends in the line. */
  readonly dataEnd: Int32Array = new Int32Array(MAX_ENTITIES);
  /** Whether the last string skipped held an escape. */
  private escaped = false;
  /**
   * Whether the text scanned since {@linkcode JsonScanner.begin} is, as far as looked, what
   * `JSON.stringify` writes for its value: no spaces, no `\/` or `\u` escapes, and (only when
   * {@linkcode JsonScanner.checkNumbers} is set) every number as `String` writes it. Writers
   * that must give exactly the object path's text copy only such text.
   */
  verbatim = true;
  /** Whether numbers are checked for {@linkcode JsonScanner.verbatim} (it costs a little). */
  checkNumbers = false;
  /** Which member {@linkcode JsonScanner.memberName} read last. */
  private member = OTHER;
  /** Container kinds of the open arrays/objects of the current value: 1 object, 2 array. */
  private readonly stack = new Uint8Array(MAX_VOUCHED_DEPTH + 1);

  /** Starts a line: `view` is a DataView of `src`; no entities yet. */
  begin(src: Uint8Array, view: DataView): void {
    this.src = src;
    this.view = view;
    this.count = 0;
    this.verbatim = true;
  }

  /** Lets go of the line's bytes. */
  end(): void {
    this.src = EMPTY;
  }

  /**
   * The position after the JSON string whose opening quote is at `p - 1`, or FAIL. The field's
   * terminating tab (a control character) stops any string that is not closed.
   */
  skipString(p: number, limit: number): number {
    this.escaped = false;
    const s = this.src;
    for (;;) {
      let c = s[p];
      while (JSON_CLASS[c] === 0) c = s[++p];
      if (c === QUOTE) return p + 1;
      if (c === BACKSLASH) {
        this.escaped = true;
        const e = s[p + 1];
        if (e === 117 || e === 47) this.verbatim = false; // JSON.stringify writes neither
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
        p = skipUtf8(s, p, limit);
        if (p === FAIL) return FAIL;
      } else {
        return FAIL; // a control character, or the end of the buffer
      }
    }
  }

  /** The position after the spaces at `p` (other whitespace is not vouched for). */
  skipSpaces(p: number): number {
    const s = this.src;
    if (s[p] !== SPACE) return p;
    this.verbatim = false;
    while (s[p] === SPACE) p++; // (and \n would split NDJSON)
    return p;
  }

  private skipDigits(p: number): number {
    const s = this.src;
    let c = s[p];
    while (c >= ZERO && c <= NINE) c = s[++p];
    return p;
  }

  /**
   * The position after the number at `p`, or FAIL when it is invalid or its copy would not read
   * back as what `JSON.stringify(JSON.parse(text))` gives: infinite or negative zero.
   */
  private skipNumber(p: number): number {
    const s = this.src;
    const start = p;
    const negative = s[p] === MINUS;
    if (negative) p++;
    const first = s[p];
    if (first === ZERO) p++;
    else if (first > ZERO && first <= NINE) p = this.skipDigits(p + 1);
    else return FAIL;
    let c = s[p];
    if (c === DOT) {
      const digits = this.skipDigits(p + 1);
      if (digits === p + 1) return FAIL;
      p = digits;
      c = s[p];
    }
    let exponent = false;
    if (c === LOWER_E || c === UPPER_E) {
      exponent = true;
      p++;
      c = s[p];
      if (c === PLUS || c === MINUS) p++;
      const digits = this.skipDigits(p);
      if (digits === p) return FAIL;
      p = digits;
    }
    if (negative && !exponent && p - start <= 300) {
      for (let i = start + 1; i < p; i++) if (s[i] > ZERO && s[i] <= NINE) return p;
      return FAIL; // negative zero
    }
    if (exponent || p - start > 300) {
      const value = Number(ascii(s, start, p));
      if (!Number.isFinite(value) || Object.is(value, -0)) return FAIL;
    }
    if (this.checkNumbers && this.verbatim && !isNumberText(s, start, p)) this.verbatim = false;
    return p;
  }

  /** Whether a top-level data key is `_schema_version` (a `schemaVersion` copy cannot keep it). */
  private isReservedKey(from: number, to: number): boolean {
    return to - from === SCHEMA_VERSION.length && this.src[from] === 95 &&
      ascii(this.src, from, to) === SCHEMA_VERSION;
  }

  /**
   * The position after a member name and its colon (the name's quote at `p`) and the spaces
   * after them, or FAIL. With `plain`, the name must be unescaped and not reserved.
   */
  private skipMemberName(p: number, limit: number, plain: boolean): number {
    const s = this.src;
    if (s[p] !== QUOTE) return FAIL;
    const end = this.skipString(p + 1, limit);
    if (end === FAIL) return FAIL;
    if (plain && (this.escaped || this.isReservedKey(p + 1, end - 1))) return FAIL;
    p = this.skipSpaces(end);
    if (s[p] !== COLON) return FAIL;
    return this.skipSpaces(p + 1);
  }

  /** The position after `true`, `false` or `null` at `p`, or FAIL. */
  private skipLiteral(p: number): number {
    const s = this.src;
    const c = s[p];
    if (c === 116) return s[p + 1] === 114 && s[p + 2] === 117 && s[p + 3] === 101 ? p + 4 : FAIL;
    if (c === 102) {
      return s[p + 1] === 97 && s[p + 2] === 108 && s[p + 3] === 115 && s[p + 4] === 101
        ? p + 5
        : FAIL;
    }
    if (c === 110) return s[p + 1] === 117 && s[p + 2] === 108 && s[p + 3] === 108 ? p + 4 : FAIL;
    return FAIL;
  }

  /**
   * The position after the JSON value at `p` (no leading whitespace), or FAIL. With `topKeys`,
   * member names of a top-level object must be unescaped and not `_schema_version`.
   */
  skipValue(p: number, limit: number, topKeys: boolean): number {
    const s = this.src;
    const stack = this.stack;
    let depth = 0;
    value: for (;;) {
      const c = s[p];
      if (c === QUOTE) {
        p = this.skipString(p + 1, limit);
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        p = this.skipSpaces(p + 1);
        if (s[p] === close) {
          p++;
        } else {
          if (depth === MAX_VOUCHED_DEPTH) return FAIL;
          stack[depth++] = c === OPEN_BRACE ? 1 : 2;
          if (c === OPEN_BRACE) {
            p = this.skipMemberName(p, limit, topKeys && depth === 1);
            if (p === FAIL) return FAIL;
          }
          continue value;
        }
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        p = this.skipNumber(p);
      } else {
        p = this.skipLiteral(p);
      }
      if (p === FAIL) return FAIL;
      // After a value: commas and closings.
      for (;;) {
        if (depth === 0) return p;
        p = this.skipSpaces(p);
        const next = s[p];
        const inObject = stack[depth - 1] === 1;
        if (next === COMMA) {
          p = this.skipSpaces(p + 1);
          if (inObject) {
            p = this.skipMemberName(p, limit, topKeys && depth === 1);
            if (p === FAIL) return FAIL;
          }
          continue value;
        }
        if (next !== (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) return FAIL;
        depth--;
        p++;
      }
    }
  }

  /** Whether the member name in `src[from, to)` (between its quotes) is `data`. */
  private isData(from: number, to: number): boolean {
    const s = this.src;
    return to - from === 4 && s[from] === 100 && s[from + 1] === 97 && s[from + 2] === 116 &&
      s[from + 3] === 97;
  }

  /** Whether the member name in `src[from, to)` (between its quotes) is `schema`. */
  private isSchema(from: number, to: number): boolean {
    const s = this.src;
    return to - from === 6 && s[from] === 115 && s[from + 1] === 99 && s[from + 2] === 104 &&
      s[from + 3] === 101 && s[from + 4] === 109 && s[from + 5] === 97;
  }

  /**
   * Reads the unescaped member name at `p` (its quote) of a self-describing object or envelope
   * and the colon after it: sets {@linkcode JsonScanner.member} and returns where the member's
   * value starts, or FAIL.
   */
  private memberName(p: number, limit: number): number {
    const s = this.src;
    if (s[p] !== QUOTE) return FAIL;
    const end = this.skipString(p + 1, limit);
    if (end === FAIL || this.escaped) return FAIL;
    this.member = this.isData(p + 1, end - 1)
      ? DATA
      : this.isSchema(p + 1, end - 1)
      ? SCHEMA
      : OTHER;
    p = this.skipSpaces(end);
    return s[p] === COLON ? this.skipSpaces(p + 1) : FAIL;
  }

  /**
   * Walks the self-describing object at `p` (`{"schema": "iglu:...", "data": ...}`, the last
   * member of each name wins) and records it as entity number {@linkcode JsonScanner.count}.
   * Returns the position after it, or FAIL (also for an invalid Iglu URI).
   */
  private walkEntity(p: number, limit: number, topKeys: boolean): number {
    const s = this.src;
    if (s[p] !== OPEN_BRACE) return FAIL;
    p = this.skipSpaces(p + 1);
    let schemaFrom = FAIL;
    let schemaTo = FAIL;
    let dataFrom = FAIL;
    let dataTo = FAIL;
    for (;;) {
      const start = this.memberName(p, limit);
      if (start === FAIL) return FAIL;
      if (this.member === SCHEMA) {
        if (s[start] !== QUOTE) return FAIL;
        p = this.skipString(start + 1, limit);
        if (p === FAIL || this.escaped) return FAIL;
        schemaFrom = start + 1;
        schemaTo = p - 1;
      } else if (this.member === DATA) {
        p = this.skipValue(start, limit, topKeys);
        if (p === FAIL) return FAIL;
        dataFrom = start;
        dataTo = p;
      } else {
        p = this.skipValue(start, limit, false);
        if (p === FAIL) return FAIL;
      }
      p = this.skipSpaces(p);
      const next = s[p];
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return FAIL;
      p = this.skipSpaces(p + 1);
    }
    if (schemaFrom === FAIL || dataFrom === FAIL || this.count === MAX_ENTITIES) return FAIL;
    const entry = schemaEntry(s, this.view, schemaFrom, schemaTo);
    if (!entry.valid) return FAIL;
    const k = this.count++;
    this.schemas[k] = entry;
    this.dataStart[k] = dataFrom;
    this.dataEnd[k] = dataTo;
    return p + 1;
  }

  /** The position after the array of entities at `p` (a contexts field's `data`), or FAIL. */
  private walkEntities(p: number, limit: number, version: boolean): number {
    const s = this.src;
    if (s[p] !== OPEN_BRACKET) return FAIL;
    p = this.skipSpaces(p + 1);
    if (s[p] === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = this.walkEntity(p, limit, version);
      if (p === FAIL) return FAIL;
      p = this.skipSpaces(p);
      const next = s[p];
      if (next === CLOSE_BRACKET) return p + 1;
      if (next !== COMMA) return FAIL;
      p = this.skipSpaces(p + 1);
    }
  }

  /**
   * Scans the self-describing column at `p` of a line that ends at `limit`, and records its
   * entities from {@linkcode JsonScanner.count} on: the items of the (last) `data` array for
   * contexts, the (last) `data` object for unstruct. Returns the position of the tab that ends
   * the column, or FAIL when it is invalid or not vouched for.
   */
  scanColumn(p: number, limit: number, contexts: boolean, version: boolean): number {
    const s = this.src;
    const first = this.count;
    p = this.skipSpaces(p);
    if (s[p] !== OPEN_BRACE) return FAIL;
    p = this.skipSpaces(p + 1);
    if (s[p] === CLOSE_BRACE) return FAIL; // no data
    let sawData = false;
    for (;;) {
      p = this.memberName(p, limit);
      if (p === FAIL) return FAIL;
      if (this.member === DATA) {
        sawData = true;
        this.count = first; // the last `data` member wins
        p = contexts ? this.walkEntities(p, limit, version) : this.walkEntity(p, limit, false);
      } else {
        p = this.skipValue(p, limit, false);
      }
      if (p === FAIL) return FAIL;
      p = this.skipSpaces(p);
      const next = s[p];
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return FAIL;
      p = this.skipSpaces(p + 1);
    }
    if (!sawData) return FAIL;
    p = this.skipSpaces(p + 1);
    return p < limit && s[p] === TAB ? p : FAIL;
  }
}
