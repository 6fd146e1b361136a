/**
 * The paths agree: for any line, `transform()` (objects), `parse()`, `transformToJson()` (the
 * bytes path on a string) and `writeEventJson()` (bytes to bytes) give the same flat form, or
 * all reject it with the same error (`writeEventJson` returns false and the caller takes the
 * object path). The cases are the self-describing columns, where the paths differ most: valid
 * ones, every kind of text the bytes path must not vouch for, nesting around the depth limit,
 * and seeded random and mutated columns.
 */

import assert from "node:assert/strict";
import {
  ByteSink,
  parse,
  transform,
  TransformError,
  type TransformOptions,
  transformToJson,
  writeEventJson,
} from "../../src/event/mod.ts";
import { MAX_JSON_DEPTH } from "../../src/event/_rules.ts";
import { fieldsWithEveryKind, Prng } from "../support/generator.ts";

const ENVELOPE = '"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"';
const SCHEMA = "iglu:com.acme/c/jsonschema/1-0-0";

function entity(data: string, schema = SCHEMA): string {
  return `{"schema":"${schema}","data":${data}}`;
}

function contexts(...entities: string[]): string {
  return `{${ENVELOPE},"data":[${entities.join(",")}]}`;
}

function unstruct(data: string, schema = SCHEMA): string {
  return `{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":${
    entity(data, schema)
  }}`;
}

/** How a case is written for one column kind. */
interface Kind {
  /** A valid column around one entity text (an empty contexts column without it). */
  column(entityText?: string): string;
  /** A valid column around one entity with this data text. */
  data(dataText: string): string;
  /** The text of the envelope's "data" member before and after the entities. */
  open: string;
  close: string;
}

const AS_CONTEXTS: Kind = {
  column: (entityText = "") => `{${ENVELOPE},"data":[${entityText}]}`,
  data: (dataText) => contexts(entity(dataText)),
  open: "[",
  close: "]",
};

const AS_UNSTRUCT: Kind = {
  column: (entityText = entity("1")) => `{${ENVELOPE},"data":${entityText}}`,
  data: (dataText) => unstruct(dataText),
  open: "",
  close: "",
};

/**
 * Texts at the edges, whatever the column kind: invalid JSON, valid JSON that a copy could
 * render differently, and the wrong shapes.
 */
