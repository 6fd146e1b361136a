/**
 * One flat event given as its compact JSON text (UTF-8 bytes, as `writeEventJson` writes it)
 * split into its members without building the object: where each member's name and value
 * are, so values go to their columns as bytes (a shredded column's JSON text is copied, never
 * parsed and re-serialised).
 *
 * @module
 */

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** The most members a flat event can have (fields, `geo_location`, shredded columns). */
const MAX_MEMBERS = 4096;

/**
 * The members of the last split text: member `m`'s name is `bytes[nameFrom[m], nameTo[m])`
 * (without quotes, never escaped), its value `bytes[valueFrom[m], valueTo[m])` (JSON text).
 */
export class _JsonRow {
  readonly nameFrom: Int32Array = new Int32Array(MAX_MEMBERS);
  readonly nameTo: Int32Array = new Int32Array(MAX_MEMBERS);
  readonly valueFrom: Int32Array = new Int32Array(MAX_MEMBERS);
  readonly valueTo: Int32Array = new Int32Array(MAX_MEMBERS);
  /** Whether member `m`'s value is a string holding a backslash escape. */
  readonly escaped: Uint8Array = new Uint8Array(MAX_MEMBERS);
  count = 0;

  /**
   * Splits the compact JSON object `bytes[start, end)` (no whitespace between tokens, member
   * names without escapes). Returns `false` for text of any other shape: the caller then
   * takes the general path (`JSON.parse`), which also reports what is wrong with it. Values
   * are delimited, not validated: the bytes must come from a writer that writes valid JSON.
   */
  split(bytes: Uint8Array, start: number, end: number): boolean {
    if (end - start < 2 || bytes[start] !== OPEN_BRACE || bytes[end - 1] !== CLOSE_BRACE) {
      return false;
    }
    let p = start + 1;
    const last = end - 1;
    let m = 0;
    if (p === last) {
      this.count = 0;
      return true;
    }
    while (true) {
      if (m === MAX_MEMBERS || bytes[p] !== QUOTE) return false;
      const nameFrom = p + 1;
      p = nameFrom;
      while (p < last && bytes[p] !== QUOTE) {
        if (bytes[p] === BACKSLASH) return false;
        p++;
      }
      if (p >= last || bytes[p + 1] !== COLON) return false;
      this.nameFrom[m] = nameFrom;
      this.nameTo[m] = p;
      p += 2;
      this.valueFrom[m] = p;
      this.escaped[m] = 0;
      const first = bytes[p];
      if (first === QUOTE) {
        p++;
        while (p < last) {
          const b = bytes[p];
          if (b === QUOTE) break;
          if (b === BACKSLASH) {
            this.escaped[m] = 1;
            p++;
          }
          p++;
        }
        if (p >= last) return false;
        p++;
      } else if (first === OPEN_BRACE || first === OPEN_BRACKET) {
        p = skipNested(bytes, p, last);
        if (p < 0) return false;
      } else {
        while (p < last && bytes[p] !== COMMA) p++;
      }
      this.valueTo[m++] = p;
      if (p === last) break;
      if (bytes[p] !== COMMA) return false;
      p++;
    }
    this.count = m;
    return true;
  }
}

/** The end of the array or object starting at `p`, or -1 when it does not end before `last`. */
function skipNested(bytes: Uint8Array, p: number, last: number): number {
  let depth = 0;
  while (p < last) {
    const b = bytes[p++];
    if (b === QUOTE) {
      while (p < last && bytes[p] !== QUOTE) p += bytes[p] === BACKSLASH ? 2 : 1;
      p++;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (--depth === 0) return p;
    }
  }
  return -1;
}
