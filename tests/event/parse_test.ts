/**
 * The typed, lossless form: parse(), toTsv() and flatten() (issue 2's parse/toTsv contract).
 */

import assert from "node:assert/strict";
import type { EnrichedEvent } from "../../src/event/fields.ts";
import { parse, toTsv } from "../../src/event/parse.ts";
import { flatten, transform, type TransformOptions } from "../../src/event/transform.ts";
import { TransformError } from "../../src/event/transform_error.ts";

const TABLE = Deno.readTextFileSync(new URL("../testdata/ev_fields.tsv", import.meta.url))
  .trim().split("\n").slice(1).map((row) => row.split("\t"));
const NAMES = TABLE.map((row) => row[1]);
const SELF_DESCRIBING = new Set(["contexts", "unstruct_event", "derived_contexts"]);
const FULL_EVENT = Deno.readTextFileSync(new URL("../testdata/ev_full_event.tsv", import.meta.url));
const FULL_EVENT_JSON: Record<string, unknown> = JSON.parse(
  Deno.readTextFileSync(new URL("../testdata/ev_full_event.json", import.meta.url)),
);
/** Canonical lines: numbers as String(number) writes them, JSON as JSON.stringify writes it. */
const CANONICAL = Deno.readTextFileSync(
  new URL("../testdata/ev_canonical_lines.tsv", import.meta.url),
)
  .split("\n").filter((text) => text.includes("\t"));

function line(values: Record<string, string> = {}): string {
  return NAMES.map((name) => values[name] ?? "").join("\t");
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an exception");
}

const OPTION_SETS: TransformOptions[] = [];
for (const geoLocation of [true, false]) {
  for (const nulls of [false, true]) {
    for (const schemaVersion of [false, true]) {
      OPTION_SETS.push({ geoLocation, nulls, schemaVersion });
    }
  }
}

Deno.test("parse() gives all 131 fields in TSV order, null when empty", () => {
  const event = parse(line());
  assert.deepEqual(Object.keys(event), NAMES);
  for (const name of NAMES) assert.equal((event as unknown as Record<string, unknown>)[name], null);
});

Deno.test("parse() types every atomic field as the flat form does", () => {
  const event = parse(FULL_EVENT) as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(event), NAMES);
  for (const name of NAMES) {
    if (SELF_DESCRIBING.has(name)) continue;
    assert.deepEqual(event[name], FULL_EVENT_JSON[name] ?? null, name);
  }
  assert.equal(event.tr_total, 99.5);
  assert.equal(event.br_features_flash, false);
  assert.equal(event.dvce_created_tstamp, "2024-05-01T09:59:58.12Z");
  assert.equal(event.se_value, "12.50");
  assert.equal(event.true_tstamp, null);
});

Deno.test("parse() keeps the self-describing columns parsed, not shredded", () => {
  const fields = FULL_EVENT.replace(/\n$/, "").split("\t");
  const event = parse(FULL_EVENT);
  assert.deepEqual(event.contexts, JSON.parse(fields[52]));
  assert.deepEqual(event.unstruct_event, JSON.parse(fields[58]));
  assert.deepEqual(event.derived_contexts, JSON.parse(fields[122]));
  assert.equal(
    event.contexts?.schema,
    "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
  );
  assert.equal(
    event.unstruct_event?.data.schema,
    "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
  );
});

Deno.test("parse() ignores a trailing \\n or \\r\\n", () => {
  const bare = FULL_EVENT.replace(/\n$/, "");
  assert.deepEqual(parse(bare + "\r\n"), parse(bare));
  assert.deepEqual(
    parse(line({ true_tstamp: "2013-11-26 00:02:05" }) + "\n").true_tstamp,
    "2013-11-26T00:02:05Z",
  );
});

Deno.test("parse() throws the same TransformError as transform()", async (t) => {
  const cases: [string, string][] = [
    ["no tab", "just text"],
    ["130 fields", Array(130).fill("").join("\t")],
    ["132 fields", Array(132).fill("").join("\t")],
    ["one invalid value", line({ txn_id: "12.5" })],
    [
      "several invalid values",
      line({
        true_tstamp: "x",
        br_cookies: "true",
        contexts: "{",
        geo_latitude: "1e999",
        txn_id: "0x1F",
      }),
    ],
  ];
  for (const [label, text] of cases) {
    await t.step(label, () => {
      const parseError = thrown(() => parse(text));
      const transformError = thrown(() => transform(text));
      assert.ok(parseError instanceof TransformError);
      assert.ok(transformError instanceof TransformError);
      assert.equal(parseError.code, transformError.code);
      assert.equal(parseError.fieldCount, transformError.fieldCount);
      assert.deepEqual(parseError.issues, transformError.issues);
      assert.equal(parseError.message, transformError.message);
    });
  }
});

Deno.test("toTsv() inverts parse() on canonical lines", async (t) => {
  assert.ok(CANONICAL.length >= 4);
  for (const [i, text] of CANONICAL.entries()) {
    await t.step(`line ${i + 1}`, () => {
      assert.equal(toTsv(parse(text)), text);
    });
  }
});