const EDGE_CASES: [string, (k: Kind) => string][] = [
  // invalid JSON
  ["empty", () => ""],
  ["spaces", () => "   "],
  ["open brace", () => "{"],
  ["close brace", () => "}"],
  ["unterminated", (k) => `{${ENVELOPE},"data":${k.open}`],
  ["trailing text", (k) => `${k.column()}x`],
  ["two values", (k) => `${k.column()} ${k.column()}`],
  [
    "trailing comma in the envelope",
    (k) => `{${ENVELOPE},"data":${k.open}${entity("1")}${k.close},}`,
  ],
  ["trailing comma in an entity", (k) => k.column(`{"schema":"${SCHEMA}","data":1,}`)],
  ["trailing comma in an array", (k) => k.data("[1,]")],
  ["empty array slot", (k) => k.data("[,1]")],
  ["missing comma", (k) => k.data("[1 2]")],
  ["missing colon", (k) => `{${ENVELOPE},"data"${k.open}${entity("1")}${k.close}}`],
  ["single quotes", (k) => k.column(`{'schema':'${SCHEMA}','data':1}`)],
  ["unquoted name", (k) => k.column(`{schema:"${SCHEMA}",data:1}`)],
  ["leading zero", (k) => k.data("01")],
  ["bare minus", (k) => k.data("-")],
  ["fraction without digits", (k) => k.data("1.")],
  ["fraction without integer", (k) => k.data(".5")],
  ["plus sign", (k) => k.data("+1")],
  ["truncated literal", (k) => k.data("tru")],
  ["capitalised literal", (k) => k.data("True")],
  ["NaN", (k) => k.data("NaN")],
  ["Infinity", (k) => k.data("Infinity")],
  ["comment", (k) => `/*x*/${k.column()}`],
  ["invalid escape", (k) => k.data('"\\x"')],
  ["short unicode escape", (k) => k.data('"\\u12"')],
  ["non-hex unicode escape", (k) => k.data('"\\u12G4"')],
  ["unterminated string", (k) => k.data('"abc')],
  ["raw control character in a string", (k) => k.data('"a\u0001b"')],
  ["raw tab in a string", (k) => k.data('"a\tb"')],
  ["unbalanced brackets", (k) => k.data("[[1]")],
  ["mismatched brackets", (k) => k.data("[1}")],
  // valid JSON that a copy could render differently
  [
    "escaped envelope member name",
    (k) => `{${ENVELOPE},"d\\u0061ta":${k.open}${entity("1")}${k.close}}`,
  ],
  ["escaped entity member name", (k) => k.column(`{"schema":"${SCHEMA}","d\\u0061ta":1}`)],
  ["escaped schema member name", (k) => k.column(`{"sch\\u0065ma":"${SCHEMA}","data":1}`)],
  ["escaped schema value", (k) => k.column(entity("1", "iglu:com.acme\\/c/jsonschema/1-0-0"))],
  ["exponent", (k) => k.data("1e5")],
  ["upper-case exponent", (k) => k.data("1E5")],
  ["overflowing exponent", (k) => k.data("1e400")],
  ["negative zero", (k) => k.data("-0")],
  ["negative zero with fraction", (k) => k.data("-0.0")],
  ["more than 300 digits", (k) => k.data(`1${"0".repeat(300)}`)],
  ["newline whitespace", (k) => k.data('{"a":\n1}')],
  ["carriage return whitespace", (k) => `${k.column()}\r`],
  ["tab whitespace", (k) => `{${ENVELOPE},\t"data":${k.open}${entity("1")}${k.close}}`],
  ["raw lone high surrogate", (k) => k.data('"a\ud800"')],
  ["raw lone low surrogate", (k) => k.data('"\udc00a"')],
  ["nesting past the limit", (k) => k.data(`${"[".repeat(100)}${"]".repeat(100)}`)],
  // wrong shape
  ["a JSON array", () => "[]"],
  ["a JSON string", () => '"x"'],
  ["null", () => "null"],
  ["no data member", () => `{${ENVELOPE}}`],
  ["empty object", () => "{}"],
  ["data a number", () => `{${ENVELOPE},"data":1}`],
  ["data null", () => `{${ENVELOPE},"data":null}`],
  ["entity a number", (k) => k.column("1")],
  ["entity an array", (k) => k.column(`[${entity("1")}]`)],
  ["entity a string", (k) => k.column('"x"')],
  ["entity empty", (k) => k.column("{}")],
  ["entity without schema", (k) => k.column('{"data":1}')],
  ["entity without data", (k) => k.column(`{"schema":"${SCHEMA}"}`)],
  ["schema a number", (k) => k.column('{"schema":1,"data":1}')],
  ["schema null", (k) => k.column('{"schema":null,"data":1}')],
  ["schema an object", (k) => k.column('{"schema":{},"data":1}')],
];

const MEMBER_NAMES = [
  '"a"',
  '"b"',
  '"data"',
  '"schema"',
  '"x y"',
  '"_schema_version"',
  '"d\\u0061ta"',
  '"\\"q"',
  '"é"',
];
const STRINGS = [
  '""',
  '"s"',
  '"\\\\"',
  '"\\""',
  '"\\n\\t"',
  '"\\u00e9"',
  '"\\ud800"',
  '"🚀"',
  '"a\\/b"',
  `"${SCHEMA}"`,
  '"iglu:com.acme\\/c/jsonschema/1-0-0"',
  '"\ud800"',
  '"\u0001"',
];
const NUMBERS = [
  "0",
  "-1",
  "1.5",
  "1.0",
  "1e5",
  "-0",
  "-0.0",
  "1e400",
  "12345678901234567890",
  "0.000001",
  "7",
];
const MUTATION_CHARS = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  " ",
  "\n",
  "0",
  "-",
  "e",
  ".",
  "u",
  "a",
  "\ud800",
];

function ws(rng: Prng): string {
  return rng.chance(0.8) ? "" : rng.pick([" ", "  ", "\n", "\t", "\r\n"]);
}

