/**
 * Accessors on a parsed event: getValue, pick, getContextValues, getUnstructValue and
 * schemaInventory (the Go SDK's accessors; issue 2).
 */

import assert from "node:assert/strict";
import type { EnrichedEvent, EnrichedEventFieldName } from "../../src/event/fields.ts";
import {
  getContextValues,
  getUnstructValue,
  getValue,
  pick,
  schemaInventory,
} from "../../src/event/access.ts";
import { parse } from "../../src/event/parse.ts";
import { transform } from "../../src/event/transform.ts";

const TABLE = Deno.readTextFileSync(new URL("../testdata/ev_fields.tsv", import.meta.url))
  .trim().split("\n").slice(1).map((row) => row.split("\t"));
const NAMES = TABLE.map((row) => row[1]) as EnrichedEventFieldName[];
const FULL_EVENT = Deno.readTextFileSync(new URL("../testdata/ev_full_event.tsv", import.meta.url));
const EVENT: EnrichedEvent = parse(FULL_EVENT);
const EMPTY: EnrichedEvent = parse("\t".repeat(130));

const WEB_PAGE = "contexts_com_snowplowanalytics_snowplow_web_page_1";
const PERFORMANCE = "contexts_org_w3_performance_timing_1";
const BASKET = "contexts_com_acme_basket_1";
const UA = "contexts_com_snowplowanalytics_snowplow_ua_parser_context_1";
const LINK_CLICK = "unstruct_event_com_snowplowanalytics_snowplow_link_click_1";
const CLICK_DATA = {
  targetUrl: "https://shop.example.com/checkout",
  elementId: "pay",
  elementClasses: ["btn", "primary"],
};
const BASKET_FROM_CONTEXTS = { items: [{ sku: "B-42", qty: 2 }], total: 99.5 };
const BASKET_FROM_DERIVED = { items: [], total: 0 };

function withContexts(...data: { schema: string; data: unknown }[]): EnrichedEvent {
  const fields = Array(131).fill("");
  fields[52] = JSON.stringify({
    schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
    data,
  });
  return parse(fields.join("\t"));
}

Deno.test("getValue() gives the typed value of an atomic field", async (t) => {
  const cases: [EnrichedEventFieldName, unknown][] = [
    ["app_id", "shop-eu"],
    ["txn_id", 48213],
    ["geo_latitude", 51.5074],
    ["br_features_flash", false],
    ["br_cookies", true],
    ["collector_tstamp", "2024-05-01T10:00:01.000Z"],
    ["refr_dvce_tstamp", "2024-05-01T09:58:00Z"],
    ["se_value", "12.50"],
    ["refr_term", '"boots"'],
  ];
  for (const [field, value] of cases) {
    await t.step(field, () => assert.equal(getValue(EVENT, field), value));
  }
});

Deno.test("getValue() gives null for an empty field", async (t) => {
  for (
    const field of ["true_tstamp", "ip_isp", "tr_tax_base", "br_features_gears", "txn_id"] as const
  ) {
    await t.step(
      field,
      () => assert.equal(getValue(field === "txn_id" ? EMPTY : EVENT, field), null),
    );
  }
  await t.step("self-describing columns", () => {
    assert.equal(getValue(EMPTY, "contexts"), null);
    assert.equal(getValue(EMPTY, "derived_contexts"), null);
    assert.equal(getValue(EMPTY, "unstruct_event"), null);
  });
});

Deno.test("getValue() gives the shredded columns of a self-describing field", async (t) => {
  await t.step("contexts", () => {
    assert.deepEqual(getValue(EVENT, "contexts"), {
      [WEB_PAGE]: [{ id: "8c3d1f0e-2b4a-4c6d-8e9f-a0b1c2d3e4f5" }],
      [PERFORMANCE]: [{ navigationStart: 1714557598000, loadEventEnd: 1714557599250 }],
      [BASKET]: [BASKET_FROM_CONTEXTS],
    });
  });
  await t.step("derived_contexts", () => {
    assert.deepEqual(getValue(EVENT, "derived_contexts"), {
      [UA]: [{ useragentFamily: "Firefox", useragentMajor: "125" }],
      [BASKET]: [BASKET_FROM_DERIVED],
    });
  });
  await t.step("unstruct_event", () => {
    assert.deepEqual(getValue(EVENT, "unstruct_event"), { [LINK_CLICK]: CLICK_DATA });
  });
});

Deno.test("getValue() throws a TypeError for an unknown field", async (t) => {
  for (
    const name of [
      "not_a_field",
      "refr_device_tstamp",
      "geo_location",
      BASKET,
      "",
      "App_Id",
      "__proto__",
    ]
  ) {
    await t.step(JSON.stringify(name), () => {
      assert.throws(() => getValue(EVENT, name as EnrichedEventFieldName), TypeError);
    });
  }
});

