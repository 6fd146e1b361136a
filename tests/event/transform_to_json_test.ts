/**
 * transformToJson(): the flat form written straight to JSON text must be the JSON of
 * transform() — the same values in the same order, and the same bytes for canonical payloads.
 */

import assert from "node:assert/strict";
import { transform, type TransformOptions } from "../../src/event/transform.ts";
import { transformToJson } from "../../src/event/transform_to_json.ts";
import { TransformError } from "../../src/event/transform_error.ts";

const TABLE = Deno.readTextFileSync(new URL("../testdata/ev_fields.tsv", import.meta.url))
  .trim().split("\n").slice(1).map((row) => row.split("\t"));
const NAMES = TABLE.map((row) => row[1]);
const FULL_EVENT = Deno.readTextFileSync(new URL("../testdata/ev_full_event.tsv", import.meta.url));
const CANONICAL = Deno.readTextFileSync(
  new URL("../testdata/ev_canonical_lines.tsv", import.meta.url),
)
  .split("\n").filter((text) => text.includes("\t"));

const OPTION_SETS: (TransformOptions | undefined)[] = [undefined];
for (const geoLocation of [true, false]) {
  for (const nulls of [false, true]) {
    for (const schemaVersion of [false, true]) {
      OPTION_SETS.push({ geoLocation, nulls, schemaVersion });
    }
  }
}

function line(values: Record<string, string> = {}): string {
  return NAMES.map((name) => values[name] ?? "").join("\t");
}

const ENVELOPE = '"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"';
const UNSTRUCT_ENVELOPE =
  '"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"';

/** A contexts column around entity texts written by hand. */
function contexts(...entities: string[]): string {
  return `{${ENVELOPE},"data":[${entities.join(",")}]}`;
}

/** A self-describing entity with its data text written by hand. */
function entity(data: string, schema = "iglu:com.acme/c/jsonschema/1-0-0"): string {
  return `{"schema":"${schema}","data":${data}}`;
}

function unstruct(data: string, schema = "iglu:com.acme/e/jsonschema/1-0-0"): string {
  return `{${UNSTRUCT_ENVELOPE},"data":${entity(data, schema)}}`;
}

/**
 * transformToJson() gives the JSON of transform(): the same values with every key in the same
 * order (re-serialising the output must give exactly JSON.stringify(transform())).
 */
function assertSame(text: string, options?: TransformOptions): string {
  const expected = JSON.stringify(transform(text, options));
  const actual = transformToJson(text, options);
  assert.equal(JSON.stringify(JSON.parse(actual)), expected);
  return actual;
}

/** As assertSame(), and byte-identical. */
function assertIdentical(text: string, options?: TransformOptions): void {
  assert.equal(transformToJson(text, options), JSON.stringify(transform(text, options)));
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an exception");
}

Deno.test("transformToJson() is byte-identical to JSON.stringify(transform()) on canonical lines", async (t) => {
  for (const [i, text] of [...CANONICAL, FULL_EVENT].entries()) {
    for (const options of OPTION_SETS) {
      await t.step(`line ${i + 1} ${JSON.stringify(options) ?? "defaults"}`, () => {
        assertIdentical(text, options);
      });
    }
  }
});

Deno.test("transformToJson() gives {} for a line of empty fields", () => {
  assert.equal(transformToJson(line()), "{}");
  assertIdentical(line(), { nulls: true });
});

Deno.test("transformToJson() escapes atomic strings as JSON.stringify does", async (t) => {
  const values: [string, string][] = [
    ["quote and backslash", 'say "hi" \\ bye'],
    ["leading quote", '"quoted"'],
    ["control characters", "a\u0001b\u001fc\u0000d"],
    ["line breaks inside a field", "a\rb\nc\r\n"],
    ["DEL and C1", "a\u007fb\u0085c"],
    ["unicode", "ünïcødé — 日本語"],
    ["emoji", "🛒🚀👩‍👩‍👧"],
    ["lone high surrogate", "a\ud800b"],
    ["lone low surrogate", "a\udc00b"],
    ["reversed pair", "\udc00\ud800"],
    ["line separator", "a\u2028b\u2029c"],
    ["html", "</script><!--"],
    ["JSON-looking", '{"a":1}'],
  ];
  for (const [label, value] of values) {
    await t.step(label, () => {
      for (const name of ["app_id", "se_value", "useragent", "event_fingerprint"]) {
        assertIdentical(
          line({ [name]: value, txn_id: "1", collector_tstamp: "2013-11-26 00:02:05" }),
        );
      }
      assertIdentical(
        line({ app_id: "plain", page_title: value, contexts: contexts(entity('{"a":1}')) }),
      );
    });
  }
});