function value(rng: Prng, depth: number): string {
  const roll = rng.below(depth > 3 ? 3 : 5);
  if (roll === 0) return rng.pick(STRINGS);
  if (roll === 1) return rng.pick(NUMBERS);
  if (roll === 2) return rng.pick(["true", "false", "null"]);
  if (roll === 3) {
    const items = Array.from(
      { length: rng.below(4) },
      () => ws(rng) + value(rng, depth + 1) + ws(rng),
    );
    return `[${items.join(",")}]`;
  }
  const members = Array.from(
    { length: rng.below(4) },
    () =>
      `${ws(rng)}${rng.pick(MEMBER_NAMES)}${ws(rng)}:${ws(rng)}${value(rng, depth + 1)}${ws(rng)}`,
  );
  return `{${members.join(",")}}`;
}

function selfDescribing(rng: Prng): string {
  const members: string[] = [];
  if (rng.chance(0.95)) {
    members.push(`"schema":${rng.chance(0.9) ? `"${SCHEMA}"` : rng.pick(STRINGS)}`);
  }
  if (rng.chance(0.95)) members.push(`"data":${value(rng, 1)}`);
  if (rng.chance(0.2)) members.push(`${rng.pick(MEMBER_NAMES)}:${value(rng, 2)}`);
  if (rng.chance(0.1)) members.push(`"data":${value(rng, 1)}`);
  const ordered = rng.chance(0.5) ? members : members.reverse();
  return `{${ws(rng)}${ordered.join(`${ws(rng)},${ws(rng)}`)}${ws(rng)}}`;
}

function column(rng: Prng, kind: "contexts" | "unstruct"): string {
  const data = kind === "contexts"
    ? `[${Array.from({ length: rng.below(4) }, () => selfDescribing(rng)).join(",")}]`
    : selfDescribing(rng);
  const members = [`"data":${ws(rng)}${data}`];
  if (rng.chance(0.8)) members.unshift(`"schema":"iglu:x/y/jsonschema/1-0-0"`);
  if (rng.chance(0.1)) members.push(`"data":${rng.chance(0.5) ? data : value(rng, 1)}`);
  return `${ws(rng)}{${members.join(",")}}${ws(rng)}`;
}

function mutate(rng: Prng, text: string): string {
  const at = rng.below(text.length + 1);
  switch (rng.below(4)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + rng.pick(MUTATION_CHARS) + text.slice(at);
    case 2:
      return text.slice(0, at);
    default: {
      const to = Math.min(text.length, at + rng.below(8));
      return text.slice(0, to) + text.slice(at, to) + text.slice(to);
    }
  }
}

const BASE = fieldsWithEveryKind(11);
const OPTIONS: readonly (TransformOptions | undefined)[] = [
  undefined,
  { schemaVersion: true },
  { nulls: true, geoLocation: false },
];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The outcome of one path: the JSON text of the flat form, or the error's JSON. */
type Outcome = { json: string } | { error: string };

function outcome(run: () => string): Outcome {
  try {
    return { json: run() };
  } catch (error) {
    if (!(error instanceof TransformError)) throw error;
    return { error: JSON.stringify(error) };
  }
}

/**
 * Checks that every path gives the same result for `line`: the same JSON (same values, same key
 * order; the same text, for transformToJson) or the same TransformError. Returns whether the
 * bytes path wrote the line itself.
 */
