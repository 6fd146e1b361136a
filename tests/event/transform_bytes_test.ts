import assert from "node:assert/strict";
import {
  ByteSink,
  transform,
  type TransformOptions,
  transformToJson,
  writeEventJson,
} from "../../src/event/mod.ts";
import { fieldsWithEveryKind, generateLines, Prng } from "../support/generator.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Every combination of the transform options (and none at all). */
const OPTIONS: readonly (TransformOptions | undefined)[] = [
  undefined,
  ...[false, true].flatMap((geoLocation) =>
    [false, true].flatMap((nulls) =>
      [false, true].map((schemaVersion) => ({ geoLocation, nulls, schemaVersion }))
    )
  ),
];

const PREFIX = encoder.encode('{"previous":"line"}\n');

/** What `transform` makes of the decoded line, as JSON, or `undefined` when it throws. */
function expected(bytes: Uint8Array, options?: TransformOptions): unknown {
  let text = decoder.decode(bytes);
  if (text.endsWith("\r")) text = text.slice(0, -1);
  try {
    return JSON.parse(JSON.stringify(transform(text, options)));
  } catch {
    return undefined;
  }
}

/**
 * Runs `writeEventJson` on `line` (after some earlier output, in a sink that may have to grow)
 * and checks the contract against `transform`: true → one NDJSON line that parses to the same
 * value with the same key order; false → sink unchanged, and always false when `transform`
 * throws. Returns what `writeEventJson` returned.
 */
function check(line: string | Uint8Array, options?: TransformOptions, capacity = 16): boolean {
  const bytes = typeof line === "string" ? encoder.encode(line) : line;
  // Put the line in the middle of a bigger buffer whose next bytes would complete a cut UTF-8
  // sequence or add a field: the writer must stay within [start, end).
  const buffer = new Uint8Array(bytes.length + 8).fill(0x80);
  buffer.set([0x61, 0x09, 0x0a, 0x7b], 0);
  buffer.set(bytes, 4);
  buffer[bytes.length + 7] = 0x09;
  const sink = new ByteSink(capacity);
  sink.write(PREFIX);
  const ok = writeEventJson(buffer, 4, 4 + bytes.length, sink, options);
  const want = expected(bytes, options);
  const content = sink.view();
  assert.deepEqual(content.subarray(0, PREFIX.length), PREFIX);
  if (!ok) {
    assert.equal(sink.length, PREFIX.length, "false leaves the sink as it was");
    return false;
  }
  assert.notEqual(want, undefined, "true although transform() throws");
  const text = decoder.decode(content.subarray(PREFIX.length));
  assert.ok(text.endsWith("\n") && text.indexOf("\n") === text.length - 1, "one NDJSON line");
  const got: unknown = JSON.parse(text);
  if (!sameJson(got, want)) {
    assert.deepEqual(got, want);
    assert.fail("same values, but the key order differs");
  }
  return true;
}

/**
 * Deep equality of parsed JSON values, stricter than `assert.deepEqual`: numbers by
 * `Object.is` (so `-0` differs from `0`) and object keys in the same order. Much faster than
 * `assert.deepEqual`, which the caller uses for the message when this fails.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    return Object.is(a, b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  const others = Object.keys(y);
  if (keys.length !== others.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== others[i] || !sameJson(x[keys[i]], y[keys[i]])) return false;
  }
  return Object.getPrototypeOf(x) === Object.getPrototypeOf(y);
}

const BASE = fieldsWithEveryKind(7);

function withFields(values: Record<number, string>): string {
  const fields = [...BASE];
  for (const [index, value] of Object.entries(values)) fields[Number(index)] = value;
  return fields.join("\t");
}

/** A line whose contexts column is `{"schema":...,"data":[<items>]}` (items as JSON text). */
function withContexts(items: string, derived?: string): string {
  const envelope = (data: string) =>
    `{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0","data":[${data}]}`;
  const values: Record<number, string> = { 52: envelope(items) };
  if (derived !== undefined) values[122] = envelope(derived);
  return withFields(values);
}