Deno.test("transformToJson() matches transform() for strings inside payloads", async (t) => {
  const datas: [string, string][] = [
    ["escapes", '{"k":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"}'],
    ["\\u escapes", '{"k":"\\u00e9\\u0041\\u20ac"}'],
    ["escaped surrogate pair", '{"k":"\\ud83d\\ude80"}'],
    ["escaped lone surrogate", '{"k":"\\ud800"}'],
    ["raw lone surrogate", '{"k":"a\ud800"}'],
    ["raw emoji", '{"k":"🚀 ünï"}'],
    ["escaped member name in data", '{"\\u0061":1,"b":2}'],
    ["control escape", '{"k":"\\u0001"}'],
    ["backslash before quote at end", '{"k":"\\\\"}'],
    ["many backslashes", '{"k":"\\\\\\\\\\"\\\\"}'],
  ];
  for (const [label, data] of datas) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) {
        assertSame(
          line({ contexts: contexts(entity(data)), unstruct_event: unstruct(data) }),
          options,
        );
        assertSame(
          line({
            derived_contexts: contexts(
              entity(data),
              entity(data, "iglu:com.acme/d/jsonschema/1-0-0"),
            ),
          }),
          options,
        );
      }
    });
  }
});

Deno.test("transformToJson() matches transform() for numbers inside payloads", async (t) => {
  for (
    const number of [
      "1.0",
      "1e5",
      "1E+2",
      "5e-324",
      "0.5e-3",
      "-0",
      "-0.0",
      "-0e0",
      "1e400",
      "-1e400",
      "12345678901234567890",
      "0.1",
      "-12.50",
      "9007199254740993",
      `1${"0".repeat(400)}`,
    ]
  ) {
    await t.step(number, () => {
      const data = `{"n":${number},"list":[${number},${number}]}`;
      for (const options of OPTION_SETS) {
        assertSame(
          line({ contexts: contexts(entity(data)), unstruct_event: unstruct(number) }),
          options,
        );
      }
    });
  }
});

Deno.test("transformToJson() matches transform() for whitespace in JSON", async (t) => {
  const columns: [string, string][] = [
    [
      "spaces",
      ` { ${ENVELOPE} , "data" : [ { "schema" : "iglu:com.acme/c/jsonschema/1-0-0" , "data" : { "a" : [ 1 , 2 ] } } ] } `,
    ],
    [
      "newlines",
      `{${ENVELOPE},\n"data":[\n{"schema":"iglu:com.acme/c/jsonschema/1-0-0","data":{\r\n"a":1}}]}`,
    ],
    ["space-only data object", contexts(entity("{ }"), entity("{   }"))],
    ["space before members", contexts(entity('{  "a":1}'))],
  ];
  for (const [label, column] of columns) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) {
        assertSame(line({ app_id: "a", contexts: column, derived_contexts: column }), options);
      }
    });
  }
});

Deno.test("transformToJson() matches transform() for duplicate keys", async (t) => {
  const cases: [string, Record<string, string>][] = [
    ["in data", { contexts: contexts(entity('{"a":1,"b":2,"a":3}')) }],
    [
      "data twice in an entity",
      {
        contexts: contexts(
          '{"schema":"iglu:com.acme/c/jsonschema/1-0-0","data":{"first":1},"data":{"second":2}}',
        ),
      },
    ],
    [
      "schema twice in an entity",
      {
        contexts: contexts(
          '{"schema":"iglu:com.acme/first/jsonschema/1-0-0","data":1,"schema":"iglu:com.acme/second/jsonschema/1-0-0"}',
        ),
      },
    ],
    [
      "schema twice, the first not a string",
      { contexts: contexts('{"schema":1,"data":1,"schema":"iglu:com.acme/c/jsonschema/1-0-0"}') },
    ],
    [
      "data twice in the envelope",
      { contexts: `{${ENVELOPE},"data":[${entity("1")}],"data":[${entity("2")},${entity("3")}]}` },
    ],
    [
      "data twice in the unstruct envelope",
      {
        unstruct_event: `{${UNSTRUCT_ENVELOPE},"data":${entity("1")},"data":${
          entity("2", "iglu:com.acme/x/jsonschema/1-0-0")
        }}`,
      },
    ],
  ];
  for (const [label, values] of cases) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) assertSame(line(values), options);
    });
  }
});

