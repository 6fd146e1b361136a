/**
 * Seeded fuzzing of the line readers: generated lines are mutated (cut, tabs duplicated or
 * removed, odd characters, garbage fields, broken JSON, bad numbers, dates and Iglu URIs,
 * deep nesting, huge lines) and every result of `transform`, `parse` and `transformToJson`
 * must be a value or a `TransformError`, never another exception. The amount of work is fixed
 * (a fixed number of cases of bounded size), so the test always ends.
 */

import assert from "node:assert/strict";
import {
  ENRICHED_EVENT_FIELDS,
  type EnrichedEvent,
  flatten,
  parse,
  toTsv,
  transform,
  TransformError,
  type TransformOptions,
  transformToJson,
} from "../../src/event/mod.ts";
import {
  BAD_IGLU_URIS,
  BAD_TSTAMPS,
  generateCorpus,
  generateLines,
  Prng,
} from "../support/generator.ts";

const CODES = new Set(["NotTsv", "FieldCountMismatch", "InvalidValues"]);
const JSON_TYPES = new Set(["NotTSV", "FieldNumberMismatch", "RowDecodingError"]);

const OPTION_SETS: (TransformOptions | undefined)[] = [
  undefined,
  { geoLocation: false },
  { nulls: true },
  { schemaVersion: true },
  { geoLocation: false, nulls: true, schemaVersion: true },
];

const byKind = (kind: string): number[] =>
  ENRICHED_EVENT_FIELDS.filter((f) => f.kind === kind).map((f) => f.index);
const INTS = byKind("int");
const DOUBLES = byKind("double");
const BOOLS = byKind("bool");
const TSTAMPS = byKind("tstamp");
const SD = [52, 58, 122];

/** Characters that tend to break parsers: NUL, CR, LF, lone surrogates, JSON punctuation… */
const NASTY = [
  "\0",
  "\r",
  "\n",
  "\t",
  "\ud800",
  "\udfff",
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "\u2028",
  "\ufeff",
  "\x7f",
  "é",
  "👟",
  " ",
  "-",
  ".",
  "e",
  "0",
];

const NUMBERS = [
  "1e999",
  "-1e999",
  "0x1F",
  " 3",
  "3 ",
  "1_000",
  "NaN",
  "Infinity",
  "-Infinity",
  "9007199254740992",
  "9007199254740991",
  "-9007199254740991",
  "99999999999999999999999",
  "-0",
  "+1",
  "00",
  "007",
  ".5",
  "5.",
  "1E3",
  "1e-400",
  "5e-324",
  "1.7976931348623157e308",
  "1.7976931348623157e309",
  "١٢٣",
  "",
  "+",
  "-",
  "e5",
];

const DATES = [
  ...BAD_TSTAMPS,
  "2024-02-30 10:00:00",
  "2023-02-29 00:00:00",
  "2024-05-01 24:00:00",
  "2024-05-01 23:60:00",
  "2024-05-01 23:59:60",
  "2024-05-01 10:00:00.0123456789",
  "2024-05-01 10:00",
  "2024-02-29 00:00:00",
  "2000-02-29 12:00:00.5",
  "1900-02-29 12:00:00",
  "0000-01-01 00:00:00",
  "9999-12-31 23:59:59.999999999",
  "2024-05-01 10:00:00.-12",
  "2024-05-01 10:00:00.1e3",
  "+024-05-01 10:00:00",
  "2024-05-01\u00a010:00:00",
];

const BOOL_TEXTS = ["1", "0", "true", "false", " 1", "01", "1\0", "-0", "１"];

/** Replacements for a self-describing column: valid or wrong shapes, odd schemas and data. */
const SHAPES = [
  '{"schema":"x","data":[]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":null}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":7}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":"s"}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":[1,{"a":2}]}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":{"1":"a","0":"b","x":"c"}}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/B/jsonschema/1-0-0","data":{}},{"schema":"iglu:a/b/jsonschema/1-9-9","data":{}}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0"}]}',
  '{"schema":"x","data":[{"data":{}}]}',
  '{"schema":"x","data":[{"schema":null,"data":{}}]}',
  '{"schema":"x","data":[{"schema":["iglu:a/b/jsonschema/1-0-0"],"data":{}}]}',
  '{"schema":"x","data":[null,1,"s",[]]}',
  '{"schema":"x","data":{"schema":"iglu:a/b/jsonschema/1-0-0","data":{}}}',
  '{"schema":"x","data":{"schema":"iglu:a/b/jsonschema/1-0-0","data":null}}',
  '{"schema":"x","data":{"schema":"iglu:a/b/jsonschema/1-0-0"}}',
  '{"schema":"x","data":{}}',
  '{"schema":"x","data":null}',
  '{"schema":"x"}',
  '{"data":[]}',
  "{}",
  "[]",
  "null",
  "0",
  '""',
  "true",
  " ",
  '{"schema":"x","data":[]} ',
  ' {"schema":"x","data":[]}',
  '{"schema":"x","data":[],"data":{"schema":"iglu:a/b/jsonschema/1-0-0","data":{}}}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":{"n":1e999}}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":{"n":123456789012345678901234567890}}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":{"s":"\\ud800"}}]}',
  '{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":{"s":"\\u0000\\n\\t"}}]}',
  "{'schema':'x','data':[]}",
  '{"schema":"x","data":[],}',
];

