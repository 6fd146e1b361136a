/**
 * The validating JSON scanner of the NDJSON fast path: whatever it vouches for must be valid
 * JSON of the expected shape whose data texts parse to the parsed data; everything else gives
 * undefined.
 */

import assert from "node:assert/strict";
import { scanContexts, type ScannedEntity, scanUnstruct } from "../../src/event/json_scan.ts";
import { Prng } from "../support/generator.ts";

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

Deno.test("scanContexts() finds each entity's schema and data text", async (t) => {
  const cases: [string, string, ScannedEntity[]][] = [
    ["no entities", contexts(), []],
    ["one entity", contexts(entity('{"a":1}')), [{ schema: SCHEMA, data: '{"a":1}' }]],
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
      [
        { schema: SCHEMA, data: '{"a":[1,2.5,-3,true,false,null,"s"],"o":{}}' },
        { schema: "iglu:com.acme/d/jsonschema/2-0-0", data: "[]" },
        { schema: SCHEMA, data: '"text"' },
        { schema: SCHEMA, data: "null" },
        { schema: SCHEMA, data: "-12.5" },
        { schema: SCHEMA, data: "0" },
      ],
    ],
    [
      "spaces everywhere",
      ` { "data" : [ { "data" : { "a" : [ 1 , 2 ] } , "schema" : "${SCHEMA}" } ] , "schema" : "x" } `,
      [{ schema: SCHEMA, data: '{ "a" : [ 1 , 2 ] }' }],
    ],
    [
      "extra members",
      `{"x":[{"y":null}],"data":[{"hierarchy":{"a":1},"schema":"${SCHEMA}","data":1,"z":"q"}],"schema":1}`,
      [{ schema: SCHEMA, data: "1" }],
    ],
    ["no envelope schema", `{"data":[${entity("1")}]}`, [{ schema: SCHEMA, data: "1" }]],
    [
      "data twice in an entity: the last counts",
      contexts(`{"schema":"${SCHEMA}","data":{"first":1},"data":{"second":2}}`),
      [{ schema: SCHEMA, data: '{"second":2}' }],
    ],
    [
      "schema twice in an entity: the last counts",
      contexts(`{"schema":"iglu:a/b/c/1-0-0","data":1,"schema":"${SCHEMA}"}`),
      [{ schema: SCHEMA, data: "1" }],
    ],
    [
      "data twice in the envelope: the last counts",
      `{${ENVELOPE},"data":[${entity("1")},${entity("2")}],"data":[${entity("3")}]}`,
      [{ schema: SCHEMA, data: "3" }],
    ],
    [
      "escapes inside data strings",
      contexts(entity('{"k":"a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude80"}')),
      [{ schema: SCHEMA, data: '{"k":"a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude80"}' }],
    ],
    [
      "raw unicode and paired surrogates",
      contexts(entity('{"k":"ünï 🚀"}')),
      [{ schema: SCHEMA, data: '{"k":"ünï 🚀"}' }],
    ],
    ["schema with any text", contexts(entity("1", "not an iglu uri")), [{
      schema: "not an iglu uri",
      data: "1",
    }]],
    [
      "nesting up to the limit",
      contexts(entity(`${"[".repeat(50)}${"]".repeat(50)}`)),
      [{ schema: SCHEMA, data: `${"[".repeat(50)}${"]".repeat(50)}` }],
    ],
  ];
  for (const [label, text, expected] of cases) {
    await t.step(label, () => assert.deepEqual(scanContexts(text), expected));
  }
});

Deno.test("scanUnstruct() finds the event's schema and data text", async (t) => {
  const cases: [string, string, ScannedEntity][] = [
    ["object data", unstruct('{"a":1}'), { schema: SCHEMA, data: '{"a":1}' }],
    ["empty object", unstruct("{}"), { schema: SCHEMA, data: "{}" }],
    ["array data", unstruct("[1,[2]]"), { schema: SCHEMA, data: "[1,[2]]" }],
    ["null data", unstruct("null"), { schema: SCHEMA, data: "null" }],
    [
      "spaces and member order",
      ` { "data" : { "data" : "v" , "schema" : "${SCHEMA}" } } `,
      { schema: SCHEMA, data: '"v"' },
    ],
    [
      "data twice in the envelope: the last counts",
      `{"data":${entity("1", "iglu:a/b/c/1-0-0")},"data":${entity("2")}}`,
      { schema: SCHEMA, data: "2" },
    ],
  ];
  for (const [label, text, expected] of cases) {
    await t.step(label, () => assert.deepEqual(scanUnstruct(text), expected));
  }
});

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

