/**
 * Iglu schema URIs (docs/contract.md §2.4) and the shredded column names (§3.4).
 */

import assert from "node:assert/strict";
import { parseIgluUri, shreddedName } from "../../src/event/self_describing.ts";

Deno.test("parseIgluUri() splits a valid URI into vendor, name, format, version and model", async (t) => {
  const cases: [string, string, string, string, string, number][] = [
    [
      "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0",
      "org.w3",
      "PerformanceTiming",
      "jsonschema",
      "1-0-0",
      1,
    ],
    [
      "iglu:com.acme-corporation_underscore/event_name-dash/jsonschema/1-10-1",
      "com.acme-corporation_underscore",
      "event_name-dash",
      "jsonschema",
      "1-10-1",
      1,
    ],
    [
      "iglu:com.acme/duplicated/jsonschema/20-0-5",
      "com.acme",
      "duplicated",
      "jsonschema",
      "20-0-5",
      20,
    ],
    ["iglu:a/b/c/1-0-0", "a", "b", "c", "1-0-0", 1],
    ["iglu:Com.ACME/X_Y-z/avro-2_x/3-14-159", "Com.ACME", "X_Y-z", "avro-2_x", "3-14-159", 3],
    ["iglu:com.acme/ctx/jsonschema/10-0-0", "com.acme", "ctx", "jsonschema", "10-0-0", 10],
  ];
  for (const [uri, vendor, name, format, version, model] of cases) {
    await t.step(uri, () => {
      assert.deepEqual(parseIgluUri(uri), { vendor, name, format, version, model });
    });
  }
});

Deno.test("parseIgluUri() returns null for every invalid URI", async (t) => {
  const cases: [string, string][] = [
    ["leading zero in MODEL", "iglu:com.acme/ctx/jsonschema/01-0-0"],
    ["leading zero in REVISION", "iglu:com.acme/ctx/jsonschema/1-00-0"],
    ["leading zero in ADDITION", "iglu:com.acme/ctx/jsonschema/1-0-01"],
    ["MODEL 0", "iglu:com.acme/ctx/jsonschema/0-1-0"],
    ["negative MODEL", "iglu:com.acme/ctx/jsonschema/-1-0-0"],
    ["missing ADDITION", "iglu:com.acme/ctx/jsonschema/1-0"],
    ["dots in version", "iglu:com.acme/ctx/jsonschema/1.0.0"],
    ["letter in version", "iglu:com.acme/ctx/jsonschema/1-a-0"],
    ["missing FORMAT", "iglu:com.acme/ctx/1-0-0"],
    ["empty VENDOR", "iglu:/ctx/jsonschema/1-0-0"],
    ["empty NAME", "iglu:com.acme//jsonschema/1-0-0"],
    ["empty FORMAT", "iglu:com.acme/ctx//1-0-0"],
    ["no iglu: prefix", "com.acme/ctx/jsonschema/1-0-0"],
    ["other scheme", "http://iglu.example/com.acme/ctx/jsonschema/1-0-0"],
    ["upper-case scheme", "IGLU:com.acme/ctx/jsonschema/1-0-0"],
    ["extra part", "iglu:com.acme/ctx/jsonschema/1-0-0/x"],
    ["space in VENDOR", "iglu:com acme/ctx/jsonschema/1-0-0"],
    ["dot in NAME", "iglu:com.acme/c.tx/jsonschema/1-0-0"],
    ["dot in FORMAT", "iglu:com.acme/ctx/json.schema/1-0-0"],
    ["non-ASCII letter", "iglu:com.acmé/ctx/jsonschema/1-0-0"],
    ["slash-free", "iglu:com.acme"],
    ["trailing space", "iglu:com.acme/ctx/jsonschema/1-0-0 "],
    ["trailing newline", "iglu:com.acme/ctx/jsonschema/1-0-0\n"],
    ["leading space", " iglu:com.acme/ctx/jsonschema/1-0-0"],
    ["empty", ""],
  ];
  for (const [label, uri] of cases) {
    await t.step(label, () => {
      assert.equal(parseIgluUri(uri), null);
    });
  }
});

Deno.test("shreddedName() follows the Scala SDK's naming rule", async (t) => {
  const cases: [string, "contexts" | "unstruct_event", string][] = [
    [
      "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0",
      "contexts",
      "contexts_org_w3_performance_timing_1",
    ],
    [
      "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
      "unstruct_event",
      "unstruct_event_com_snowplowanalytics_snowplow_link_click_1",
    ],
    [
      "iglu:com.google.analytics.enhanced-ecommerce/productFieldObject/jsonschema/1-0-0",
      "contexts",
      "contexts_com_google_analytics_enhanced_ecommerce_product_field_object_1",
    ],
    [
      "iglu:com.acme/getHTTPResponse/jsonschema/1-0-0",
      "contexts",
      "contexts_com_acme_get_httpresponse_1",
    ],
    ["iglu:com.acme/ContextUK/jsonschema/1-0-0", "contexts", "contexts_com_acme_context_uk_1"],
    ["iglu:com.acme/ABC/jsonschema/1-0-0", "contexts", "contexts_com_acme_abc_1"],
    ["iglu:org.schema/WebPage/jsonschema/1-0-0", "contexts", "contexts_org_schema_web_page_1"],
    [
      "iglu:com.acme-corporation_underscore/event_name-dash/jsonschema/1-10-1",
      "contexts",
      "contexts_com_acme_corporation_underscore_event_name_dash_1",
    ],
    ["iglu:com.acme/duplicated/jsonschema/20-0-5", "contexts", "contexts_com_acme_duplicated_20"],
    // camelCase only splits the name, never the vendor
    ["iglu:Com.AcmeCorp/ctx/jsonschema/1-0-0", "contexts", "contexts_com_acmecorp_ctx_1"],
    // a digit before an upper-case letter gets an underscore; `_` and `-` before one do not double
    ["iglu:com.acme/a1B/jsonschema/1-0-0", "contexts", "contexts_com_acme_a1_b_1"],
    ["iglu:com.acme/Foo_Bar/jsonschema/1-0-0", "contexts", "contexts_com_acme_foo_bar_1"],
    ["iglu:com.acme/foo-Bar/jsonschema/1-0-0", "contexts", "contexts_com_acme_foo_bar_1"],
    ["iglu:com.acme/ABcD/jsonschema/1-0-0", "contexts", "contexts_com_acme_abc_d_1"],
    ["iglu:com.acme/ctx/jsonschema/3-2-1", "unstruct_event", "unstruct_event_com_acme_ctx_3"],
  ];
  for (const [uri, prefix, expected] of cases) {
    await t.step(`${prefix} ${uri}`, () => {
      const key = parseIgluUri(uri);
      assert.ok(key !== null);
      assert.equal(shreddedName(prefix, key), expected);
    });
  }
});