interface Case {
  line: string;
  what: string[];
  /** Small enough to serialise and compare results in full. */
  compare: boolean;
}

type Mutation = (line: string, rng: Prng) => [string, string];

function fieldsOf(line: string): string[] {
  return line.split("\t");
}

function setField(line: string, index: number, value: string): string {
  const fields = fieldsOf(line);
  if (index >= fields.length) return line;
  fields[index] = value;
  return fields.join("\t");
}

function insertAt(text: string, at: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at);
}

function tabPositions(line: string): number[] {
  const out: number[] = [];
  for (let i = line.indexOf("\t"); i >= 0; i = line.indexOf("\t", i + 1)) out.push(i);
  return out;
}

function garbage(rng: Prng, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    s += rng.chance(0.5) ? rng.pick(NASTY) : String.fromCharCode(rng.below(0x10000));
  }
  return s;
}

const MUTATIONS: Mutation[] = [
  (line, rng) => {
    const at = rng.below(line.length + 1);
    return [line.slice(0, at), `cut at ${at}`];
  },
  (line, rng) => {
    const tabs = tabPositions(line);
    if (tabs.length === 0) return [`${line}\t\t`, "tabs appended"];
    const at = rng.pick(tabs);
    return [insertAt(line, at, "\t".repeat(rng.int(1, 3))), `tab duplicated at ${at}`];
  },
  (line, rng) => {
    const tabs = tabPositions(line);
    if (tabs.length === 0) return [line, "no tab to remove"];
    const at = rng.pick(tabs);
    return [line.slice(0, at) + line.slice(at + 1), `tab removed at ${at}`];
  },
  (line, rng) => {
    let out = line;
    const n = rng.int(1, 5);
    for (let i = 0; i < n; i++) {
      out = insertAt(out, rng.below(out.length + 1), garbage(rng, rng.int(1, 3)));
    }
    return [out, `${n} nasty insertions`];
  },
  (line, rng) => {
    const index = rng.below(131);
    return [
      setField(line, index, garbage(rng, rng.int(0, 30))),
      `field ${index} replaced with garbage`,
    ];
  },
  (line, rng) => {
    const index = rng.pick(SD);
    const text = fieldsOf(line)[index] ?? "";
    if (text === "") return [setField(line, index, rng.pick(SHAPES)), `field ${index} shape`];
    const at = rng.below(text.length);
    const broken = rng.pick([
      () => text.slice(0, at),
      () => insertAt(text, at, rng.pick(NASTY)),
      () => text.slice(0, at) + text.slice(at + 1),
      () => text.slice(0, at) + rng.pick(NASTY) + text.slice(at + 1),
      () => text + rng.pick(NASTY),
    ])();
    return [setField(line, index, broken), `field ${index} JSON broken at ${at}`];
  },
  (line, rng) => {
    const index = rng.pick(SD);
    return [setField(line, index, rng.pick(SHAPES)), `field ${index} shape`];
  },
  (line, rng) => {
    const index = rng.pick([...INTS, ...DOUBLES]);
    const value = rng.pick(NUMBERS);
    return [setField(line, index, value), `field ${index} = ${JSON.stringify(value)}`];
  },
  (line, rng) => {
    const index = rng.pick(TSTAMPS);
    const value = rng.pick(DATES);
    return [setField(line, index, value), `field ${index} = ${JSON.stringify(value)}`];
  },
  (line, rng) => {
    const index = rng.pick(BOOLS);
    const value = rng.pick(BOOL_TEXTS);
    return [setField(line, index, value), `field ${index} = ${JSON.stringify(value)}`];
  },
  (line, rng) => {
    const index = rng.pick(SD);
    const uri = rng.pick([
      ...BAD_IGLU_URIS,
      "iglu:com.acme/x/jsonschema/1-0-0\n",
      "iglu:com.acme/x/jsonschema/99999999999999999999-0-0",
      "iglu:com.acme/x/jsonschema/1-0-0 ",
      "IGLU:com.acme/x/jsonschema/1-0-0",
      "iglu:com.acme/x/jsonschema/1-0-0\0",
      "iglu:ÄÖ/x/jsonschema/1-0-0",
      "iglu:com.acme/x/jsonschema/1-0-0-0",
    ]);
    const entity = { schema: uri, data: { a: 1 } };
    const text = index === 58 ? JSON.stringify({ schema: "x", data: entity }) : JSON.stringify({
      schema: "x",
      data: [{ schema: "iglu:a/b/jsonschema/1-0-0", data: {} }, entity],
    });
    return [setField(line, index, text), `field ${index} schema ${JSON.stringify(uri)}`];
  },
  (line, rng) => {
    const fields = fieldsOf(line);
    const a = rng.below(fields.length);
    const b = rng.below(fields.length);
    [fields[a], fields[b]] = [fields[b], fields[a]];
    return [fields.join("\t"), `fields ${a} and ${b} swapped`];
  },
  (line, rng) => {
    const fields = fieldsOf(line);
    return rng.chance(0.5)
      ? [line.replaceAll("\t", " "), "tabs replaced by spaces"]
      : [fields[rng.below(fields.length)], "one field alone"];
  },
  (line, rng) => {
    const end = rng.pick(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\t", "\n\r"]);
    return [line + end, `ending ${JSON.stringify(end)}`];
  },
];

/** Bounded but large inputs: deep nesting and huge lines. */
function specialCases(base: string): Case[] {
  const deep = (open: string, close: string, depth: number): string =>
    open.repeat(depth) + "1" + close.repeat(depth);
  const entity = (data: string): string =>
    `{"schema":"x","data":[{"schema":"iglu:a/b/jsonschema/1-0-0","data":${data}}]}`;
  const cases: [string, string][] = [
    [
      "100k [ unclosed in contexts",
      setField(base, 52, `{"schema":"x","data":${"[".repeat(100_000)}`),
    ],
    ["100k [ unclosed in unstruct", setField(base, 58, "[".repeat(100_000))],
    ["100k { unclosed", setField(base, 122, '{"a":'.repeat(100_000))],
    ["100k nested arrays in context data", setField(base, 52, entity(deep("[", "]", 100_000)))],
    [
      "100k nested objects in context data",
      setField(base, 122, entity(deep('{"a":', "}", 100_000))),
    ],
    [
      "100k nested arrays in unstruct data",
      setField(
        base,
        58,
        `{"schema":"x","data":{"schema":"iglu:a/b/jsonschema/1-0-0","data":${
          deep("[", "]", 100_000)
        }}}`,
      ),
    ],
    [
      "100k nested arrays as contexts data",
      setField(base, 52, `{"schema":"x","data":${deep("[", "]", 100_000)}}`),
    ],
    ["5 MB page_url", setField(base, 29, "https://x.example/?" + "a".repeat(5_000_000))],
    ["5 MB bad int", setField(base, 7, "9".repeat(5_000_000))],
    ["5 MB bad double", setField(base, 22, "1".repeat(5_000_000) + ".5")],
    ["5 MB bad tstamp", setField(base, 3, "2".repeat(5_000_000))],
    ["1M contexts", setField(base, 52, entity(JSON.stringify(Array(200_000).fill({ k: "v" }))))],
    ["200k tabs", base + "\t".repeat(200_000)],
    ["2M chars, no tab", "x".repeat(2_000_000)],
    ["only tabs", "\t".repeat(130)],
    ["empty line", ""],
    ["newline only", "\n"],
    ["CRLF only", "\r\n"],
    ["131 NULs", Array(131).fill("\0").join("\t")],
    ["130 tabs and a CR", "\t".repeat(130) + "\r"],
  ];
  return cases.map(([what, line]) => ({ line, what: [what], compare: false }));
}

/** The fields of `line` as the readers see them (a trailing `\n` or `\r\n` removed). */
function fieldsSeen(line: string): string[] {
  let text = line;
  if (text.endsWith("\n")) text = text.slice(0, text.endsWith("\r\n") ? -2 : -1);
  return text.split("\t");
}

function describe(c: Case): string {
  const shown = c.line.length > 400 ? `${c.line.slice(0, 400)}… (${c.line.length} chars)` : c.line;
  return `case [${c.what.join("; ")}]: ${JSON.stringify(shown)}`;
}

type Outcome<T> = { value: T } | { error: TransformError };

/** Runs `fn` and checks that it returns or throws a well-formed TransformError. */
function run<T>(fn: () => T, c: Case, api: string): Outcome<T> {
  let value: T;
  try {
    value = fn();
  } catch (error) {
    if (!(error instanceof TransformError)) {
      assert.fail(
        `${api} threw ${(error as Error)?.name}: ${(error as Error)?.message}\n${describe(c)}`,
      );
    }
    checkError(error, c, api);
    return { error };
  }
  return { value };
}

function checkError(error: TransformError, c: Case, api: string): void {
  const where = `${api}: ${describe(c)}`;
  assert.ok(error instanceof SyntaxError, where);
  assert.equal(error.name, "TransformError", where);
  assert.ok(CODES.has(error.code), `code ${error.code}: ${where}`);
  assert.equal(typeof error.message, "string", where);
  assert.ok(error.message.length > 0, where);
  assert.ok(
    error.message.length < 1000 + 400 * error.issues.length,
    `message of ${error.message.length} chars: ${where}`,
  );
  const json = JSON.parse(JSON.stringify(error));
  assert.ok(JSON_TYPES.has(json.type), where);
  const fields = fieldsSeen(c.line);
  if (error.code === "InvalidValues") {
    assert.equal(error.fieldCount, 131, where);
    assert.ok(error.issues.length > 0, where);
    assert.equal(json.type, "RowDecodingError", where);
    assert.equal(json.errors.length, error.issues.length, where);
    let previous = -1;
    for (const issue of error.issues) {
      assert.ok(Number.isInteger(issue.index) && issue.index > previous, `issue order: ${where}`);
      previous = issue.index;
      assert.equal(issue.field, ENRICHED_EVENT_FIELDS[issue.index].name, where);
      assert.equal(issue.value, fields[issue.index], where);
      assert.ok(issue.value !== "", `an empty field is never an error: ${where}`);
      assert.ok(typeof issue.message === "string" && issue.message.length > 0, where);
    }
  } else {
    assert.deepEqual(error.issues, [], where);
    assert.equal(error.fieldCount, fields.length, where);
    assert.equal(error.code === "NotTsv", fields.length === 1, where);
    assert.notEqual(fields.length, 131, where);
  }
}

function sameOutcome(a: Outcome<unknown>, b: Outcome<unknown>, c: Case, apis: string): void {
  assert.equal("error" in a, "error" in b, `${apis} disagree on acceptance: ${describe(c)}`);
  if ("error" in a && "error" in b) {
    assert.equal(a.error.code, b.error.code, `${apis}: ${describe(c)}`);
    assert.equal(a.error.fieldCount, b.error.fieldCount, `${apis}: ${describe(c)}`);
    assert.deepEqual(a.error.issues, b.error.issues, `${apis}: ${describe(c)}`);
  }
}

/**
 * `toTsv()` of a parsed event: a line, or `null` when it refuses, as documented, a string field
 * holding a line break (a TAB cannot be in a parsed field).
 */
function writeTsv(event: EnrichedEvent, c: Case): string | null {
  try {
    const line = toTsv(event);
    assert.equal(typeof line, "string");
    return line;
  } catch (error) {
    const strings = ENRICHED_EVENT_FIELDS.filter((f) => f.kind === "string")
      .map((f) => (event as unknown as Record<string, unknown>)[f.name]);
    const unwritable = strings.some((s) => typeof s === "string" && /[\r\n]/.test(s));
    assert.ok(
      error instanceof TypeError && unwritable,
      `toTsv(parse(line)) threw ${(error as Error)?.name}: ${(error as Error)?.message}\n${
        describe(c)
      }`,
    );
    return null;
  }
}

/** JSON text parsed with `-0` read as `0` (JSON has one zero). */
function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, value) => (Object.is(value, -0) ? 0 : value));
}