/** A context entity with the given data text. */
function entity(data: string, schema = "iglu:com.acme/thing/jsonschema/1-0-0"): string {
  return `{"schema":"${schema}","data":${data}}`;
}

/** The bytes of `text` with the (unique) `marker` replaced by the raw bytes `inner`. */
function splice(text: string, marker: string, inner: number[]): Uint8Array {
  const line = encoder.encode(text);
  const mark = encoder.encode(marker);
  let at = 0;
  while (!mark.every((b, k) => line[at + k] === b)) at++;
  const out = new Uint8Array(line.length - mark.length + inner.length);
  out.set(line.subarray(0, at));
  out.set(inner, at);
  out.set(line.subarray(at + mark.length), at + inner.length);
  return out;
}

const MARK = "\u0000MARK\u0000";

Deno.test("ByteSink grows, views, takes and resets", () => {
  const sink = new ByteSink(1);
  const chunk = encoder.encode("0123456789abcdefghij");
  for (let i = 0; i < 5; i++) sink.write(chunk);
  assert.equal(sink.length, 100);
  assert.ok(sink.bytes.length >= 100);
  assert.equal(decoder.decode(sink.view()), decoder.decode(chunk).repeat(5));
  const taken = sink.take();
  assert.equal(decoder.decode(taken), decoder.decode(chunk).repeat(5));
  assert.equal(sink.length, 0);
  sink.write(chunk);
  sink.reset();
  assert.equal(sink.length, 0);
  assert.equal(sink.ensure(1000).length >= 1000, true);
});

Deno.test("ByteSink.detach() hands over the content without copying it, and later writes go elsewhere", () => {
  const sink = new ByteSink(64);
  sink.write(encoder.encode("first"));
  const buffer = sink.bytes;
  const detached = sink.detach();
  assert.equal(detached.buffer, buffer.buffer);
  assert.equal(decoder.decode(detached), "first");
  assert.equal(sink.length, 0);
  assert.equal(sink.bytes.length, 64);
  sink.write(encoder.encode("second"));
  assert.equal(decoder.decode(detached), "first");
  assert.equal(decoder.decode(sink.view()), "second");
});

Deno.test("writeEventJson() matches transform() on generated corpora, with every option", () => {
  let good = 0;
  let bad = 0;
  let n = 0;
  for (const seed of [1, 2, 3]) {
    for (const { line, label } of generateLines({ seed, count: 1000, badRate: 0.25 })) {
      const bytes = encoder.encode(line);
      if (label === "ok") {
        // Three of the option sets for each line, in turn.
        for (let k = 0; k < 3; k++) {
          assert.ok(check(bytes, OPTIONS[n++ % OPTIONS.length], 1 << 16), `seed ${seed}`);
        }
        good++;
      } else {
        // Options do not change validity: one set is enough (transform() throwing is slow).
        assert.equal(check(bytes, OPTIONS[n++ % OPTIONS.length], 1 << 16), false, label);
        bad++;
      }
    }
  }
  assert.ok(good > 2000 && bad > 500);
});

Deno.test("writeEventJson() writes the same bytes as transformToJson() for canonical lines", () => {
  const sink = new ByteSink();
  for (const seed of [4, 5]) {
    for (const { line } of generateLines({ seed, count: 500 })) {
      const bytes = encoder.encode(line);
      for (const options of OPTIONS) {
        sink.reset();
        assert.ok(writeEventJson(bytes, 0, bytes.length, sink, options));
        assert.equal(decoder.decode(sink.view()), transformToJson(line, options) + "\n");
      }
    }
  }
});

