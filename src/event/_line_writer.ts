/**
 * The bytes path's writer: one enriched-event line, as UTF-8 bytes, to its flat JSON form as
 * UTF-8 bytes, with one small writer per kind. The state of the line being written lives in
 * one {@linkcode LineWriter}; `writeEventJson` (transform_bytes.ts) owns one and is its only
 * user.
 *
 * @module
 */

import { type ByteSink, roomAt } from "./_byte_sink.ts";
import {
  doubleEnd,
  doubleText,
  intMagnitude,
  INVALID,
  isBool,
  isCanonicalInt,
  isTimestamp,
} from "./_byte_values.ts";
import { FAIL, JsonScanner, skipUtf8 } from "./_json_bytes.ts";
import {
  BOOL,
  CONTEXTS,
  CONTEXTS_FIELDS,
  DOUBLE,
  GEO_LOCATION,
  GEO_SEPARATOR,
  INT,
  KINDS,
  LAST_FIELD,
  LATITUDE,
  LONGITUDE,
  NAMES,
  STRING,
} from "./_rules.ts";
import { SCHEMA_VERSION_HEAD } from "./_schema_cache.ts";
import type { TransformOptions } from "./transform.ts";
import { FIELD_COUNT } from "./fields.ts";

const TAB = 9;
const NEWLINE = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const ZERO = 48;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// Pre-encoded keys
// ---------------------------------------------------------------------------------------------

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
 * faster than a byte loop or `set()` for these short runs.
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

/** Room for every key with `null`, the braces and the line feed. */
const FIXED_ROOM = KEY_BYTES.length + 5 * FIELD_COUNT + 64;
const GEO_KEY = encoder.encode(`,"${GEO_LOCATION}":"`);
const GEO_SEPARATOR_BYTE = GEO_SEPARATOR.charCodeAt(0);
const TRUE = encoder.encode("true");
const FALSE = encoder.encode("false");
const NULL = encoder.encode("null");

/** Byte classes in an atomic string field: 0 copied as is, anything else has a closer look. */
const ATOM_CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  ATOM_CLASS[b] = b < 0x20 || b === QUOTE || b === BACKSLASH || b >= 0x80 ? 1 : 0;
}
const HEX = encoder.encode("0123456789abcdef");
/** The short escapes `JSON.stringify` writes for control characters (`\b \t \n \f \r`). */
const SHORT_ESCAPE = new Uint8Array(0x20);
SHORT_ESCAPE.set([98, 116, 110, 0, 102, 114], 8);

/** Writes `text` (ASCII) at `o`; returns the position after it. */
function putAscii(out: Uint8Array, o: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[o++] = text.charCodeAt(i);
  return o;
}

/** Writes the short `bytes` at `o`; returns the position after them. */
function putShort(out: Uint8Array, o: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[o++] = bytes[i];
  return o;
}

/** The state of one line being written, and a writer per kind. */
export class LineWriter {
  /** The scanner of the self-describing columns (it also holds the line's bytes). */
  private readonly scan = new JsonScanner();
  private sink: ByteSink | undefined;
  /** The last input buffer and a DataView of it (kept for the next line, usually the same). */
  private input: Uint8Array = EMPTY;
  private inputView: DataView = new DataView(EMPTY.buffer);
  /** The sink's buffer and a DataView of it (replaced when the sink grows). */
  private out: Uint8Array = EMPTY;
  private view: DataView = new DataView(EMPTY.buffer);
  /** The last buffer {@linkcode LineWriter.put} copied into and a DataView of it. */
  private viewed: Uint8Array = EMPTY;
  private viewedView: DataView = new DataView(EMPTY.buffer);
  /** Where the contexts columns are written again when derived contexts join them. */
  private scratch = new Uint8Array(1 << 12);
  /** Where this line's output starts in the sink. */
  private base = 0;
  /** The input position the last string, contexts or unstruct writer stopped at (its tab). */
  private at = 0;
  private nulls = false;
  private version = false;
  private geo = true;
  /** The latitude's text, for `geo_location` (empty when the field is). */
  private latFrom = 0;
  private latTo = 0;
  /** The first entity of the derived contexts (those before it come from `contexts`). */
  private derivedFrom = 0;
  /** Where the columns of the contexts field are in the output. */
  private contextsAt = 0;
  private contextsEnd = 0;