Deno.test("transformToJson() matches transform() for escaped member names and schemas", async (t) => {
  const cases: [string, Record<string, string>][] = [
    ["escaped data", {
      contexts: contexts('{"schema":"iglu:com.acme/c/jsonschema/1-0-0","d\\u0061ta":{"a":1}}'),
    }],
    ["escaped schema name", {
      contexts: contexts('{"sch\\u0065ma":"iglu:com.acme/c/jsonschema/1-0-0","data":2}'),
    }],
    ["escaped envelope data", { contexts: `{${ENVELOPE},"d\\u0061ta":[${entity("3")}]}` }],
    ["escaped slash in the schema URI", {
      contexts: contexts(entity("4", "iglu:com.acme\\/c\\/jsonschema\\/1-0-0")),
    }],
    ["escaped unstruct data", {
      unstruct_event: `{${UNSTRUCT_ENVELOPE},"d\\u0061ta":${entity("5")}}`,
    }],
    ["escaped unstruct schema", {
      unstruct_event: unstruct("6", "iglu:com.acme\\/e/jsonschema/1-0-0"),
    }],
    ["escaped quote in an unrelated member", {
      contexts: `{"x\\"y":1,${ENVELOPE},"data":[${entity("7")}]}`,
    }],
  ];
  for (const [label, values] of cases) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) assertSame(line(values), options);
    });
  }
});

Deno.test("transformToJson() matches transform() when a context already has _schema_version", async (t) => {
  const cases: [string, Record<string, string>][] = [
    ["at the top", { contexts: contexts(entity('{"_schema_version":"9-9-9","a":1}')) }],
    ["last", { contexts: contexts(entity('{"a":1,"_schema_version":"x"}')) }],
    ["nested", { contexts: contexts(entity('{"inner":{"_schema_version":"x"},"a":1}')) }],
    ["in a string", { contexts: contexts(entity('{"s":"\\"_schema_version\\""}')) }],
    ["as an escaped member name", {
      contexts: contexts(entity('{"_schema\\u005fversion":"9-9-9","a":1}')),
    }],
    ["in the unstruct event", { unstruct_event: unstruct('{"_schema_version":"x"}') }],
    [
      "in the second of two contexts",
      { contexts: contexts(entity('{"a":1}'), entity('{"_schema_version":"x","b":2}')) },
    ],
    [
      "in derived_contexts, after one that joins a column of contexts",
      {
        contexts: contexts(entity('{"from":"contexts"}')),
        derived_contexts: contexts(
          entity('{"from":"derived"}'),
          entity('{"_schema_version":"x","c":3}', "iglu:com.acme/other/jsonschema/1-0-0"),
        ),
      },
    ],
  ];
  for (const [label, values] of cases) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) assertSame(line(values), options);
    });
  }
});

Deno.test("transformToJson() keeps a __proto__ member of context data", () => {
  const text = line({ contexts: contexts(entity('{"__proto__":{"x":1},"a":1}')) });
  for (const options of OPTION_SETS) assertSame(text, options);
  assert.equal(
    transformToJson(text, { schemaVersion: true }),
    '{"contexts_com_acme_c_1":[{"_schema_version":"1-0-0","__proto__":{"x":1},"a":1}]}',
  );
});

Deno.test("transformToJson() matches transform() for empty objects and arrays", async (t) => {
  const cases: [string, Record<string, string>][] = [
    ["empty data object", { contexts: contexts(entity("{}")) }],
    ["empty data array", { contexts: contexts(entity("[]")) }],
    ["no contexts", { contexts: contexts(), derived_contexts: contexts() }],
    ["empty unstruct data", { unstruct_event: unstruct("{}") }],
    ["null data", { contexts: contexts(entity("null")), unstruct_event: unstruct("null") }],
    ["empty envelope data with spaces", { contexts: `{${ENVELOPE},"data":[ ]}` }],
    ["empty objects inside", { contexts: contexts(entity('{"a":{},"b":[],"c":[{}],"d":""}')) }],
  ];
  for (const [label, values] of cases) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) assertIdentical(line({ app_id: "a", ...values }), options);
    });
  }
});

