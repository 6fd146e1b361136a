/**
 * A validating JSON scanner for the self-describing columns: it checks that a column is valid
 * JSON and finds each entity's schema and the text of its data, without building any object.
 * This is what lets the NDJSON fast path copy payloads instead of parsing and serialising them.
 *
 * It is deliberately conservative: whenever the text holds something that a copy could render
 * differently from `JSON.stringify(JSON.parse(text))` — escaped member names or schemas, numbers
 * that overflow or are negative zero, control characters, unpaired surrogates, deep nesting — or
 * when the text is invalid or not of the expected shape, it returns `undefined` and the caller
 * uses the general `JSON.parse` path, which also produces the error message.
 *
 * @module
 */

/** One entity of a self-describing column, as text. */
export interface ScannedEntity {
  /** The entity's schema URI (not yet checked to be an Iglu URI). */
  schema: string;
  /** The JSON text of the entity's data, exactly as in the column. */
  data: string;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const MAX_DEPTH = 64;

/** Characters that need a closer look: controls and surrogates. */
// deno-lint-ignore no-control-regex -- looking for control characters is the point
const SUSPECT = /[\u0000-\u001f\ud800-\udfff]/;
/**
 * Characters that the scanner does not handle: control characters (invalid inside strings, and
 * whitespace that a TSV field would not hold anyway) and unpaired surrogates.
 */
const UNCOPYABLE =
  // deno-lint-ignore no-control-regex -- looking for control characters is the point
  /[\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

let text = "";
let escapes = false;
/** The first backslash at or after the scan position (escapes only), or FAIL. */
let nextBackslash = -1;
const FAIL = -1;

function skipWhitespace(p: number): number {
  let c = text.charCodeAt(p);
  while (c === 32) c = text.charCodeAt(++p); // other whitespace is sent to JSON.parse
  return p;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The position after the string whose opening quote is at `p`, or FAIL. */
function skipString(p: number): number {
  let from = p + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close === FAIL) return FAIL;
    if (!escapes) return close + 1;
    let backslash = nextBackslash;
    if (backslash !== FAIL && backslash < from) {
      backslash = nextBackslash = text.indexOf("\\", from);
    }
    if (backslash === FAIL || backslash > close) return close + 1;
    const c = text.charCodeAt(backslash + 1);
    if (c === 117) { // \uXXXX
      for (let i = backslash + 2; i < backslash + 6; i++) {
        if (!isHex(text.charCodeAt(i))) return FAIL;
      }
      from = backslash + 6;
    } else if (
      c === QUOTE || c === BACKSLASH || c === 47 || c === 98 || c === 102 || c === 110 ||
      c === 114 || c === 116
    ) {
      from = backslash + 2;
    } else {
      return FAIL;
    }
  }
}

function skipDigits(p: number): number {
  let c = text.charCodeAt(p);
  while (c >= ZERO && c <= NINE) c = text.charCodeAt(++p);
  return p;
}

/**
 * The position after the number at `p`, or FAIL when it is invalid or cannot be copied
 * (an exponent that may overflow, more than 300 digits, negative zero).
 */
function skipNumber(p: number): number {
  const start = p;
  if (text.charCodeAt(p) === MINUS) p++;
  const first = text.charCodeAt(p);
  if (first === ZERO) p++;
  else if (first > ZERO && first <= NINE) p = skipDigits(p + 1);
  else return FAIL;
  let c = text.charCodeAt(p);
  if (c === 46) { // .
    const digits = skipDigits(p + 1);
    if (digits === p + 1) return FAIL;
    p = digits;
    c = text.charCodeAt(p);
  }
  if (c === 101 || c === 69) return FAIL; // exponent: leave it to JSON.parse
  if (p - start > 300) return FAIL;
  if (text.charCodeAt(start) === MINUS && Number(text.slice(start, p)) === 0) return FAIL;
  return p;
}

/** The position after the value at `p` (no leading whitespace), or FAIL. */
function skipValue(p: number, depth: number): number {
  const c = text.charCodeAt(p);
  if (c === QUOTE) return skipString(p);
  if (c === OPEN_BRACE) {
    if (depth >= MAX_DEPTH) return FAIL;
    p = skipWhitespace(p + 1);
    if (text.charCodeAt(p) === CLOSE_BRACE) return p + 1;
    for (;;) {
      if (text.charCodeAt(p) !== QUOTE) return FAIL;
      p = skipWhitespace(skipString(p));
      if (p === FAIL || text.charCodeAt(p) !== COLON) return FAIL;
      p = skipValue(skipWhitespace(p + 1), depth + 1);
      if (p === FAIL) return FAIL;
      p = skipWhitespace(p);
      const next = text.charCodeAt(p);
      if (next === CLOSE_BRACE) return p + 1;
      if (next !== COMMA) return FAIL;
      p = skipWhitespace(p + 1);
    }
  }
  if (c === OPEN_BRACKET) {
    if (depth >= MAX_DEPTH) return FAIL;
    p = skipWhitespace(p + 1);
    if (text.charCodeAt(p) === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = skipValue(p, depth + 1);
      if (p === FAIL) return FAIL;
      p = skipWhitespace(p);
      const next = text.charCodeAt(p);
      if (next === CLOSE_BRACKET) return p + 1;
      if (next !== COMMA) return FAIL;
      p = skipWhitespace(p + 1);
    }
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) return skipNumber(p);
  if (c === 116 && text.startsWith("true", p)) return p + 4;
  if (c === 102 && text.startsWith("false", p)) return p + 5;
  if (c === 110 && text.startsWith("null", p)) return p + 4;
  return FAIL;
}

/** A member name at `p` (its quote), or undefined when it is escaped. */
function memberName(p: number, end: number): string | undefined {
  const name = text.slice(p + 1, end - 1);
  return escapes && name.includes("\\") ? undefined : name;
}

/** What a walk over one object found. */
let foundSchema: string | undefined;
let foundData = 0;
let foundDataEnd = 0;

/**
 * Walks the self-describing object at `p`, recording its (last) `schema` and `data`. Returns
 * the position after it, or FAIL.
 */
function walkEntity(p: number): number {
  foundSchema = undefined;
  foundData = FAIL;
  if (text.charCodeAt(p) !== OPEN_BRACE) return FAIL;
  p = skipWhitespace(p + 1);
  if (text.charCodeAt(p) === CLOSE_BRACE) return FAIL;
  for (;;) {
    if (text.charCodeAt(p) !== QUOTE) return FAIL;
    const nameEnd = skipString(p);
    if (nameEnd === FAIL) return FAIL;
    const name = memberName(p, nameEnd);
    if (name === undefined) return FAIL;
    p = skipWhitespace(nameEnd);
    if (text.charCodeAt(p) !== COLON) return FAIL;
    const start = skipWhitespace(p + 1);
    const end = skipValue(start, 1);
    if (end === FAIL) return FAIL;
    if (name === "schema") {
      const schema = text.charCodeAt(start) === QUOTE ? memberName(start, end) : undefined;
      if (schema === undefined) return FAIL;
      foundSchema = schema;
    } else if (name === "data") {
      foundData = start;
      foundDataEnd = end;
    }
    p = skipWhitespace(end);
    const next = text.charCodeAt(p);
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return FAIL;
    p = skipWhitespace(p + 1);
  }
  return foundSchema === undefined || foundData === FAIL ? FAIL : p + 1;
}

function entity(): ScannedEntity {
  return { schema: foundSchema!, data: text.slice(foundData, foundDataEnd) };
}

/**
 * Walks the envelope object of a column, calling `readData` at the value of each `data`
 * member (the last one counts). Returns whether the whole text is valid and of that shape.
 */
function walkEnvelope(readData: (p: number) => number): boolean {
  let p = skipWhitespace(0);
  if (text.charCodeAt(p) !== OPEN_BRACE) return false;
  p = skipWhitespace(p + 1);
  let sawData = false;
  if (text.charCodeAt(p) !== CLOSE_BRACE) {
    for (;;) {
      if (text.charCodeAt(p) !== QUOTE) return false;
      const nameEnd = skipString(p);
      if (nameEnd === FAIL) return false;
      const name = memberName(p, nameEnd);
      if (name === undefined) return false;
      p = skipWhitespace(nameEnd);
      if (text.charCodeAt(p) !== COLON) return false;
      p = skipWhitespace(p + 1);
      if (name === "data") {
        p = readData(p);
        sawData = true;
      } else {
        p = skipValue(p, 1);
      }
      if (p === FAIL) return false;
      p = skipWhitespace(p);
      const next = text.charCodeAt(p);
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return false;
      p = skipWhitespace(p + 1);
    }
  }
  return sawData && skipWhitespace(p + 1) === text.length;
}

function prepare(column: string): boolean {
  if (SUSPECT.test(column) && UNCOPYABLE.test(column)) return false;
  text = column;
  nextBackslash = column.indexOf("\\");
  escapes = nextBackslash !== FAIL;
  return true;
}

/**
 * The entities of a `contexts` / `derived_contexts` column, or `undefined` when the fast
 * scanner cannot vouch for the text (the caller then uses `JSON.parse`).
 */
export function scanContexts(column: string): ScannedEntity[] | undefined {
  if (!prepare(column)) return undefined;
  let entities: ScannedEntity[] = [];
  const valid = walkEnvelope((p) => {
    entities = [];
    if (text.charCodeAt(p) !== OPEN_BRACKET) return FAIL;
    p = skipWhitespace(p + 1);
    if (text.charCodeAt(p) === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = walkEntity(p);
      if (p === FAIL) return FAIL;
      entities.push(entity());
      p = skipWhitespace(p);
      const next = text.charCodeAt(p);
      if (next === CLOSE_BRACKET) return p + 1;
      if (next !== COMMA) return FAIL;
      p = skipWhitespace(p + 1);
    }
  });
  text = "";
  return valid ? entities : undefined;
}

/**
 * The self-describing event of an `unstruct_event` column, or `undefined` when the fast
 * scanner cannot vouch for the text (the caller then uses `JSON.parse`).
 */
export function scanUnstruct(column: string): ScannedEntity | undefined {
  if (!prepare(column)) return undefined;
  let event: ScannedEntity | undefined;
  const valid = walkEnvelope((p) => {
    p = walkEntity(p);
    event = p === FAIL ? undefined : entity();
    return p;
  });
  text = "";
  return valid ? event : undefined;
}