  /**
   * Appends the flat JSON form of `bytes[start, end)` and a line feed to `sink`; returns
   * whether it did (`false` leaves the sink as it was).
   */
  write(
    bytes: Uint8Array,
    start: number,
    end: number,
    sink: ByteSink,
    options: TransformOptions | undefined,
  ): boolean {
    if (bytes !== this.input || this.inputView.byteLength !== bytes.byteLength) {
      this.input = bytes; // (the length is checked too: a resizable buffer may have changed)
      this.inputView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.scan.begin(bytes, this.inputView);
    this.sink = sink;
    try {
      return this.line(bytes, start, end, options);
    } finally {
      this.scan.end();
      this.sink = undefined;
    }
  }

  private line(
    bytes: Uint8Array,
    start: number,
    end: number,
    options: TransformOptions | undefined,
  ): boolean {
    if (end > start && bytes[end - 1] === CR) end--;
    // A byte order mark at the start would be dropped by TextDecoder: not vouched for.
    if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      return false;
    }
    this.nulls = options?.nulls ?? false;
    this.version = options?.schemaVersion ?? false;
    this.geo = options?.geoLocation ?? true;
    this.latFrom =
      this.latTo =
      this.derivedFrom =
      this.contextsAt =
      this.contextsEnd =
        0;
    const base = this.base = this.sink!.length;
    // Room for the rest of the line: values take at most 3 bytes per input byte (a bool, with
    // its tab), keys, nulls and braces a fixed amount; escapes (6 bytes), formatted doubles and
    // the JSON columns ask for more room when they occur.
    this.grow(base, 3 * (end - start) + FIXED_ROOM);
    let o = base;
    let p = start;
    // (Locals: this loop runs 131 times a line, most often for an empty field.)
    const kinds = KINDS;
    const nulls = this.nulls;
    const last = LAST_FIELD;
    const derived = CONTEXTS_FIELDS[1];
    for (let i = 0; i < FIELD_COUNT; i++) {
      if (p >= end || bytes[p] === TAB) {
        if ((i !== last) === (p >= end)) return false; // too few or too many fields
        if (i === derived) this.derivedFrom = this.scan.count;
        else if (nulls && kinds[i] < CONTEXTS) o = this.nullValue(o, i);
        p++;
        continue;
      }
      const kind = kinds[i];
      let stop = p;
      if (kind === STRING) {
        o = this.string(o, i, p, end);
        stop = this.at;
      } else if (kind < CONTEXTS) {
        while (stop < end && bytes[stop] !== TAB) stop++;
        if ((stop === end) !== (i === last)) return false;
        o = kind === INT
          ? this.int(o, i, p, stop)
          : kind === DOUBLE
          ? this.double(o, i, p, stop)
          : kind === BOOL
          ? this.bool(o, i, p, stop)
          : this.tstamp(o, i, p, stop);
      } else {
        o = kind === CONTEXTS ? this.contexts(o, i, p, end) : this.unstruct(o, p, end);
        stop = this.at;
      }
      if (o === FAIL) return false;
      p = stop + 1;
    }
    const out = this.grow(o, 3);
    if (o === base) out[o++] = OPEN_BRACE;
    else out[base] = OPEN_BRACE; // in place of the first member's comma
    out[o++] = CLOSE_BRACE;
    out[o++] = NEWLINE;
    this.sink!.length = o;
    return true;
  }