Deno.test("writeEventJson() handles atomic fields like transform()", async (t) => {
  const cases: [string, Record<number, string>, boolean][] = [
    ["quotes and backslashes", { 0: 'a"b\\c"', 100: 'Mozilla "x" \\y' }, true],
    ["control characters and DEL", { 0: "a\u0001b\u001fc\u007fd\re" }, true],
    [
      "many escapes (the output grows 6-fold)",
      { 0: "\u0001".repeat(5000), 1: '"\\'.repeat(3000) },
      true,
    ],
    ["emoji and accents", { 0: "😀 München 東京" }, true],
    ["a byte order mark inside", { 0: "x\ufeffy" }, true],
    ["U+2028 and U+FFFF", { 0: "\u2028\uffff" }, true],
    ["int with plus sign", { 7: "+5" }, true],
    ["int with leading zeros", { 7: "007" }, true],
    ["int negative zero", { 7: "-0" }, true],
    ["int at the limit", { 7: "9007199254740991" }, true],
    [
      "int with many leading zeros",
      { 7: "-000000000000000000012", 16: "0000000000000000000" },
      true,
    ],
    ["int beyond the limit after zeros", { 7: "0009007199254740992" }, false],
    ["int negative limit", { 7: "-9007199254740991" }, true],
    ["int beyond the limit", { 7: "9007199254740992" }, false],
    ["int with a fraction", { 7: "1.0" }, false],
    ["int sign only", { 7: "-" }, false],
    ["double with exponent", { 22: "1e1", 23: "-1E-2" }, true],
    ["double 5. and .5", { 22: "5.", 23: ".5" }, true],
    ["double with plus sign", { 22: "+1.5" }, true],
    ["double negative zero", { 22: "-0.0", 23: "-0" }, true],
    ["double tiny", { 22: "0.0000001", 23: "0.000001" }, true],
    ["double trailing zeros", { 22: "1.50", 23: "100.000" }, true],
    ["double leading zeros", { 22: "00.5", 23: "007" }, true],
    ["double 21 digits", { 22: "123456789012345678901", 23: "1234567890123456.5" }, true],
    ["double 16 significant digits", { 22: "0.1234567890123456", 23: "9007199254740993" }, true],
    ["double 300+ digits", { 22: "1".repeat(305) }, true],
    ["double overflow", { 22: "1".repeat(400) }, false],
    [
      "double of 100,000 digits",
      { 22: "1".repeat(100_000), 23: "0." + "0".repeat(100_000) + "1" },
      false,
    ],
    ["tiny double of 100,000 digits", { 23: "0." + "0".repeat(100_000) + "1" }, true],
    ["double 1e999", { 22: "1e999" }, false],
    ["double exponent without digits", { 22: "1e" }, false],
    ["double dot only", { 22: "." }, false],
    ["double two dots", { 22: "1.2.3" }, false],
    ["bools", { 84: "1", 85: "0", 102: "1" }, true],
    ["bool word", { 84: "true" }, false],
    ["bool 2", { 102: "2" }, false],
    ["int port", { 34: "443", 40: "+80" }, true],
    ["tstamp leap day", { 3: "2024-02-29 10:00:00" }, true],
    ["tstamp nine digits", { 3: "2024-02-28 10:00:00.123456789" }, true],
    ["tstamp not a leap year", { 3: "2023-02-29 10:00:00" }, false],
    ["tstamp century leap", { 3: "2000-02-29 23:59:59.1" }, true],
    ["tstamp century non-leap", { 3: "1900-02-29 23:59:59" }, false],
    ["tstamp ten digits", { 3: "2024-02-28 10:00:00.0123456789" }, false],
    ["tstamp empty fraction", { 3: "2024-02-28 10:00:00." }, false],
    ["tstamp ISO form", { 3: "2024-02-28T10:00:00Z" }, false],
    ["true_tstamp (last field)", { 130: "2024-02-28 10:00:00.000" }, true],
    ["true_tstamp invalid", { 130: "x" }, false],
    ["geo with one side empty", { 22: "", 23: "12.5" }, true],
  ];
  for (const [name, values, fast] of cases) {
    await t.step(name, () => {
      for (const options of OPTIONS) assert.equal(check(withFields(values), options), fast);
    });
  }
});