function without<T extends Record<string, unknown>>(
  object: T,
  key: string,
): Record<string, unknown> {
  const { [key]: _, ...rest } = object;
  return rest;
}

function check(c: Case, options: TransformOptions | undefined): void {
  const flat = run(() => transform(c.line, options), c, "transform()");
  const parsed = run(() => parse(c.line), c, "parse()");
  const json = run(() => transformToJson(c.line, options), c, "transformToJson()");
  sameOutcome(flat, parsed, c, "transform() and parse()");
  sameOutcome(flat, json, c, "transform() and transformToJson()");
  if (!("value" in flat) || !("value" in parsed) || !("value" in json)) return;

  const where = describe(c);
  assert.ok(
    typeof flat.value === "object" && flat.value !== null && !Array.isArray(flat.value),
    where,
  );
  assert.equal(Object.getPrototypeOf(flat.value), Object.prototype, where);
  assert.equal(typeof json.value, "string", where);
  assert.doesNotMatch(
    json.value,
    /[\n\r]/,
    `transformToJson() output is one NDJSON line: ${where}`,
  );
  // Lone surrogates must be escaped, or writing the text as UTF-8 would lose them.
  assert.ok(json.value.isWellFormed(), `transformToJson() output has a lone surrogate: ${where}`);
  const tsv = writeTsv(parsed.value, c);
  if (!c.compare) {
    // Deep or huge: the output must at least be valid JSON.
    JSON.parse(json.value);
    return;
  }
  assert.deepEqual(parseJson(json.value), parseJson(JSON.stringify(flat.value)), `JSON: ${where}`);
  // flatten() writes geo_location from the numbers, transform() from the raw text.
  assert.deepEqual(
    without(flatten(parsed.value, options), "geo_location"),
    without(flat.value, "geo_location"),
    `flatten(): ${where}`,
  );
  // toTsv() of a parsed line is a line that parses to the same event.
  if (tsv === null) return;
  const again = run(
    () => parse(tsv),
    { ...c, what: [...c.what, "re-parsed"] },
    "parse(toTsv())",
  );
  assert.ok("value" in again, where);
  assert.deepEqual(
    parseJson(JSON.stringify(again.value)),
    parseJson(JSON.stringify(parsed.value)),
    `parse(toTsv(parse(line))): ${where}`,
  );
}