  /** Makes room for `extra` bytes after output position `o`; returns the buffer. */
  private grow(o: number, extra: number): Uint8Array {
    const out = roomAt(this.sink!, o, extra);
    if (out !== this.out) {
      this.out = out;
      this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
    return out;
  }

  /** Writes the key of field `i` at `o` (and up to 3 bytes of padding after it). */
  private key(o: number, i: number): number {
    const view = this.view;
    for (let w = KEY_WORD_AT[i], at = o; w < KEY_WORD_AT[i + 1]; w++, at += 4) {
      view.setUint32(at, KEY_WORDS[w], true);
    }
    return o + KEY_AT[i + 1] - KEY_AT[i];
  }

  /** An empty atomic field with the `nulls` option: `null`. */
  private nullValue(o: number, i: number): number {
    return putShort(this.out, this.key(o, i), NULL);
  }

  /**
   * A `string` field at `p`: copied between quotes, escaped as `JSON.stringify` escapes, its
   * UTF-8 checked. Sets {@linkcode LineWriter.at} to the tab after it.
   */
  private string(o: number, i: number, p: number, end: number): number {
    const bytes = this.scan.src;
    const input = this.scan.view;
    o = this.key(o, i);
    let out = this.out;
    let view = this.view;
    out[o++] = QUOTE;
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
        out = this.grow(o, 6 + 3 * (end - p) + FIXED_ROOM);
        view = this.view;
      }
      if (c === QUOTE || c === BACKSLASH) {
        out[o++] = BACKSLASH;
        out[o++] = c;
        p++;
      } else if (c < 0x20 && SHORT_ESCAPE[c] !== 0) {
        out[o++] = BACKSLASH;
        out[o++] = SHORT_ESCAPE[c];
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
        const next = skipUtf8(bytes, p, end);
        if (next === FAIL) return FAIL;
        while (p < next) out[o++] = bytes[p++];
      }
    }
    if (p >= end) return FAIL; // a string field is never the last one
    out[o++] = QUOTE;
    this.at = p;
    return o;
  }

  /** An `int` field `[p, stop)`: its text when canonical, else the number. */
  private int(o: number, i: number, p: number, stop: number): number {
    const bytes = this.scan.src;
    const value = intMagnitude(bytes, p, stop);
    if (value === INVALID) return FAIL;
    o = this.key(o, i);
    const out = this.out;
    if (isCanonicalInt(bytes, p, stop, value)) {
      while (p < stop) out[o++] = bytes[p++];
      return o;
    }
    return putAscii(out, o, String(bytes[p] === 45 && value !== 0 ? -value : value));
  }

  /**
   * A `double` field `[p, stop)`: its text without trailing fraction zeros when that is what
   * `String(value)` gives, else the number. With the longitude, `geo_location` goes first.
   */
  private double(o: number, i: number, p: number, stop: number): number {
    const bytes = this.scan.src;
    const copyEnd = doubleEnd(bytes, p, stop);
    if (copyEnd === INVALID) return FAIL;
    if (i === LATITUDE) {
      this.latFrom = p;
      this.latTo = stop;
    } else if (i === LONGITUDE && this.geo && this.latTo > this.latFrom) {
      o = this.geoLocation(o, p, stop);
    }
    o = this.key(o, i);
    if (copyEnd > 0) {
      const out = this.out;
      while (p < copyEnd) out[o++] = bytes[p++];
      return o;
    }
    const text = doubleText(bytes, p, stop);
    return putAscii(this.grow(o, text.length), o, text);
  }

  /**
   * Puts `geo_location` (the latitude's text, the separator, the longitude's text `[p, stop)`)
   * first in the line's output: the members written so far move after it.
   */
  private geoLocation(o: number, p: number, stop: number): number {
    const bytes = this.scan.src;
    const base = this.base;
    const size = GEO_KEY.length + (this.latTo - this.latFrom) + (stop - p) + 2;
    const out = this.grow(o, size);
    out.copyWithin(base + size, base, o);
    let g = this.put(out, base, GEO_KEY, 0, GEO_KEY.length);
    g = this.put(out, g, bytes, this.latFrom, this.latTo);
    out[g++] = GEO_SEPARATOR_BYTE;
    g = this.put(out, g, bytes, p, stop);
    out[g] = QUOTE;
    return o + size;
  }

  /** A `bool` field `[p, stop)`: `1` or `0`. */
  private bool(o: number, i: number, p: number, stop: number): number {
    if (!isBool(this.scan.src, p, stop)) return FAIL;
    return putShort(this.out, this.key(o, i), this.scan.src[p] === 49 ? TRUE : FALSE);
  }

  /** A `tstamp` field `[p, stop)`: `"YYYY-MM-DDThh:mm:ss[.f]Z"`. */
  private tstamp(o: number, i: number, p: number, stop: number): number {
    const bytes = this.scan.src;
    if (!isTimestamp(bytes, p, stop)) return FAIL;
    o = this.key(o, i);
    const out = this.out;
    out[o++] = QUOTE;
    for (let q = p; q < p + 10; q++) out[o++] = bytes[q];
    out[o++] = 84; // T
    for (let q = p + 11; q < stop; q++) out[o++] = bytes[q];
    out[o++] = 90; // Z
    out[o++] = QUOTE;
    return o;
  }

  /**
   * A contexts field at `p`: its columns, merged with those of the other contexts field (see
   * `CONTEXTS_FIELDS`). Sets {@linkcode LineWriter.at} to the tab after it.
   */
  private contexts(o: number, i: number, p: number, end: number): number {
    const scan = this.scan;
    const version = this.version;
    if (i === CONTEXTS_FIELDS[0]) {
      this.at = scan.scanColumn(p, end, true, version);
      if (this.at === FAIL) return FAIL;
      const out = this.grow(o, this.columnsSize(0, scan.count));
      this.contextsAt = o;
      o = this.putColumns(out, o, 0, scan.count);
      this.contextsEnd = o;
      return o;
    }
    const derivedFrom = this.derivedFrom = scan.count;
    this.at = scan.scanColumn(p, end, true, version);
    if (this.at === FAIL) return FAIL;
    if (this.sharesColumn()) {
      // Some derived contexts join columns of the contexts field: write those again.
      const size = this.columnsSize(0, derivedFrom);
      if (this.scratch.length < size) this.scratch = new Uint8Array(size * 2);
      const length = this.putColumns(this.scratch, 0, 0, derivedFrom);
      const grown = length - (this.contextsEnd - this.contextsAt);
      const out = this.grow(o, grown);
      out.copyWithin(this.contextsEnd + grown, this.contextsEnd, o);
      out.set(this.scratch.subarray(0, length), this.contextsAt);
      o += grown;
    }
    // Columns new in the derived contexts go here.
    const out = this.grow(o, this.columnsSize(derivedFrom, scan.count));
    return this.putColumns(out, o, derivedFrom, scan.count, 0);
  }

  /** The unstruct field at `p`. Sets {@linkcode LineWriter.at} to the tab after it. */
  private unstruct(o: number, p: number, end: number): number {
    const scan = this.scan;
    const first = scan.count;
    this.at = scan.scanColumn(p, end, false, false);
    if (this.at === FAIL) return FAIL;
    const key = scan.schemas[first].unstructKey;
    const from = scan.dataStart[first];
    const to = scan.dataEnd[first];
    const out = this.grow(o, key.length + to - from);
    o = this.put(out, o, key, 0, key.length);
    o = this.put(out, o, scan.src, from, to);
    scan.count = first; // not a context
    return o;
  }

  /** Whether a derived context has a column of the contexts field. */
  private sharesColumn(): boolean {
    const schemas = this.scan.schemas;
    for (let k = this.derivedFrom; k < this.scan.count; k++) {
      const column = schemas[k].column;
      for (let j = 0; j < this.derivedFrom; j++) if (schemas[j].column === column) return true;
    }
    return false;
  }

  /** How many bytes entity `k`'s item may take in the output. */
  private itemSize(k: number): number {
    const scan = this.scan;
    return scan.dataEnd[k] - scan.dataStart[k] + 1 +
      (this.version ? SCHEMA_VERSION_HEAD.length + scan.schemas[k].version.length + 1 : 0);
  }

  /** The size {@linkcode LineWriter.putColumns} may need. */
  private columnsSize(from: number, to: number): number {
    let size = 0;
    for (let k = from; k < to; k++) size += this.scan.schemas[k].contextsKey.length + 1;
    for (let k = from; k < this.scan.count; k++) size += this.itemSize(k);
    return size;
  }

  /** Writes entity `k`'s data (with `_schema_version` first when asked for) at `o`. */
  private putItem(out: Uint8Array, o: number, k: number): number {
    const scan = this.scan;
    const src = scan.src;
    let from = scan.dataStart[k];
    if (this.version && src[from] === OPEN_BRACE) {
      o = this.put(out, o, SCHEMA_VERSION_HEAD, 0, SCHEMA_VERSION_HEAD.length);
      const v = scan.schemas[k].version;
      o = this.put(out, o, v, 0, v.length);
      from = scan.skipSpaces(from + 1);
      if (src[from] !== CLOSE_BRACE) out[o++] = COMMA;
    }
    return this.put(out, o, src, from, scan.dataEnd[k]);
  }

  /**
   * Writes the contexts columns that first appear among entities `[from, to)` (and not among
   * `[seenFrom, from)`), each with its items from every entity after its first. Returns the
   * position after them.
   */
  private putColumns(
    out: Uint8Array,
    o: number,
    from: number,
    to: number,
    seenFrom: number = from,
  ): number {
    const schemas = this.scan.schemas;
    const count = this.scan.count;
    next: for (let k = from; k < to; k++) {
      const column = schemas[k].column;
      for (let j = seenFrom; j < k; j++) if (schemas[j].column === column) continue next;
      const key = schemas[k].contextsKey;
      o = this.put(out, o, key, 0, key.length);
      o = this.putItem(out, o, k);
      for (let j = k + 1; j < count; j++) {
        if (schemas[j].column === column) {
          out[o++] = COMMA;
          o = this.putItem(out, o, j);
        }
      }
      out[o++] = CLOSE_BRACKET;
    }
    return o;
  }

  /**
   * Copies `from[a, b)` to `out` at `o`; returns the position after it. From the line being
   * written, 16–192 bytes go 8 at a time (a subarray and `set` cost more than such a copy).
   */
  private put(out: Uint8Array, o: number, from: Uint8Array, a: number, b: number): number {
    const n = b - a;
    if (n > 192) {
      out.set(from.subarray(a, b), o);
      return o + n;
    }
    let i = a;
    if (n >= 16 && from === this.scan.src) {
      const input = this.scan.view;
      if (out !== this.viewed) {
        this.viewed = out;
        this.viewedView = new DataView(out.buffer, out.byteOffset, out.byteLength);
      }
      const to = this.viewedView;
      for (; i + 8 <= b; i += 8, o += 8) {
        to.setUint32(o, input.getUint32(i, true), true);
        to.setUint32(o + 4, input.getUint32(i + 4, true), true);
      }
    }
    for (; i < b; i++) out[o++] = from[i];
    return o;
  }
}
