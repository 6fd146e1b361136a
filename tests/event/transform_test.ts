/**
 * The flat JSON form (docs/contract.md §3) and how invalid lines are reported (§1, §2, §4).
 * Expectations are written from the contract; the field table comes from tests/testdata/ev_fields.tsv.
 */

import assert from "node:assert/strict";
import { transform, type TransformOptions } from "../../src/event/transform.ts";
import { TransformError } from "../../src/event/transform_error.ts";

const TABLE = Deno.readTextFileSync(new URL("../testdata/ev_fields.tsv", import.meta.url))
  .trim().split("\n").slice(1).map((row) => row.split("\t"));
const NAMES = TABLE.map((row) => row[1]);
const KIND_OF = new Map(TABLE.map((row) => [row[1], row[2]]));
const FULL_EVENT = Deno.readTextFileSync(new URL("../testdata/ev_full_event.tsv", import.meta.url));
const FULL_EVENT_JSON = JSON.parse(
  Deno.readTextFileSync(new URL("../testdata/ev_full_event.json", import.meta.url)),
);

/** A line with the given fields set and every other field empty. */
function line(values: Record<string, string> = {}): string {
  const fields = NAMES.map((name) => values[name] ?? "");
  assert.deepEqual(Object.keys(values).filter((name) => !KIND_OF.has(name)), []);
  return fields.join("\t");
}

function namesOf(kind: string): string[] {
  return NAMES.filter((name) => KIND_OF.get(name) === kind);
}

function rejected(text: string, options?: TransformOptions): TransformError {
  try {
    transform(text, options);
  } catch (error) {
    assert.ok(error instanceof TransformError, String(error));
    return error;
  }
  assert.fail("transform() accepted an invalid line");
}

const CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0";
const UNSTRUCT = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0";

function contexts(...entities: [string, unknown][]): string {
  return JSON.stringify({
    schema: CONTEXTS,
    data: entities.map(([schema, data]) => ({ schema, data })),
  });
}

function unstruct(schema: string, data: unknown): string {
  return JSON.stringify({ schema: UNSTRUCT, data: { schema, data } });
}

// ---------------------------------------------------------------------------------------------
// The whole event
// ---------------------------------------------------------------------------------------------

Deno.test("transform() gives the contract's flat form of a full event", () => {
  const out = transform(FULL_EVENT);
  assert.deepEqual(out, FULL_EVENT_JSON);
  assert.deepEqual(Object.keys(out), Object.keys(FULL_EVENT_JSON));
});

Deno.test("transform() ignores a trailing \\n or \\r\\n", async (t) => {
  const bare = FULL_EVENT.replace(/\n$/, "");
  for (const ending of ["", "\n", "\r\n"]) {
    await t.step(JSON.stringify(ending), () => {
      assert.deepEqual(transform(bare + ending), FULL_EVENT_JSON);
    });
  }
  await t.step("a timestamp in the last field", () => {
    const text = line({ true_tstamp: "2013-11-26 00:02:05" });
    for (const ending of ["\n", "\r\n"]) {
      assert.deepEqual(transform(text + ending), { true_tstamp: "2013-11-26T00:02:05Z" });
    }
  });
  await t.step("a lone \\r stays in the last field", () => {
    const [issue] = rejected(line({ true_tstamp: "2013-11-26 00:02:05" }) + "\r").issues;
    assert.equal(issue.field, "true_tstamp");
    assert.equal(issue.value, "2013-11-26 00:02:05\r");
  });
});

Deno.test("transform() gives {} for a line of empty fields", () => {
  assert.deepEqual(transform(line()), {});
  assert.deepEqual(transform(line(), {}), {});
  assert.deepEqual(transform(line(), { geoLocation: true, schemaVersion: true }), {});
});

Deno.test("transform() returns a new object on each call", () => {
  const text = line({
    app_id: "a",
    contexts: contexts(["iglu:com.acme/c/jsonschema/1-0-0", { x: 1 }]),
  });
  const first = transform(text);
  (first.contexts_com_acme_c_1 as { x: number }[])[0].x = 2;
  first.app_id = "changed";
  assert.deepEqual(transform(text), { app_id: "a", contexts_com_acme_c_1: [{ x: 1 }] });
});

// ---------------------------------------------------------------------------------------------
// Field kinds
// ---------------------------------------------------------------------------------------------