Deno.test("pick() keeps the named fields in TSV order", () => {
  const out = pick(EVENT, [
    "unstruct_event",
    "br_features_pdf",
    "app_id",
    "collector_tstamp",
    "br_features_flash",
  ]);
  assert.deepEqual(Object.entries(out), [
    ["app_id", "shop-eu"],
    ["collector_tstamp", "2024-05-01T10:00:01.000Z"],
    [LINK_CLICK, CLICK_DATA],
    ["br_features_pdf", true],
    ["br_features_flash", false],
  ]);
});

Deno.test("pick() names each field once however often it is asked for", () => {
  assert.deepEqual(pick(EVENT, ["app_id", "app_id", "platform", "app_id"]), {
    app_id: "shop-eu",
    platform: "web",
  });
});

Deno.test("pick() merges contexts and derived_contexts, contexts first", () => {
  const out = pick(EVENT, ["derived_contexts", "contexts"]);
  assert.deepEqual(out[BASKET], [BASKET_FROM_CONTEXTS, BASKET_FROM_DERIVED]);
  assert.deepEqual(Object.keys(out), [WEB_PAGE, PERFORMANCE, BASKET, UA]);
});

Deno.test("pick() leaves empty fields out unless nulls is set", () => {
  const fields: EnrichedEventFieldName[] = ["app_id", "true_tstamp", "ip_isp", "unstruct_event"];
  assert.deepEqual(pick(EMPTY, fields), {});
  assert.deepEqual(pick(EMPTY, fields, { nulls: true }), {
    app_id: null,
    ip_isp: null,
    true_tstamp: null,
  });
  assert.deepEqual(Object.keys(pick(EMPTY, fields, { nulls: true })), [
    "app_id",
    "ip_isp",
    "true_tstamp",
  ]);
});

Deno.test("pick() adds _schema_version to contexts with the option", () => {
  assert.deepEqual(pick(EVENT, ["contexts"], { schemaVersion: true })[BASKET], [
    { _schema_version: "1-2-0", ...BASKET_FROM_CONTEXTS },
  ]);
});

Deno.test("pick() of every field equals transform() without geo_location", async (t) => {
  for (
    const options of [{}, { nulls: true }, { schemaVersion: true }, {
      nulls: true,
      schemaVersion: true,
    }]
  ) {
    await t.step(JSON.stringify(options), () => {
      const expected = transform(FULL_EVENT, { ...options, geoLocation: false });
      const out = pick(EVENT, [...NAMES].reverse(), options);
      assert.deepEqual(out, expected);
      assert.deepEqual(Object.keys(out), Object.keys(expected));
    });
  }
});

Deno.test("pick() gives {} for no fields", () => {
  assert.deepEqual(pick(EVENT, []), {});
});

Deno.test("pick() throws a TypeError for an unknown field", () => {
  assert.throws(() => pick(EVENT, ["app_id", "nope" as EnrichedEventFieldName]), TypeError);
  assert.throws(() => pick(EVENT, ["refr_device_tstamp" as EnrichedEventFieldName]), TypeError);
});

Deno.test("getContextValues() follows a path inside every context of a column", async (t) => {
  const cases: [string, (string | number)[], unknown[]][] = [
    [PERFORMANCE, ["navigationStart"], [1714557598000]],
    [BASKET, ["total"], [99.5, 0]],
    [BASKET, ["items", 0, "sku"], ["B-42"]],
    [BASKET, ["items", 0], [{ sku: "B-42", qty: 2 }]],
    [BASKET, ["items"], [[{ sku: "B-42", qty: 2 }], []]],
    [BASKET, [], [BASKET_FROM_CONTEXTS, BASKET_FROM_DERIVED]],
    [UA, ["useragentMajor"], ["125"]],
  ];
  for (const [column, path, expected] of cases) {
    await t.step(`${column} ${JSON.stringify(path)}`, () => {
      assert.deepEqual(getContextValues(EVENT, column, path), expected);
    });
  }
  await t.step("the default path gives the whole data", () => {
    assert.deepEqual(getContextValues(EVENT, UA), [{
      useragentFamily: "Firefox",
      useragentMajor: "125",
    }]);
  });
});