function assertPathsAgree(line: string, options?: TransformOptions): boolean {
  const objects = outcome(() => JSON.stringify(transform(line, options)));
  const text = outcome(() => transformToJson(line, options));
  const parsed = outcome(() => JSON.stringify(parse(line)));
  if ("error" in objects) {
    assert.deepEqual(text, objects, `transformToJson() for ${JSON.stringify(line)}`);
    assert.ok("error" in parsed, `parse() accepted ${JSON.stringify(line)}`);
  } else {
    assert.ok("json" in text, `transformToJson() threw for ${JSON.stringify(line)}`);
    assert.deepEqual(JSON.parse(text.json), JSON.parse(objects.json), line);
    assert.equal(
      Object.keys(JSON.parse(text.json)).join(),
      Object.keys(JSON.parse(objects.json)).join(),
    );
    assert.ok("json" in parsed, `parse() threw for ${JSON.stringify(line)}`);
  }
  // writeEventJson reads its bytes as a line without its line feed (a "\r" before that is
  // dropped): what transform() reads of them followed by "\n". And the bytes of a line with an
  // unpaired surrogate hold U+FFFD instead: they are another line.
  const withoutLf = line.endsWith("\n") ? line.slice(0, -1) : line;
  const bytes = encoder.encode(withoutLf);
  const reference = `${decoder.decode(bytes)}\n`;
  const same = reference === line ? text : outcome(() => transformToJson(reference, options));
  const sink = new ByteSink(16);
  const written = writeEventJson(bytes, 0, bytes.length, sink, options);
  if (written) {
    assert.ok("json" in same, `writeEventJson() wrote a line transform() rejects: ${line}`);
    assert.equal(decoder.decode(sink.view()), `${same.json}\n`, "the bytes and text paths");
  } else {
    assert.equal(sink.length, 0);
  }
  return written;
}

function withColumn(index: number, text: string): string {
  const fields = [...BASE];
  fields[index] = text;
  return fields.join("\t");
}

function checkColumn(kind: "contexts" | "unstruct", text: string): boolean {
  const line = kind === "contexts" ? withColumn(52, text) : withColumn(58, text);
  let written = false;
  for (const options of OPTIONS) written = assertPathsAgree(line, options) || written;
  if (kind === "contexts") assertPathsAgree(withColumn(122, text));
  return written;
}

const CONTEXTS_CASES: [string, string][] = [
  ["no entities", contexts()],
  ["one entity", contexts(entity('{"a":1}'))],
  [
    "several entities and data kinds",
    contexts(
      entity('{"a":[1,2.5,-3,true,false,null,"s"],"o":{}}'),
      entity("[]", "iglu:com.acme/d/jsonschema/2-0-0"),
      entity('"text"'),
      entity("null"),
      entity("-12.5"),
      entity("0"),
    ),
  ],
  [
    "spaces everywhere",
    ` { "data" : [ { "data" : { "a" : [ 1 , 2 ] } , "schema" : "${SCHEMA}" } ] , "schema" : "x" } `,
  ],
  [
    "extra members",
    `{"x":[{"y":null}],"data":[{"hierarchy":{"a":1},"schema":"${SCHEMA}","data":1,"z":"q"}],"schema":1}`,
  ],
  ["no envelope schema", `{"data":[${entity("1")}]}`],
  [
    "data twice in an entity: the last counts",
    contexts(`{"schema":"${SCHEMA}","data":{"first":1},"data":{"second":2}}`),
  ],
  [
    "schema twice in an entity: the last counts",
    contexts(`{"schema":"iglu:a/b/c/1-0-0","data":1,"schema":"${SCHEMA}"}`),
  ],
  [
    "data twice in the envelope: the last counts",
    `{${ENVELOPE},"data":[${entity("1")},${entity("2")}],"data":[${entity("3")}]}`,
  ],
  [
    "escapes inside data strings",
    contexts(entity('{"k":"a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude80"}')),
  ],
  ["raw unicode and paired surrogates", contexts(entity('{"k":"ünï 🚀"}'))],
  ["a schema that is not an Iglu URI", contexts(entity("1", "not an iglu uri"))],
  ["nesting within the bytes path's reach", contexts(entity(`${"[".repeat(50)}${"]".repeat(50)}`))],
];

const UNSTRUCT_CASES: [string, string][] = [
  ["object data", unstruct('{"a":1}')],
  ["empty object", unstruct("{}")],
  ["array data", unstruct("[1,[2]]")],
  ["null data", unstruct("null")],
  ["spaces and member order", ` { "data" : { "data" : "v" , "schema" : "${SCHEMA}" } } `],
  [
    "data twice in the envelope: the last counts",
    `{"data":${entity("1", "iglu:a/b/c/1-0-0")},"data":${entity("2")}}`,
  ],
];