Deno.test("toTsv() writes canonical text with the same values for other lines", () => {
  const text = line({
    txn_id: "+007",
    tr_total: "99.50",
    geo_latitude: "1E3",
    geo_longitude: "-0.50",
    br_cookies: "1",
    contexts:
      ' { "schema" : "x", "data" : [ { "schema" : "iglu:com.acme/a/jsonschema/1-0-0", "data" : { "v" : 1.0 } } ] } ',
  });
  const event = parse(text);
  const written = toTsv(event);
  const fields = written.split("\t");
  assert.equal(fields[7], "7");
  assert.equal(fields[61], "99.5");
  assert.equal(fields[22], "1000");
  assert.equal(fields[23], "-0.5");
  assert.equal(
    fields[52],
    '{"schema":"x","data":[{"schema":"iglu:com.acme/a/jsonschema/1-0-0","data":{"v":1}}]}',
  );
  assert.deepEqual(parse(written), event);
  assert.deepEqual(parse(toTsv(parse(FULL_EVENT))), parse(FULL_EVENT));
});

Deno.test("toTsv() writes null and missing fields empty", () => {
  assert.equal(toTsv(parse(line())), "\t".repeat(130));
  assert.equal(toTsv({} as EnrichedEvent), "\t".repeat(130));
  assert.equal(toTsv({ app_id: "a" } as EnrichedEvent), "a" + "\t".repeat(130));
});

Deno.test("toTsv() throws a TypeError naming the field for a value its kind cannot write", async (t) => {
  const cases: [string, string, unknown][] = [
    ["string with a tab", "app_id", "a\tb"],
    ["string with a line break", "page_title", "a\nb"],
    ["string with a carriage return", "useragent", "a\rb"],
    ["number in a string field", "user_id", 42],
    ["timestamp in TSV form", "collector_tstamp", "2013-11-26 00:02:05"],
    ["timestamp without Z", "etl_tstamp", "2013-11-26T00:02:05"],
    ["timestamp with an offset", "etl_tstamp", "2013-11-26T00:02:05+01:00"],
    ["timestamp of an impossible date", "true_tstamp", "2023-02-29T00:00:00Z"],
    ["Date object as timestamp", "derived_tstamp", new Date(0)],
    ["non-integer int", "txn_id", 1.5],
    ["unsafe int", "domain_sessionidx", 2 ** 53],
    ["string int", "page_urlport", "443"],
    ["NaN double", "tr_total", NaN],
    ["infinite double", "geo_latitude", Infinity],
    ["string double", "ti_price", "1.5"],
    ["number bool", "br_cookies", 1],
    ["string bool", "dvce_ismobile", "true"],
    ["string contexts", "contexts", '{"schema":"x","data":[]}'],
  ];
  for (const [label, name, value] of cases) {
    await t.step(label, () => {
      const event = { ...parse(line()), [name]: value } as EnrichedEvent;
      const error = thrown(() => toTsv(event));
      assert.ok(error instanceof TypeError, String(error));
      assert.ok(error.message.includes(name), error.message);
    });
  }
});

Deno.test("flatten() of parse() equals transform() with every option", async (t) => {
  const lines = [...CANONICAL, FULL_EVENT, line({ geo_latitude: "1", app_id: "only latitude" })];
  for (const [i, text] of lines.entries()) {
    for (const options of [undefined, ...OPTION_SETS]) {
      await t.step(`line ${i + 1} ${JSON.stringify(options)}`, () => {
        const flat = flatten(parse(text), options);
        const expected = transform(text, options);
        assert.deepEqual(flat, expected);
        assert.deepEqual(Object.keys(flat), Object.keys(expected));
      });
    }
  }
});

Deno.test("flatten() reflects edits to a parsed event", () => {
  const event = parse(line({ app_id: "shop" }));
  event.user_id = "u-42";
  event.txn_id = 7;
  event.contexts = {
    schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
    data: [{ schema: "iglu:com.acme/added/jsonschema/1-0-0", data: { a: 1 } }],
  };
  assert.deepEqual(flatten(event), {
    app_id: "shop",
    txn_id: 7,
    user_id: "u-42",
    contexts_com_acme_added_1: [{ a: 1 }],
  });
});

Deno.test("flatten() writes geo_location from the numbers", () => {
  const event = parse(line({ geo_latitude: "51.50", geo_longitude: "-0.10" }));
  assert.equal(flatten(event).geo_location, "51.5,-0.1");
  assert.equal(
    transform(line({ geo_latitude: "51.50", geo_longitude: "-0.10" })).geo_location,
    "51.50,-0.10",
  );
  assert.equal("geo_location" in flatten(event, { geoLocation: false }), false);
});

Deno.test("flatten() with schemaVersion does not modify the event", () => {
  const event = parse(line({
    contexts: JSON.stringify({
      schema: "x",
      data: [{ schema: "iglu:com.acme/a/jsonschema/1-0-0", data: { k: 1 } }],
    }),
  }));
  assert.deepEqual(flatten(event, { schemaVersion: true }), {
    contexts_com_acme_a_1: [{ _schema_version: "1-0-0", k: 1 }],
  });
  assert.deepEqual(event.contexts?.data[0].data, { k: 1 });
});

Deno.test("flatten() throws a TypeError for an edited entity with an invalid Iglu URI", () => {
  const event = parse(line());
  event.unstruct_event = {
    schema: "x",
    data: { schema: "iglu:com.acme/a/jsonschema/1.0.0", data: {} },
  };
  assert.throws(() => flatten(event), TypeError);
});