const VALID: Record<string, [string, unknown][]> = {
  string: [
    ["shop", "shop"],
    ['"starts with a quote', '"starts with a quote'],
    ["back\\slash", "back\\slash"],
    ["ünïcødé ✓ 🛒", "ünïcødé ✓ 🛒"],
    ["null", "null"],
    ["1", "1"],
    [" padded ", " padded "],
    ['{"json":"stays text"}', '{"json":"stays text"}'],
  ],
  int: [["0", 0], ["42", 42], ["-7", -7], ["+3", 3], ["9007199254740991", 9007199254740991]],
  double: [["-122.4124", -122.4124], ["1e3", 1000], ["51.50", 51.5], ["0", 0], ["-2.5E-2", -0.025]],
  bool: [["1", true], ["0", false]],
  tstamp: [
    ["2013-11-26 00:02:05.123", "2013-11-26T00:02:05.123Z"],
    ["2013-11-26 00:02:05", "2013-11-26T00:02:05Z"],
    ["2024-02-29 23:59:59.123456789", "2024-02-29T23:59:59.123456789Z"],
  ],
};

for (const kind of ["string", "int", "double", "bool", "tstamp"]) {
  Deno.test(`transform() converts every ${kind} field`, async (t) => {
    for (const [text, value] of VALID[kind]) {
      await t.step(JSON.stringify(text), () => {
        for (const name of namesOf(kind)) {
          assert.deepEqual(transform(line({ [name]: text })), { [name]: value }, name);
        }
      });
    }
  });
}

/** The contract's "stricter" list (§2.2), and more, for each atomic kind. */
const INVALID: Record<string, string[]> = {
  int: [
    " 3",
    "1_000",
    "nan",
    "inf",
    "NaN",
    "Infinity",
    "1920px",
    "not a tstamp",
    "12.5",
    "0x1F",
    "--3",
    "9007199254740992",
    "-9007199254740992",
    "1e3",
    "true",
  ],
  double: [
    " 3",
    "1_000",
    "nan",
    "inf",
    "NaN",
    "Infinity",
    "-Infinity",
    "1920px",
    "not a tstamp",
    "0x1F",
    "--3",
    "51.50.1",
    "12,99",
    "abc",
    "1e",
    "1e999",
    "-1e999",
  ],
  bool: ["true", "false", "2", "yes", "-1", "01", " 1", "1.0", "nan", "inf"],
  tstamp: [
    "not a tstamp",
    "2024-13-45 25:61:99.000",
    "2024/05/01 10:00:00",
    "1714557600000",
    "2023-02-29 00:00:00",
    "2024-05-01 24:00:00",
    "2024-05-01 10:00:00.1234567890",
    "2024-05-01 10:00:00.",
    "2024-05-01T10:00:00Z",
    " 3",
    "nan",
    "inf",
  ],
};

for (const kind of ["int", "double", "bool", "tstamp"]) {
  Deno.test(`transform() rejects an invalid ${kind} with an issue naming the field`, async (t) => {
    for (const text of INVALID[kind]) {
      await t.step(JSON.stringify(text), () => {
        for (const name of namesOf(kind)) {
          const error = rejected(line({ app_id: "a", [name]: text }));
          assert.equal(error.code, "InvalidValues");
          assert.equal(error.fieldCount, 131);
          assert.equal(error.issues.length, 1, name);
          const [issue] = error.issues;
          assert.equal(issue.field, name);
          assert.equal(issue.index, NAMES.indexOf(name));
          assert.equal(issue.value, text);
          assert.ok(issue.message.startsWith("expected "), issue.message);
          assert.ok(error.message.includes(name), error.message);
          assert.ok(error.message.includes(JSON.stringify(text)), error.message);
        }
      });
    }
  });
}

Deno.test("transform() accepts 2024-02-29 and rejects 2023-02-29", () => {
  assert.deepEqual(transform(line({ etl_tstamp: "2024-02-29 00:00:00" })), {
    etl_tstamp: "2024-02-29T00:00:00Z",
  });
  assert.equal(rejected(line({ etl_tstamp: "2023-02-29 00:00:00" })).issues[0].field, "etl_tstamp");
});

Deno.test("transform() never reports an empty field, whatever its kind", () => {
  assert.deepEqual(transform(line()), {});
  const error = rejected(line({ txn_id: "x" }));
  assert.deepEqual(error.issues.map((issue) => issue.field), ["txn_id"]);
});