Deno.test("transformToJson() matches transform() for deeply nested payloads", () => {
  const deep = `${"[".repeat(100)}1${"]".repeat(100)}`;
  const deepObject = `${'{"a":'.repeat(80)}1${"}".repeat(80)}`;
  for (const options of OPTION_SETS) {
    assertSame(
      line({
        contexts: contexts(entity(deep), entity(deepObject)),
        unstruct_event: unstruct(deep),
      }),
      options,
    );
  }
});

Deno.test("transformToJson() merges contexts across both columns as transform() does", () => {
  const user = "iglu:com.acme/user/jsonschema/1-0-0";
  const text = line({
    app_id: "a",
    contexts: contexts(
      entity('{"n":1}', user),
      entity('{"n":2}', "iglu:com.acme/page/jsonschema/1-0-0"),
    ),
    derived_contexts: contexts(
      entity('{"n":3}', "iglu:com.acme/ua/jsonschema/1-0-0"),
      entity('{"n":4}', "iglu:com.acme/user/jsonschema/1-1-0"),
    ),
  });
  for (const options of OPTION_SETS) assertIdentical(text, options);
  assert.equal(
    transformToJson(text),
    '{"app_id":"a","contexts_com_acme_user_1":[{"n":1},{"n":4}],"contexts_com_acme_page_1":[{"n":2}],' +
      '"contexts_com_acme_ua_1":[{"n":3}]}',
  );
});

Deno.test("transformToJson() keeps geo_location from the raw text", () => {
  const text = line({ geo_latitude: "51.50", geo_longitude: "-0.1278" });
  assertIdentical(text);
  assert.equal(
    transformToJson(text),
    '{"geo_location":"51.50,-0.1278","geo_latitude":51.5,"geo_longitude":-0.1278}',
  );
});

Deno.test("transformToJson() throws the same TransformError as transform()", async (t) => {
  const cases: [string, string][] = [
    ["no tab", "no tab"],
    ["130 fields", Array(130).fill("").join("\t")],
    ["132 fields", Array(132).fill("").join("\t")],
    ["invalid int", line({ txn_id: "1_000" })],
    ["invalid double", line({ geo_latitude: "1", geo_longitude: "nan" })],
    ["invalid bool", line({ br_cookies: "yes" })],
    ["invalid tstamp", line({ true_tstamp: "2023-02-29 00:00:00" })],
    ["invalid contexts JSON", line({ contexts: contexts(entity("{")) })],
    [
      "invalid Iglu URI that the scanner reads",
      line({ contexts: contexts(entity("1", "iglu:com.acme/c/jsonschema/01-0-0")) }),
    ],
    [
      "invalid unstruct Iglu URI",
      line({ unstruct_event: unstruct("1", "iglu:com.acme/e/jsonschema/1-0") }),
    ],
    ["invalid derived_contexts shape", line({ derived_contexts: `{${ENVELOPE},"data":{}}` })],
    [
      "several invalid fields",
      line({
        txn_id: "x",
        contexts: "{",
        unstruct_event: unstruct("1", "iglu:bad"),
        br_cookies: "2",
        derived_contexts: "[]",
        true_tstamp: "now",
        app_id: 'a "quoted" app',
      }),
    ],
  ];
  for (const [label, text] of cases) {
    await t.step(label, () => {
      for (const options of OPTION_SETS) {
        const expected = thrown(() => transform(text, options));
        const actual = thrown(() => transformToJson(text, options));
        assert.ok(expected instanceof TransformError);
        assert.ok(actual instanceof TransformError, String(actual));
        assert.equal(actual.code, expected.code);
        assert.equal(actual.fieldCount, expected.fieldCount);
        assert.deepEqual(actual.issues, expected.issues);
        assert.equal(actual.message, expected.message);
      }
    });
  }
});