Deno.test("the paths agree on valid contexts columns, and the bytes path writes them", async (t) => {
  for (const [label, text] of CONTEXTS_CASES) {
    await t.step(label, () => {
      const written = checkColumn("contexts", text);
      if (label !== "a schema that is not an Iglu URI") assert.ok(written, "bytes path");
    });
  }
});

Deno.test("the paths agree on valid unstruct columns, and the bytes path writes them", async (t) => {
  for (const [label, text] of UNSTRUCT_CASES) {
    await t.step(label, () => assert.ok(checkColumn("unstruct", text), "bytes path"));
  }
});

Deno.test("the paths agree on invalid JSON, JSON a copy could change, and wrong shapes", async (t) => {
  for (const [label, make] of EDGE_CASES) {
    await t.step(label, () => {
      checkColumn("contexts", make(AS_CONTEXTS));
      checkColumn("unstruct", make(AS_UNSTRUCT));
    });
  }
});

/** A contexts column whose one entity's data nests `depth` arrays (the column adds 3 levels). */
function nested(depth: number): string {
  return contexts(entity(`${"[".repeat(depth)}${"]".repeat(depth)}`));
}

Deno.test("the paths agree at the depth limit: one level more is an invalid value", () => {
  const atLimit = nested(MAX_JSON_DEPTH - 3);
  const overLimit = nested(MAX_JSON_DEPTH - 2);
  checkColumn("contexts", atLimit);
  checkColumn("contexts", overLimit);
  assert.doesNotThrow(() => transform(withColumn(52, atLimit)));
  assert.throws(() => transform(withColumn(52, overLimit)), (error: unknown) => {
    assert.ok(error instanceof TransformError);
    assert.equal(error.issues[0].field, "contexts");
    assert.match(error.issues[0].message, /nested deeper than 1000 levels/);
    return true;
  });
  const deepUnstruct = unstruct(`${'{"a":'.repeat(7000)}1${"}".repeat(7000)}`);
  checkColumn("unstruct", deepUnstruct);
  assert.throws(() => parse(withColumn(58, deepUnstruct)), TransformError);
});

Deno.test("the paths agree on line endings", async (t) => {
  const line = BASE.join("\t");
  const empty = [...BASE.slice(0, 130), ""].join("\t"); // true_tstamp empty
  for (const ending of ["", "\n", "\r\n", "\r", "\r\r\n", "\n\n", "\r\n\r\n", "\n\r"]) {
    await t.step(JSON.stringify(ending), () => {
      assertPathsAgree(line + ending);
      assertPathsAgree(empty + ending);
    });
  }
  assert.throws(() => transformToJson(`${empty}\r\r\n`), TransformError);
  assert.throws(() => transformToJson(`${empty}\r`), TransformError);
});

Deno.test("the paths agree on seeded random and mutated columns", () => {
  const rng = new Prng(20261204);
  let written = 0;
  let rejected = 0;
  for (let i = 0; i < 300; i++) {
    const kind = rng.chance(0.5) ? "contexts" : "unstruct";
    let text = column(rng, kind);
    if (rng.chance(0.4)) text = mutate(rng, text);
    if (checkColumn(kind, text)) written++;
    try {
      transform(withColumn(kind === "contexts" ? 52 : 58, text));
    } catch {
      rejected++;
    }
  }
  assert.ok(written >= 30, `the bytes path wrote only ${written} of 300 lines`);
  assert.ok(rejected >= 30, `only ${rejected} of 300 lines were rejected`);
});

Deno.test("the paths agree on compact columns as JSON.stringify writes them", () => {
  const rng = new Prng(7);
  for (let i = 0; i < 100; i++) {
    const data = Array.from({ length: rng.below(4) }, (_, j) => ({
      schema: `iglu:com.acme/c${j}/jsonschema/1-0-${i}`,
      data: {
        s: rng.hex(4) + 'é🚀"\\',
        n: rng.int(-1000, 1000) / 8,
        list: [rng.chance(0.5), null, {}],
      },
    }));
    const text = JSON.stringify({ schema: "iglu:x/y/jsonschema/1-0-0", data });
    assert.ok(checkColumn("contexts", text), text);
  }
});