Deno.test("transform() collects every invalid field, in field order", () => {
  const error = rejected(line({
    true_tstamp: "2024/05/01 10:00:00",
    txn_id: "1_000",
    br_cookies: "yes",
    contexts: "{not json",
    geo_latitude: "nan",
    unstruct_event: unstruct("iglu:com.acme/x/jsonschema/0-0-0", {}),
    app_id: "fine",
    derived_contexts: JSON.stringify({ schema: CONTEXTS, data: {} }),
    collector_tstamp: "2013-11-26 00:02:05",
  }));
  assert.equal(error.code, "InvalidValues");
  assert.deepEqual(
    error.issues.map((issue) => [issue.field, issue.index]),
    [
      ["txn_id", 7],
      ["geo_latitude", 22],
      ["contexts", 52],
      ["unstruct_event", 58],
      ["br_cookies", 93],
      ["derived_contexts", 122],
      ["true_tstamp", 130],
    ],
  );
  assert.match(error.message, /^Cannot parse enriched event: 7 invalid values: txn_id \(index 7\)/);
  const json = error.toJSON();
  assert.equal(json.type, "RowDecodingError");
  assert.ok(json.type === "RowDecodingError");
  assert.deepEqual(json.errors.map((e) => e.key), error.issues.map((issue) => issue.field));
  assert.deepEqual(json.errors[0], {
    type: "InvalidValue",
    key: "txn_id",
    value: "1_000",
    message: error.issues[0].message,
  });
});

Deno.test("transform() reports invalid values with every option set", () => {
  const error = rejected(line({ txn_id: "x", br_cookies: "2" }), {
    geoLocation: false,
    nulls: true,
    schemaVersion: true,
  });
  assert.deepEqual(error.issues.map((issue) => issue.field), ["txn_id", "br_cookies"]);
});

// ---------------------------------------------------------------------------------------------
// Line shape
// ---------------------------------------------------------------------------------------------

Deno.test("transform() reports a line without a tab as NotTsv", async (t) => {
  for (const text of ["", "no tab at all", "a,b,c", "\n", "x\r\n"]) {
    await t.step(JSON.stringify(text), () => {
      const error = rejected(text);
      assert.equal(error.code, "NotTsv");
      assert.equal(error.fieldCount, 1);
      assert.deepEqual(error.issues, []);
      assert.deepEqual(error.toJSON(), { type: "NotTSV" });
      assert.equal(JSON.stringify(error), '{"type":"NotTSV"}');
    });
  }
});

Deno.test("transform() reports another field count with the count found", async (t) => {
  for (const count of [2, 130, 132]) {
    await t.step(`${count} fields`, () => {
      const text = Array(count).fill("x").join("\t");
      const error = rejected(text);
      assert.equal(error.code, "FieldCountMismatch");
      assert.equal(error.fieldCount, count);
      assert.equal(
        error.message,
        `Cannot parse enriched event: expected 131 fields but got ${count}`,
      );
      assert.deepEqual(error.toJSON(), { type: "FieldNumberMismatch", fieldCount: count });
    });
  }
  await t.step("a field count error comes before invalid values", () => {
    const error = rejected(Array(130).fill("not a number").join("\t"));
    assert.equal(error.code, "FieldCountMismatch");
    assert.equal(error.fieldCount, 130);
  });
  await t.step("131 fields plus a trailing tab", () => {
    assert.equal(rejected(line() + "\t").fieldCount, 132);
  });
});

// ---------------------------------------------------------------------------------------------
// geo_location and options
// ---------------------------------------------------------------------------------------------

Deno.test("transform() puts geo_location first, from the raw text, when both coordinates are set", () => {
  const out = transform(line({ app_id: "a", geo_latitude: "51.50", geo_longitude: "-0.1278" }));
  assert.deepEqual(Object.entries(out), [
    ["geo_location", "51.50,-0.1278"],
    ["app_id", "a"],
    ["geo_latitude", 51.5],
    ["geo_longitude", -0.1278],
  ]);
});

Deno.test("transform() leaves geo_location out when a coordinate is missing", async (t) => {
  await t.step("latitude only", () => {
    assert.deepEqual(transform(line({ geo_latitude: "1" })), { geo_latitude: 1 });
  });
  await t.step("longitude only", () => {
    assert.deepEqual(transform(line({ geo_longitude: "2" })), { geo_longitude: 2 });
  });
  await t.step("latitude only, with nulls", () => {
    const out = transform(line({ geo_latitude: "1" }), { nulls: true });
    assert.equal("geo_location" in out, false);
    assert.equal(out.geo_longitude, null);
  });
});