Deno.test("writeEventJson() finds special bytes at every position of a string", () => {
  const specials = [
    '"',
    "\\",
    "\u0001",
    "\u001f",
    " ",
    "!",
    "#",
    "[",
    "]",
    "\u007f",
    "é",
    "€",
    "😀",
  ];
  for (let k = 0; k < 9; k++) {
    for (const special of specials) {
      const text = "a".repeat(k) + special + "b".repeat(9 - k) + special;
      assert.ok(check(withFields({ 0: text, 100: text.repeat(3) })), JSON.stringify(text));
    }
    for (const inner of [[0x80], [0xc3], [0xed, 0xa0, 0x80], [0x09]]) {
      const text = "a".repeat(k) + MARK + "b".repeat(9);
      const bytes = splice(withFields({ 0: text }), MARK, inner);
      assert.equal(check(bytes), false);
    }
  }
});

Deno.test("writeEventJson() returns false on invalid UTF-8 and a leading byte order mark", async (t) => {
  const cases: [string, number[], boolean][] = [
    ["valid two-byte", [0x61, 0xc3, 0xa9], true],
    ["valid four-byte", [0xf0, 0x9f, 0x98, 0x80], true],
    ["highest scalar", [0xf4, 0x8f, 0xbf, 0xbf], true],
    ["CESU surrogate", [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80], false],
    ["lone low surrogate", [0xed, 0xbf, 0xbf], false],
    ["overlong slash", [0xc0, 0xaf], false],
    ["overlong C1", [0xc1, 0xbf], false],
    ["overlong three-byte", [0xe0, 0x80, 0xaf], false],
    ["overlong four-byte", [0xf0, 0x80, 0x80, 0xaf], false],
    ["beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80], false],
    ["F5 lead", [0xf5, 0x80, 0x80, 0x80], false],
    ["stray continuation", [0x61, 0x80], false],
    ["bad continuation", [0xc3, 0x28], false],
    ["cut short", [0xe2, 0x82], false],
    ["FF byte", [0xff], false],
  ];
  for (const [name, inner, valid] of cases) {
    await t.step(name, () => {
      assert.equal(check(splice(withFields({ 0: MARK }), MARK, inner)), valid, "app_id");
      assert.equal(check(splice(withFields({ 129: MARK }), MARK, inner)), valid, "field 129");
      const json = withContexts(entity(`{"k":"${MARK}"}`));
      assert.equal(check(splice(json, MARK, inner)), valid, "in a JSON string");
      const name = withFields({
        58: `{"data":{"schema":"iglu:a/b/c/1-0-0","data":{"${MARK}":1}}}`,
      });
      assert.equal(check(splice(name, MARK, inner)), valid, "in a JSON member name");
    });
  }
  await t.step("a byte order mark at the start", () => {
    assert.equal(check(splice(withFields({ 0: MARK }), MARK, [0xef, 0xbb, 0xbf, 0x61])), false);
  });
});

/** Data whose top-level member names a `schemaVersion` copy does not vouch for. */
const VERSION_CONFLICTS = ["_schema_version in data", "escaped member name in data"];

Deno.test("writeEventJson() validates and copies JSON payloads like transform()", async (t) => {
  const cases: [string, string, boolean][] = [
    ["every escape", entity('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\ude00\\u0000"'), true],
    ["lone surrogate escape", entity('{"a":"\\ud800","b":"\\udfff x"}'), true],
    ["invalid escape", entity('"\\x41"'), false],
    ["short unicode escape", entity('"\\u12"'), false],
    ["raw control character", entity('"a\u0001b"'), false],
    ["DEL inside", entity('"a\u007fb"'), true],
    ["numbers", entity("[0,-1,1.5,-0.25,1E5,1e-5,2E+3,0.0,123456789012345678901234567890]"), true],
    ["negative zero", entity("-0"), false],
    ["negative zero fraction", entity("[1,-0.000]"), false],
    ["negative underflow", entity("-1e-400"), false],
    ["positive underflow", entity("1e-400"), true],
    ["overflow", entity("1e400"), false],
    ["300+ digits", entity("1".repeat(305)), true],
    ["400 digits", entity("1".repeat(400)), false],
    ["200,000 digits", entity("1".repeat(200_000)), false],
    ["200,000 digits with an exponent", entity("0." + "0".repeat(200_000) + "1e5"), true],
    [
      "a 100,000-character schema",
      entity("1", `iglu:com.acme/${"x".repeat(100_000)}/jsonschema/1-0-0`),
      true,
    ],
    ["leading zero", entity("01"), false],
    ["dot without digits", entity("1."), false],
    ["leading dot", entity(".5"), false],
    ["plus sign", entity("+1"), false],
    ["minus only", entity("-"), false],
    ["literals", entity("[true,false,null]"), true],
    ["bad literal", entity("[tru]"), false],
    [
      "spaces",
      ` { "schema" : "iglu:com.acme/thing/jsonschema/1-0-0" , "data" : { "a" : [ 1 , 2 ] } } `,
      true,
    ],
    ["carriage return", entity('{"a":\r1}'), false],
    [
      "duplicate data",
      '{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":1,"data":{"b":2}}',
      true,
    ],
    [
      "duplicate schema, last valid",
      '{"schema":"x","data":1,"schema":"iglu:com.acme/x/jsonschema/1-0-0"}',
      true,
    ],
    [
      "duplicate schema, last invalid",
      '{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":1,"schema":"x"}',
      false,
    ],
    ["duplicate keys in data", entity('{"a":1,"a":2}'), true],
    [
      "escaped member name in entity",
      '{"schem\\u0061":"iglu:com.acme/x/jsonschema/1-0-0","data":1}',
      false,
    ],
    ["escaped schema", entity("1", "iglu:com.acme\\/x/jsonschema/1-0-0"), false],
    ["escaped member name in data", entity('{"\\u0061":1,"b\\n":2}'), true],
    ["integer-like keys", entity('{"b":1,"2":2,"1":3}'), true],
    ["__proto__ in data", entity('{"__proto__":{"x":1},"a":1}'), true],
    ["_schema_version in data", entity('{"_schema_version":"9-9-9","a":1}'), true],
    ["empty data object", entity("{}") + "," + entity("{ }"), true],
    ["non-object data", entity("[1]") + "," + entity('"s"') + "," + entity("null"), true],
    ["invalid Iglu URI", entity("1", "iglu:com.acme/x/jsonschema/1-0"), false],
    ["non-ASCII Iglu URI", entity("1", "iglu:com.acmé/x/jsonschema/1-0-0"), false],
    ["schema not a string", '{"schema":7,"data":1}', false],
    ["entity without data", '{"schema":"iglu:com.acme/x/jsonschema/1-0-0"}', false],
    ["entity not an object", "null", false],
    ["entity an array", "[]", false],
    ["empty entity", "{}", false],
    ["nesting 60", entity("[".repeat(60) + "]".repeat(60)), true],
    ["nesting 100", entity("[".repeat(100) + "]".repeat(100)), false],
    ["unclosed", entity("[1,2"), false],
    ["trailing comma", entity("[1,2,]"), false],
    ["missing colon", '{"schema" "iglu:com.acme/x/jsonschema/1-0-0","data":1}', false],
    [
      "same column twice",
      entity("1") + "," + entity("2", "iglu:com.acme/thing/jsonschema/1-2-3"),
      true,
    ],
    [
      "camelCase and dots",
      entity("1", "iglu:com.acme-co/getHTTPResponse-v/jsonschema/2-0-0"),
      true,
    ],
  ];
  for (const [name, items, fast] of cases) {
    await t.step(name, () => {
      for (const options of OPTIONS) {
        const versioned = options?.schemaVersion === true;
        const expectFast = fast &&
          !(versioned && VERSION_CONFLICTS.includes(name));
        assert.equal(check(withContexts(items), options), expectFast, "contexts");
        assert.equal(check(withContexts("", items), options), expectFast, "derived_contexts");
      }
      // The same entity as the unstruct event.
      const unstruct = withFields({
        58: `{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",` +
          `"data":${items}}`,
      });
      const single = !items.includes("},{") || !fast;
      for (const options of OPTIONS) {
        const ok = check(unstruct, options);
        if (single) assert.equal(ok, fast, "unstruct_event");
      }
    });
  }
});

Deno.test("writeEventJson() handles the self-describing envelopes like transform()", async (t) => {
  const item = entity('{"a":1}');
  const cases: [string, Record<number, string>, boolean][] = [
    ["empty data array", { 52: '{"schema":"s","data":[]}', 122: '{"data":[ ]}' }, true],
    ["contexts merged with derived", {
      52: `{"data":[${entity("1", "iglu:com.acme/a/jsonschema/1-0-0")},${item}]}`,
      122: `{"data":[${entity("2", "iglu:com.acme/b/jsonschema/1-0-0")},${
        entity("3", "iglu:com.acme/a/jsonschema/1-1-0")
      }]}`,
    }, true],
    ["envelope schema of any type", { 52: `{"schema":[1,{"x":null}],"data":[${item}]}` }, true],
    ["duplicate envelope data", {
      52: `{"data":[${item}],"data":[]}`,
      122: `{"data":[],"data":[${item}]}`,
    }, true],
    ["envelope data before a bad one", { 52: `{"data":[${item}],"data":{}}` }, false],
    ["envelope without data", { 52: '{"schema":"s"}' }, false],
    ["envelope empty", { 52: "{}" }, false],
    ["envelope an array", { 52: `[${item}]` }, false],
    [
      "envelope with spaces",
      { 52: `  {  "data" : [ ${item} ] }  `, 58: ` {"data":${item}} ` },
      true,
    ],
    ["envelope escaped name", { 52: `{"d\\u0061ta":[${item}]}` }, false],
    ["envelope trailing text", { 52: `{"data":[${item}]}x` }, false],
    ["envelope two values", { 52: `{"data":[${item}]}{}` }, false],
    ["unstruct data an array", { 58: `{"data":[${item}]}` }, false],
    ["unstruct without data", { 58: '{"schema":"s"}' }, false],
    ["unstruct data escaped member", {
      58: '{"data":{"schema":"iglu:a/b/c/1-0-0","d\\u0061ta":1}}',
    }, false],
    ["not JSON", { 52: "{'data': []}" }, false],
    ["JSON with a byte order mark", { 52: `\ufeff{"data":[${item}]}` }, false],
    ["many entities", { 52: `{"data":[${Array(300).fill(item).join(",")}]}` }, true],
    ["many small columns, some shared with derived", {
      52: `{"data":[${
        Array.from({ length: 200 }, (_, k) => entity("{}", `iglu:a/aAaAaA${k}/c/1-0-0`)).join(",")
      }]}`,
      122: `{"data":[${
        Array.from({ length: 200 }, (_, k) => entity("0", `iglu:a/aAaAaA${k * 2}/c/2-0-0`))
          .join(",")
      }]}`,
    }, true],
  ];
  for (const [name, values, fast] of cases) {
    await t.step(name, () => {
      for (const options of OPTIONS) assert.equal(check(withFields(values), options), fast);
    });
  }
});

Deno.test("writeEventJson() handles line shapes like transform()", async (t) => {
  const line = BASE.join("\t");
  const empty = Array(131).fill("").join("\t");
  const cases: [string, string, boolean][] = [
    ["CRLF line end", `${line}\r`, true],
    ["CR only in the last field", `${withFields({ 130: "2024-02-28 10:00:00" })}\r`, true],
    ["all fields empty", empty, true],
    [
      "the shortest values",
      BASE.map((_, i) => (i === 52 || i === 58 || i === 122 ? "" : "0")).join("\t"),
      false,
    ],
    [
      "short values everywhere",
      withFields(Object.fromEntries(
        [
          7,
          16,
          34,
          40,
          72,
          73,
          74,
          75,
          76,
          95,
          96,
          103,
          104,
          106,
          107,
          84,
          85,
          86,
          87,
          88,
          89,
          90,
          91,
          92,
          93,
          102,
        ]
          .map((i) => [i, "0"]),
      )),
      true,
    ],
    ["empty line", "", false],
    ["no tab", "abc", false],
    ["130 fields", BASE.slice(1).join("\t"), false],
    ["132 fields", [...BASE, "x"].join("\t"), false],
    ["132 fields, last empty", [...BASE, ""].join("\t"), false],
    ["truncated in a JSON column", line.slice(0, line.indexOf('"data"') + 10), false],
    ["a line feed inside a field", withFields({ 0: "a\nb" }), true],
  ];
  for (const [name, text, fast] of cases) {
    await t.step(name, () => {
      for (const options of OPTIONS) assert.equal(check(text, options), fast);
    });
  }
  await t.step("an empty line writes nothing and all-empty fields write {}", () => {
    const sink = new ByteSink();
    const bytes = encoder.encode(empty);
    assert.ok(writeEventJson(bytes, 0, bytes.length, sink));
    assert.ok(!writeEventJson(bytes, 0, 0, sink));
    assert.equal(decoder.decode(sink.view()), "{}\n");
  });
});

/** Bytes that make interesting mutations. */
const INTERESTING: readonly number[] = [
  ...encoder.encode('"\\{}[],:0-+.eE9 \tu\r\n'),
  ...[0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xff, 0x00, 0x1f],
];

function mutate(line: Uint8Array, rng: Prng): Uint8Array {
  let bytes = line;
  const count = rng.int(1, 3);
  for (let m = 0; m < count; m++) {
    // Prefer the JSON columns (most of the bytes) and numbers; anywhere otherwise.
    const at = rng.below(bytes.length + 1);
    const value = rng.chance(0.7) ? rng.pick(INTERESTING) : rng.below(256);
    const kind = rng.below(4);
    if (kind === 0 && at < bytes.length) {
      bytes = bytes.slice();
      bytes[at] = value;
    } else if (kind === 1) {
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes.subarray(0, at));
      out[at] = value;
      out.set(bytes.subarray(at), at + 1);
      bytes = out;
    } else if (kind === 2 && at < bytes.length) {
      const out = new Uint8Array(bytes.length - 1);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + 1), at);
      bytes = out;
    } else {
      // Duplicate a short span (repeats keys, brackets, digits).
      const length = Math.min(rng.int(1, 12), bytes.length - at);
      const out = new Uint8Array(bytes.length + length);
      out.set(bytes.subarray(0, at + length));
      out.set(bytes.subarray(at, at + length), at + length);
      out.set(bytes.subarray(at + length), at + 2 * length);
      bytes = out;
    }
  }
  return bytes;
}

Deno.test("writeEventJson() agrees with transform() on fuzzed lines", () => {
  const rng = new Prng(20261125);
  const lines = Array.from(generateLines({ seed: 11, count: 60 }), (g) => encoder.encode(g.line));
  let fast = 0;
  let general = 0;
  for (let n = 0; n < 4000; n++) {
    const bytes = mutate(rng.pick(lines), rng);
    const options = rng.pick(OPTIONS);
    if (check(bytes, options, 64)) fast++;
    else general++;
  }
  // Mutations of a single byte often leave a line valid: both paths must be exercised.
  assert.ok(fast > 500 && general > 500, `fast ${fast}, general ${general}`);
});

Deno.test("writeEventJson() throws a RangeError for a range outside the bytes", () => {
  const bytes = encoder.encode(Array(131).fill("").join("\t"));
  const sink = new ByteSink();
  for (const [start, end] of [[-1, 10], [10, 5], [0, bytes.length + 1], [Number.NaN, 3]]) {
    assert.throws(() => writeEventJson(bytes, start, end, sink), RangeError);
  }
  assert.equal(sink.length, 0);
});