/** Texts that the scanner must not vouch for, whatever the column kind. */
const UNVOUCHED: [string, (k: Kind) => string][] = [
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

/** The cases above that are valid JSON: the scanner must refuse them all the same. */
const VALID_JSON = new Set([
  "escaped envelope member name",
  "escaped entity member name",
  "escaped schema member name",
  "escaped schema value",
  "exponent",
  "upper-case exponent",
  "overflowing exponent",
  "negative zero",
  "negative zero with fraction",
  "more than 300 digits",
  "newline whitespace",
  "carriage return whitespace",
  "tab whitespace",
  "raw lone high surrogate",
  "raw lone low surrogate",
  "nesting past the limit",
]);

Deno.test("scanContexts() returns undefined for every text it must not vouch for", async (t) => {
  const shapes: [string, string][] = [
    ["data one entity", `{${ENVELOPE},"data":${entity("1")}}`],
    ["an unstruct column", unstruct("1")],
  ];
  for (
    const [label, text] of [
      ...UNVOUCHED.map(([l, f]): [string, string] => [l, f(AS_CONTEXTS)]),
      ...shapes,
    ]
  ) {
    await t.step(label, () => {
      if (VALID_JSON.has(label)) JSON.parse(text);
      assert.equal(scanContexts(text), undefined);
    });
  }
});

Deno.test("scanUnstruct() returns undefined for every text it must not vouch for", async (t) => {
  const shapes: [string, string][] = [
    ["data an array of entities", contexts(entity("1"))],
    ["data an empty array", contexts()],
    ["second data invalid", `{"data":${entity("1")},"data":5}`],
  ];
  for (
    const [label, text] of [
      ...UNVOUCHED.map(([l, f]): [string, string] => [l, f(AS_UNSTRUCT)]),
      ...shapes,
    ]
  ) {
    await t.step(label, () => {
      if (VALID_JSON.has(label)) JSON.parse(text);
      assert.equal(scanUnstruct(text), undefined);
    });
  }
});

Deno.test("scanContexts() and scanUnstruct() can be called again after a failure", () => {
  assert.equal(scanContexts(contexts(entity('"\\x"'))), undefined);
  assert.deepEqual(scanContexts(contexts(entity('"a\\\\"'))), [{
    schema: SCHEMA,
    data: '"a\\\\"',
  }]);
  assert.equal(scanUnstruct(unstruct('"\\')), undefined);
  assert.deepEqual(scanUnstruct(unstruct('"\\""')), { schema: SCHEMA, data: '"\\""' });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against JSON.parse on seeded random JSON-ish text
// ---------------------------------------------------------------------------------------------

const NAMES = [
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
    () => `${ws(rng)}${rng.pick(NAMES)}${ws(rng)}:${ws(rng)}${value(rng, depth + 1)}${ws(rng)}`,
  );
  return `{${members.join(",")}}`;
}

function selfDescribing(rng: Prng): string {
  const members: string[] = [];
  if (rng.chance(0.95)) {
    members.push(`"schema":${rng.chance(0.9) ? `"${SCHEMA}"` : rng.pick(STRINGS)}`);
  }
  if (rng.chance(0.95)) members.push(`"data":${value(rng, 1)}`);
  if (rng.chance(0.2)) members.push(`${rng.pick(NAMES)}:${value(rng, 2)}`);
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

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The scanner's entity must be the parsed entity: same schema, data that re-serialises alike. */
function assertEntity(scanned: ScannedEntity, parsed: unknown, text: string): void {
  assert.ok(typeof parsed === "object" && parsed !== null && !Array.isArray(parsed), text);
  const record = parsed as Record<string, unknown>;
  assert.equal(scanned.schema, record.schema, text);
  assert.ok("data" in record, text);
  assert.equal(JSON.stringify(JSON.parse(scanned.data)), JSON.stringify(record.data), text);
}

Deno.test("scanContexts() only vouches for what JSON.parse reads the same way", () => {
  const rng = new Prng(20261125);
  let vouched = 0;
  let mutated = 0;
  for (let i = 0; i < 400; i++) {
    let text = column(rng, "contexts");
    if (rng.chance(0.4)) {
      text = mutate(rng, text);
      mutated++;
    }
    const scanned = scanContexts(text);
    if (scanned === undefined) continue;
    vouched++;
    const parsed = parseOrUndefined(text) as { data?: unknown } | undefined;
    assert.ok(parsed !== undefined, `vouched for invalid JSON: ${text}`);
    assert.ok(Array.isArray(parsed.data), text);
    assert.equal(scanned.length, parsed.data.length, text);
    scanned.forEach((entity, j) => assertEntity(entity, (parsed.data as unknown[])[j], text));
  }
  assert.ok(vouched >= 40, `only ${vouched} of 400 vouched`);
  assert.ok(mutated >= 100);
});

Deno.test("scanUnstruct() only vouches for what JSON.parse reads the same way", () => {
  const rng = new Prng(4242);
  let vouched = 0;
  for (let i = 0; i < 400; i++) {
    let text = column(rng, "unstruct");
    if (rng.chance(0.4)) text = mutate(rng, text);
    const scanned = scanUnstruct(text);
    if (scanned === undefined) continue;
    vouched++;
    const parsed = parseOrUndefined(text) as { data?: unknown } | undefined;
    assert.ok(parsed !== undefined, `vouched for invalid JSON: ${text}`);
    assertEntity(scanned, parsed.data, text);
  }
  assert.ok(vouched >= 40, `only ${vouched} of 400 vouched`);
});

Deno.test("scanContexts() vouches for compact JSON as JSON.stringify writes it", () => {
  const rng = new Prng(7);
  for (let i = 0; i < 200; i++) {
    const data = Array.from({ length: rng.below(4) }, (_, j) => ({
      schema: `iglu:com.acme/c${j}/jsonschema/1-0-${i}`,
      data: {
        s: rng.hex(4) + 'é🚀"\\',
        n: rng.int(-1000, 1000) / 8,
        list: [rng.chance(0.5), null, {}],
      },
    }));
    const text = JSON.stringify({ schema: "iglu:x/y/jsonschema/1-0-0", data });
    const scanned = scanContexts(text);
    assert.ok(scanned !== undefined, text);
    assert.deepEqual(
      scanned,
      data.map((e) => ({ schema: e.schema, data: JSON.stringify(e.data) })),
    );
  }
});