function mutatedCases(seed: number, count: number): Case[] {
  const rng = new Prng(seed);
  const base = [
    ...generateCorpus(seed, 150),
    ...Array.from(generateLines({ seed: seed + 1, count: 50, badRate: 1 }), (g) => g.line),
  ];
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    let line = rng.pick(base);
    const what: string[] = [];
    for (let n = rng.int(1, 3); n > 0; n--) {
      const [next, description] = rng.pick(MUTATIONS)(line, rng);
      line = next;
      what.push(description);
    }
    cases.push({ line, what, compare: true });
  }
  return cases;
}

/**
 * Checks every case, collecting failures so that one bug does not hide another; fails with the
 * first failure of each kind.
 */
function checkAll(cases: Iterable<[Case, TransformOptions | undefined]>): void {
  const failures = new Map<string, { count: number; message: string }>();
  for (const [c, options] of cases) {
    try {
      check(c, options);
    } catch (error) {
      if (!(error instanceof assert.AssertionError)) throw error;
      const kind = error.message.split("\n")[0].replace(/"[^"]*"/g, "…");
      const seen = failures.get(kind);
      if (seen !== undefined) seen.count++;
      else {failures.set(kind, {
          count: 1,
          message: `${error.message} (options ${JSON.stringify(options)})`,
        });}
    }
  }
  const report = [...failures.values()].map((f) => `${f.count} case(s) like:\n${f.message}`);
  assert.equal(failures.size, 0, report.join("\n\n"));
}

Deno.test("transform(), parse() and transformToJson() give a value or a TransformError for mutated lines", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, () => {
      const rng = new Prng(seed * 31);
      checkAll(mutatedCases(seed, 1500).map((c) => [c, rng.pick(OPTION_SETS)]));
    });
  }
});

Deno.test("transform(), parse() and transformToJson() give a value or a TransformError for deep and huge lines", async (t) => {
  const [base] = generateCorpus(4, 1);
  for (const c of specialCases(base)) {
    await t.step(c.what[0], () => {
      checkAll([[c, undefined], [c, { schemaVersion: true, nulls: true }]]);
    });
  }
});

Deno.test("the fuzz cases reach every outcome", () => {
  const seen = new Map<string, number>();
  for (const c of mutatedCases(1, 1500)) {
    let outcome = "value";
    try {
      transform(c.line);
    } catch (error) {
      outcome = error instanceof TransformError ? error.code : "other";
    }
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }
  for (const outcome of ["value", "NotTsv", "FieldCountMismatch", "InvalidValues"]) {
    assert.ok((seen.get(outcome) ?? 0) > 0, `no ${outcome} among ${JSON.stringify([...seen])}`);
  }
});