Deno.test("getContextValues() gives [] when nothing matches", async (t) => {
  const cases: [string, EnrichedEvent, string, (string | number)[]][] = [
    ["unknown column", EVENT, "contexts_com_acme_nothing_1", []],
    ["other model", EVENT, "contexts_com_acme_basket_2", []],
    ["unstruct column name", EVENT, LINK_CLICK, []],
    ["missing member", EVENT, PERFORMANCE, ["nope"]],
    ["index out of range", EVENT, BASKET, ["items", 3]],
    ["string segment on an array", EVENT, BASKET, ["items", "0"]],
    ["number segment on an object", EVENT, BASKET, [0]],
    ["inherited member", EVENT, BASKET, ["toString"]],
    ["array length", EVENT, BASKET, ["items", "length"]],
    ["path through a number", EVENT, BASKET, ["total", "x"]],
    ["event without contexts", EMPTY, BASKET, []],
  ];
  for (const [label, event, column, path] of cases) {
    await t.step(label, () => assert.deepEqual(getContextValues(event, column, path), []));
  }
});

Deno.test("getContextValues() keeps null values that the path leads to", () => {
  const event = withContexts(
    { schema: "iglu:com.acme/c/jsonschema/1-0-0", data: { a: null } },
    { schema: "iglu:com.acme/c/jsonschema/1-0-1", data: { b: 1 } },
    { schema: "iglu:com.acme/c/jsonschema/1-1-0", data: { a: 0 } },
  );
  assert.deepEqual(getContextValues(event, "contexts_com_acme_c_1", ["a"]), [null, 0]);
});

Deno.test("getContextValues() matches the shredded column name of each schema", () => {
  const event = withContexts(
    {
      schema: "iglu:com.google.analytics.enhanced-ecommerce/productFieldObject/jsonschema/1-0-0",
      data: { id: "p" },
    },
  );
  assert.deepEqual(
    getContextValues(
      event,
      "contexts_com_google_analytics_enhanced_ecommerce_product_field_object_1",
      ["id"],
    ),
    ["p"],
  );
  assert.deepEqual(
    getContextValues(
      event,
      "contexts_com_google_analytics_enhanced-ecommerce_product_field_object_1",
    ),
    [],
  );
});

Deno.test("getUnstructValue() follows a path inside the unstruct event's data", async (t) => {
  const cases: [(string | number)[], unknown][] = [
    [["elementClasses", 0], "btn"],
    [["elementClasses", 1], "primary"],
    [["elementId"], "pay"],
    [["elementClasses"], ["btn", "primary"]],
    [[], CLICK_DATA],
    [["elementClasses", 2], undefined],
    [["elementClasses", "0"], undefined],
    [["missing"], undefined],
    [["elementId", "length"], undefined],
    [["constructor"], undefined],
  ];
  for (const [path, expected] of cases) {
    await t.step(
      JSON.stringify(path),
      () => assert.deepEqual(getUnstructValue(EVENT, path), expected),
    );
  }
  await t.step("the default path gives the whole data", () => {
    assert.deepEqual(getUnstructValue(EVENT), CLICK_DATA);
  });
  await t.step("no unstruct event", () => {
    assert.equal(getUnstructValue(EMPTY, ["elementId"]), undefined);
    assert.equal(getUnstructValue(EMPTY), undefined);
  });
});

Deno.test("schemaInventory() lists every schema with its column, in column order", () => {
  const items = schemaInventory(EVENT);
  assert.deepEqual(
    items.map((item) => [item.column, item.schema, item.shreddedName]),
    [
      ["contexts", "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0", WEB_PAGE],
      ["contexts", "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0", PERFORMANCE],
      ["contexts", "iglu:com.acme/basket/jsonschema/1-2-0", BASKET],
      [
        "unstruct_event",
        "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
        LINK_CLICK,
      ],
      [
        "derived_contexts",
        "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0",
        UA,
      ],
      ["derived_contexts", "iglu:com.acme/basket/jsonschema/1-3-0", BASKET],
    ],
  );
  assert.deepEqual(items[1].key, {
    vendor: "org.w3",
    name: "PerformanceTiming",
    format: "jsonschema",
    version: "1-0-0",
    model: 1,
  });
  assert.equal(items[5].key.version, "1-3-0");
});

Deno.test("schemaInventory() lists one item per entity, repeats included", () => {
  const event = withContexts(
    { schema: "iglu:com.acme/c/jsonschema/1-0-0", data: 1 },
    { schema: "iglu:com.acme/c/jsonschema/1-0-0", data: 2 },
  );
  assert.equal(schemaInventory(event).length, 2);
});

Deno.test("schemaInventory() gives [] for an event without self-describing columns", () => {
  assert.deepEqual(schemaInventory(EMPTY), []);
  assert.deepEqual(schemaInventory(withContexts()), []);
});

Deno.test("schemaInventory() throws a TypeError for an edited entity with an invalid URI", () => {
  const event = parse(FULL_EVENT);
  event.derived_contexts = { schema: "x", data: [{ schema: "iglu:bad", data: {} }] };
  assert.throws(() => schemaInventory(event), TypeError);
});