Deno.test("transform() leaves geo_location out with geoLocation: false", () => {
  const out = transform(line({ geo_latitude: "37.443604", geo_longitude: "-122.4124" }), {
    geoLocation: false,
  });
  assert.deepEqual(Object.keys(out), ["geo_latitude", "geo_longitude"]);
});

Deno.test("transform() with nulls emits null for every empty atomic field only", () => {
  const text = line({
    app_id: "a",
    txn_id: "1",
    contexts: contexts(["iglu:com.acme/c/jsonschema/1-0-0", {}]),
  });
  const out = transform(text, { nulls: true });
  const atomic = NAMES.filter((name) =>
    !["contexts", "derived_contexts", "unstruct_event"].includes(name)
  );
  assert.equal(atomic.length, 128);
  assert.deepEqual(Object.keys(out), [
    ...atomic.slice(0, 52),
    "contexts_com_acme_c_1",
    ...atomic.slice(52),
  ]);
  for (const name of atomic) {
    assert.equal(
      (out as Record<string, unknown>)[name],
      name === "app_id" ? "a" : name === "txn_id" ? 1 : null,
      name,
    );
  }
  for (const name of ["contexts", "derived_contexts", "unstruct_event"]) {
    assert.equal(name in out, false);
  }
});

Deno.test("transform() with nulls keeps geo_location first", () => {
  const out = transform(line({ geo_latitude: "1", geo_longitude: "2" }), { nulls: true });
  assert.deepEqual(Object.keys(out).slice(0, 2), ["geo_location", "app_id"]);
  assert.equal(Object.keys(out).length, 129);
});

Deno.test("transform() with schemaVersion puts _schema_version first in each context only", () => {
  const out = transform(
    line({
      contexts: contexts(
        ["iglu:com.acme/c/jsonschema/1-0-0", { b: 1, a: 2 }],
        ["iglu:com.acme/c/jsonschema/1-2-3", {}],
      ),
      unstruct_event: unstruct("iglu:com.acme/e/jsonschema/2-1-0", { z: 1 }),
      derived_contexts: contexts(["iglu:com.acme/d/jsonschema/3-0-1", { y: [1] }]),
    }),
    { schemaVersion: true },
  );
  assert.deepEqual(out, {
    contexts_com_acme_c_1: [{ _schema_version: "1-0-0", b: 1, a: 2 }, { _schema_version: "1-2-3" }],
    unstruct_event_com_acme_e_2: { z: 1 },
    contexts_com_acme_d_3: [{ _schema_version: "3-0-1", y: [1] }],
  });
  const first = (out.contexts_com_acme_c_1 as object[])[0];
  assert.deepEqual(Object.keys(first), ["_schema_version", "b", "a"]);
});

Deno.test("transform() without schemaVersion leaves context data unchanged", () => {
  const out = transform(
    line({ contexts: contexts(["iglu:com.acme/c/jsonschema/1-0-0", { a: 1 }]) }),
  );
  assert.deepEqual(out, { contexts_com_acme_c_1: [{ a: 1 }] });
});

// ---------------------------------------------------------------------------------------------
// Shredding
// ---------------------------------------------------------------------------------------------

Deno.test("transform() shreds with the contract's column names", async (t) => {
  const cases: [string, string][] = [
    ["iglu:org.w3/PerformanceTiming/jsonschema/1-0-0", "contexts_org_w3_performance_timing_1"],
    [
      "iglu:com.google.analytics.enhanced-ecommerce/productFieldObject/jsonschema/1-0-0",
      "contexts_com_google_analytics_enhanced_ecommerce_product_field_object_1",
    ],
    ["iglu:com.acme/getHTTPResponse/jsonschema/1-0-0", "contexts_com_acme_get_httpresponse_1"],
    ["iglu:com.acme/ContextUK/jsonschema/1-0-0", "contexts_com_acme_context_uk_1"],
    ["iglu:com.acme/ABC/jsonschema/1-0-0", "contexts_com_acme_abc_1"],
    ["iglu:com.acme/duplicated/jsonschema/20-0-5", "contexts_com_acme_duplicated_20"],
  ];
  for (const [schema, column] of cases) {
    await t.step(schema, () => {
      assert.deepEqual(transform(line({ contexts: contexts([schema, { a: 1 }]) })), {
        [column]: [{ a: 1 }],
      });
      assert.deepEqual(transform(line({ derived_contexts: contexts([schema, { a: 1 }]) })), {
        [column]: [{ a: 1 }],
      });
    });
  }
  await t.step("link_click unstruct event", () => {
    const data = { targetUrl: "http://www.example.com", elementClasses: ["foreground"] };
    assert.deepEqual(
      transform(line({
        unstruct_event: unstruct(
          "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
          data,
        ),
      })),
      { unstruct_event_com_snowplowanalytics_snowplow_link_click_1: data },
    );
  });
});

