/**
 * One enriched-event line, as UTF-8 bytes, read into its validated fields without writing
 * anything: for writers of other forms than JSON (the Parquet columns). Every value is checked
 * by the same byte readers as the JSON writer's (`_byte_values.ts`, `_json_bytes.ts`), and a
 * line it cannot vouch for is left to the general path (`transform`), exactly as
 * `writeEventJson` leaves it.
 *
 * @module
 */

import {
  doubleEnd,
  doubleValue,
  intMagnitude,
  INVALID,
  isBool,
  isTimestamp,
} from "./_byte_values.ts";
import { FAIL, JsonScanner, skipUtf8 } from "./_json_bytes.ts";
import type { SchemaEntry } from "./_schema_cache.ts";
import { BOOL, CONTEXTS, DOUBLE, INT, KINDS, LAST_FIELD, STRING, UNSTRUCT } from "./_rules.ts";
import { CONTEXTS_FIELDS } from "./_rules.ts";
import { FIELD_COUNT } from "./fields.ts";

const TAB = 9;
const CR = 13;
const MINUS = 45;
const EMPTY = new Uint8Array(0);

/**
 * The fields of the last line read: field `i` is `bytes[from[i], to[i])` (empty when equal),
 * valid for its kind; an `int` or `double` field's value is in `numbers[i]`. The contexts
 * fields' entities are those of {@linkcode LineFields.scan} (`[0, derivedFrom)` from
 * `contexts`, the rest from `derived_contexts`), the unstruct event's is
 * {@linkcode LineFields.unstruct} (or `undefined`).
 */
export class LineFields {
  /**
   * The scanner of the self-describing columns, holding their entities; it also tells whether
   * their text is written as `JSON.stringify` writes it (`verbatim`, numbers included).
   */
  readonly scan: JsonScanner = new JsonScanner();

  constructor() {
    this.scan.checkNumbers = true;
  }
  readonly from: Int32Array = new Int32Array(FIELD_COUNT);
  readonly to: Int32Array = new Int32Array(FIELD_COUNT);
  readonly numbers: Float64Array = new Float64Array(FIELD_COUNT);
  /** The indexes of the non-empty atomic fields, in order: the first `presentCount`. */
  readonly present: Int32Array = new Int32Array(FIELD_COUNT);
  presentCount = 0;
  /** The first entity of `derived_contexts`. */
  derivedFrom = 0;
  /** The unstruct event's schema, and where its data is in the line. */
  unstruct: SchemaEntry | undefined;
  unstructFrom = 0;
  unstructTo = 0;
  /** The bytes of the last line read. */
  bytes: Uint8Array = EMPTY;
  #view: DataView = new DataView(EMPTY.buffer);

  /**
   * Reads `bytes[start, end)` (without its line feed; a trailing `\r` is ignored). Returns
   * `false` for a line that `writeEventJson` would not write (invalid, or not vouched for):
   * it must take the general path. The `schemaVersion` option is not read here (its lines
   * take the general path).
   */
  read(bytes: Uint8Array, start: number, end: number): boolean {
    if (bytes !== this.bytes || this.#view.byteLength !== bytes.byteLength) {
      this.bytes = bytes;
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (end > start && bytes[end - 1] === CR) end--;
    // A byte order mark at the start would be dropped by TextDecoder: not vouched for.
    if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      return false;
    }
    const scan = this.scan;
    scan.begin(bytes, this.#view);
    this.unstruct = undefined;
    this.derivedFrom = 0;
    return this.#fields(bytes, start, end); // (the entities stay readable until the next line)
  }

  #fields(bytes: Uint8Array, start: number, end: number): boolean {
    const kinds = KINDS;
    const from = this.from;
    const to = this.to;
    const derived = CONTEXTS_FIELDS[1];
    const present = this.present;
    let count = 0;
    let p = start;
    for (let i = 0; i < FIELD_COUNT; i++) {
      from[i] = p;
      if (p >= end || bytes[p] === TAB) {
        if ((i !== LAST_FIELD) === (p >= end)) return false; // too few or too many fields
        if (i === derived) this.derivedFrom = this.scan.count;
        to[i] = p++;
        continue;
      }
      const kind = kinds[i];
      let stop = p;
      if (kind < CONTEXTS) present[count++] = i;
      if (kind === STRING) {
        const view = this.#view;
        for (;;) {
          // Four bytes at a time while none is a tab or from 0x80 (SWAR: such a byte sets its
          // high bit in the mask).
          while (stop + 4 <= end) {
            const w = view.getUint32(stop, true);
            const t = w ^ 0x09090909;
            if (((w | ((t - 0x01010101) & ~t)) & 0x80808080) !== 0) break;
            stop += 4;
          }
          while (stop < end && bytes[stop] < 0x80 && bytes[stop] !== TAB) stop++;
          if (stop >= end || bytes[stop] === TAB) break;
          stop = skipUtf8(bytes, stop, end);
          if (stop === FAIL) return false;
        }
      } else if (kind < CONTEXTS) {
        while (stop < end && bytes[stop] !== TAB) stop++;
        if (!this.#atomic(kind, i, p, stop)) return false;
      } else {
        if (i === derived) this.derivedFrom = this.scan.count;
        stop = kind === UNSTRUCT
          ? this.#unstruct(p, end)
          : this.scan.scanColumn(p, end, true, false);
        if (stop === FAIL) return false;
      }
      if ((stop === end) !== (i === LAST_FIELD)) return false;
      to[i] = stop;
      p = stop + 1;
    }
    this.presentCount = count;
    return true;
  }

  /** Checks the `int`, `double`, `bool` or `tstamp` field `i`, `[p, stop)`. */
  #atomic(kind: number, i: number, p: number, stop: number): boolean {
    const bytes = this.bytes;
    if (kind === INT) {
      const value = intMagnitude(bytes, p, stop);
      if (value === INVALID) return false;
      this.numbers[i] = bytes[p] === MINUS && value !== 0 ? -value : value;
      return true;
    }
    if (kind === DOUBLE) {
      if (doubleEnd(bytes, p, stop) === INVALID) return false;
      this.numbers[i] = doubleValue(bytes, p, stop);
      return true;
    }
    if (kind === BOOL) return isBool(bytes, p, stop);
    return isTimestamp(bytes, p, stop);
  }

  /** The unstruct field at `p`: its entity is kept apart from the contexts'. */
  #unstruct(p: number, end: number): number {
    const scan = this.scan;
    const first = scan.count;
    const stop = scan.scanColumn(p, end, false, false);
    if (stop === FAIL) return FAIL;
    this.unstruct = scan.schemas[first];
    this.unstructFrom = scan.dataStart[first];
    this.unstructTo = scan.dataEnd[first];
    scan.count = first; // not a context
    return stop;
  }
}