Deno.test("transform() merges contexts of one column, contexts first, nothing overwritten", () => {
  const out = transform(line({
    app_id: "a",
    contexts: contexts(
      ["iglu:com.acme/user/jsonschema/1-0-0", { n: 1 }],
      ["iglu:com.acme/page/jsonschema/1-0-0", { n: 2 }],
      ["iglu:com.acme/user/jsonschema/1-1-0", { n: 3 }],
    ),
    se_category: "c",
    derived_contexts: contexts(
      ["iglu:com.acme/ua/jsonschema/1-0-0", { n: 4 }],
      ["iglu:com.acme/user/jsonschema/1-0-2", { n: 5 }],
      ["iglu:com.acme/page/jsonschema/1-0-0", { n: 6 }],
    ),
    domain_sessionid: "s",
  }));
  assert.deepEqual(Object.entries(out), [
    ["app_id", "a"],
    ["contexts_com_acme_user_1", [{ n: 1 }, { n: 3 }, { n: 5 }]],
    ["contexts_com_acme_page_1", [{ n: 2 }, { n: 6 }]],
    ["se_category", "c"],
    ["contexts_com_acme_ua_1", [{ n: 4 }]],
    ["domain_sessionid", "s"],
  ]);
});

Deno.test("transform() keeps other models of a schema in their own columns", () => {
  const out = transform(line({
    contexts: contexts(["iglu:com.acme/user/jsonschema/1-0-0", 1], [
      "iglu:com.acme/user/jsonschema/2-0-0",
      2,
    ]),
  }));
  assert.deepEqual(out, { contexts_com_acme_user_1: [1], contexts_com_acme_user_2: [2] });
});

Deno.test("transform() adds no key for an empty data array", async (t) => {
  for (const name of ["contexts", "derived_contexts"]) {
    await t.step(name, () => {
      const empty = JSON.stringify({ schema: CONTEXTS, data: [] });
      assert.deepEqual(transform(line({ app_id: "a", [name]: empty })), { app_id: "a" });
      assert.equal(Object.keys(transform(line({ [name]: empty }), { nulls: true })).length, 128);
    });
  }
});

Deno.test("transform() keeps any data of a context or unstruct event as it is", () => {
  const values = [null, 0, "text", [1, [2]], { nested: { deep: [{}] } }, true];
  const out = transform(line({
    contexts: contexts(
      ...values.map((v): [string, unknown] => ["iglu:com.acme/any/jsonschema/1-0-0", v]),
    ),
    unstruct_event: unstruct("iglu:com.acme/any/jsonschema/1-0-0", null),
  }));
  assert.deepEqual(out, { contexts_com_acme_any_1: values, unstruct_event_com_acme_any_1: null });
});

Deno.test("transform() names field 121 refr_dvce_tstamp", () => {
  const out = transform(line({ refr_dvce_tstamp: "2013-11-26 00:02:05" }));
  assert.deepEqual(out, { refr_dvce_tstamp: "2013-11-26T00:02:05Z" });
  assert.equal(NAMES[121], "refr_dvce_tstamp");
  assert.equal("refr_device_tstamp" in transform(line(), { nulls: true }), false);
});

Deno.test("transform() keeps se_value a string", async (t) => {
  for (const text of ["12.50", "1e3", "0", "not a number"]) {
    await t.step(text, () => {
      assert.deepEqual(transform(line({ se_value: text })), { se_value: text });
    });
  }
});

Deno.test("transform() does not check the envelope schema", () => {
  const wrongContexts = JSON.stringify({
    schema: UNSTRUCT,
    data: [{ schema: "iglu:com.acme/c/jsonschema/1-0-0", data: 1 }],
  });
  const wrongUnstruct = JSON.stringify({
    schema: "iglu:com.acme/anything/jsonschema/9-9-9",
    data: { schema: "iglu:com.acme/e/jsonschema/1-0-0", data: 2 },
  });
  assert.deepEqual(transform(line({ contexts: wrongContexts, unstruct_event: wrongUnstruct })), {
    contexts_com_acme_c_1: [1],
    unstruct_event_com_acme_e_1: 2,
  });
});

Deno.test("transform() rejects invalid inner Iglu URIs, naming the column", async (t) => {
  const uris: [string, string][] = [
    ["leading zero", "iglu:com.acme/c/jsonschema/1-0-01"],
    ["model 0", "iglu:com.acme/c/jsonschema/0-0-0"],
    ["missing part", "iglu:com.acme/c/1-0-0"],
    ["missing version part", "iglu:com.acme/c/jsonschema/1-0"],
    ["bad characters", "iglu:com.acme/c!/jsonschema/1-0-0"],
    ["space in vendor", "iglu:com acme/c/jsonschema/1-0-0"],
    ["no iglu: prefix", "com.acme/c/jsonschema/1-0-0"],
  ];
  for (const [label, uri] of uris) {
    await t.step(label, () => {
      for (const name of ["contexts", "derived_contexts"]) {
        const text = contexts(["iglu:com.acme/ok/jsonschema/1-0-0", {}], [uri, {}]);
        const [issue] = rejected(line({ [name]: text })).issues;
        assert.equal(issue.field, name);
        assert.equal(issue.value, text);
        assert.ok(issue.message.includes(JSON.stringify(uri)), issue.message);
        assert.match(issue.message, /data\[1\]\.schema/);
      }
      const text = unstruct(uri, {});
      const [issue] = rejected(line({ unstruct_event: text })).issues;
      assert.equal(issue.field, "unstruct_event");
      assert.ok(issue.message.includes(JSON.stringify(uri)), issue.message);
    });
  }
});

Deno.test("transform() rejects JSON columns that are invalid or of the wrong shape", async (t) => {
  const cases: [string, string, string][] = [
    ["contexts", "invalid JSON", '{"schema":"x","data":['],
    ["contexts", "single quotes", "{'schema':'x','data':[]}"],
    ["contexts", "an array", "[]"],
    ["contexts", "data missing", JSON.stringify({ schema: CONTEXTS })],
    ["contexts", "data an object", JSON.stringify({ schema: CONTEXTS, data: {} })],
    [
      "contexts",
      "entity without data",
      JSON.stringify({ schema: CONTEXTS, data: [{ schema: "iglu:a/b/c/1-0-0" }] }),
    ],
    [
      "contexts",
      "entity without schema",
      JSON.stringify({ schema: CONTEXTS, data: [{ data: {} }] }),
    ],
    ["contexts", "entity a string", JSON.stringify({ schema: CONTEXTS, data: ["x"] })],
    ["derived_contexts", "invalid JSON", "{"],
    ["derived_contexts", "data null", JSON.stringify({ schema: CONTEXTS, data: null })],
    ["unstruct_event", "invalid JSON", "{]"],
    ["unstruct_event", "trailing text", `${unstruct("iglu:a/b/c/1-0-0", 1)}x`],
    ["unstruct_event", "data missing", JSON.stringify({ schema: UNSTRUCT })],
    ["unstruct_event", "data an array", JSON.stringify({ schema: UNSTRUCT, data: [] })],
    [
      "unstruct_event",
      "inner data missing",
      JSON.stringify({ schema: UNSTRUCT, data: { schema: "iglu:a/b/c/1-0-0" } }),
    ],
    [
      "unstruct_event",
      "inner schema a number",
      JSON.stringify({ schema: UNSTRUCT, data: { schema: 1, data: 1 } }),
    ],
    ["unstruct_event", "a number", "1"],
  ];
  for (const [name, label, text] of cases) {
    await t.step(`${name}: ${label}`, () => {
      const error = rejected(line({ app_id: "a", [name]: text }));
      assert.equal(error.issues.length, 1);
      const [issue] = error.issues;
      assert.equal(issue.field, name);
      assert.equal(issue.index, NAMES.indexOf(name));
      assert.equal(issue.value, text);
      assert.ok(issue.message.length > 0);
      assert.ok(error.message.includes(`${name} (index ${issue.index})`), error.message);
    });
  }
});

Deno.test("transform() accepts JSON with whitespace and escapes in the self-describing columns", () => {
  const text = ' { "schema" : "x" , "data" : [ { "data" : { "k" : "v\\u00e9" } , ' +
    '"schema" : "iglu:com.acme\\/c/jsonschema/1-0-0" } ] } ';
  assert.deepEqual(transform(line({ contexts: text })), { contexts_com_acme_c_1: [{ k: "vé" }] });
});
