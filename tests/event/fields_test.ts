/**
 * The 131-field layout as data and as a type (docs/contract.md §1, tests/testdata/ev_fields.tsv).
 */

import assert from "node:assert/strict";
import {
  ENRICHED_EVENT_FIELDS,
  type EnrichedEvent,
  type EnrichedEventFieldName,
  FIELD_COUNT,
} from "../../src/event/fields.ts";
import type { Contexts, UnstructEvent } from "../../src/event/self_describing.ts";

/** The contract's table (docs/contract.md §1.2), written out in tests/testdata/ev_fields.tsv. */
const TABLE = Deno.readTextFileSync(new URL("../testdata/ev_fields.tsv", import.meta.url))
  .trim().split("\n").slice(1).map((row) => row.split("\t"));

Deno.test("ENRICHED_EVENT_FIELDS is the contract's table, in order", () => {
  assert.equal(TABLE.length, 131);
  assert.deepEqual(
    ENRICHED_EVENT_FIELDS.map((field) => [String(field.index), field.name, field.kind]),
    TABLE,
  );
});

Deno.test("ENRICHED_EVENT_FIELDS has FIELD_COUNT fields with their own positions", () => {
  assert.equal(FIELD_COUNT, 131);
  assert.equal(ENRICHED_EVENT_FIELDS.length, FIELD_COUNT);
  ENRICHED_EVENT_FIELDS.forEach((field, i) => assert.equal(field.index, i));
  assert.equal(new Set(ENRICHED_EVENT_FIELDS.map((field) => field.name)).size, 131);
});

Deno.test("ENRICHED_EVENT_FIELDS has the contract's count of each kind", () => {
  const counts: Record<string, number> = {};
  for (const field of ENRICHED_EVENT_FIELDS) counts[field.kind] = (counts[field.kind] ?? 0) + 1;
  assert.deepEqual(counts, {
    string: 85,
    int: 15,
    double: 10,
    bool: 11,
    tstamp: 7,
    contexts: 2,
    unstruct: 1,
  });
});

Deno.test("ENRICHED_EVENT_FIELDS puts the contract's landmark fields at their indexes", async (t) => {
  const landmarks: [number, string, string][] = [
    [0, "app_id", "string"],
    [22, "geo_latitude", "double"],
    [23, "geo_longitude", "double"],
    [52, "contexts", "contexts"],
    [57, "se_value", "string"],
    [58, "unstruct_event", "unstruct"],
    [121, "refr_dvce_tstamp", "tstamp"],
    [122, "derived_contexts", "contexts"],
    [130, "true_tstamp", "tstamp"],
  ];
  for (const [index, name, kind] of landmarks) {
    await t.step(name, () => assert.deepEqual(ENRICHED_EVENT_FIELDS[index], { index, name, kind }));
  }
});

Deno.test("ENRICHED_EVENT_FIELDS cannot be changed", () => {
  assert.ok(Object.isFrozen(ENRICHED_EVENT_FIELDS));
  for (const field of ENRICHED_EVENT_FIELDS) assert.ok(Object.isFrozen(field), field.name);
  assert.throws(() => {
    (ENRICHED_EVENT_FIELDS[0] as { name: string }).name = "x";
  }, TypeError);
});

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

/** Compiles only when `T` is `true`; counts the checks made. */
let typeChecks = 0;
function typeIs<T extends true>(): void {
  typeChecks++;
}

Deno.test("EnrichedEvent types each field by its kind, null when empty", () => {
  typeChecks = 0;
  typeIs<Equal<EnrichedEvent["app_id"], string | null>>();
  typeIs<Equal<EnrichedEvent["page_urlhost"], string | null>>();
  typeIs<Equal<EnrichedEvent["se_value"], string | null>>();
  typeIs<Equal<EnrichedEvent["txn_id"], number | null>>();
  typeIs<Equal<EnrichedEvent["dvce_screenwidth"], number | null>>();
  typeIs<Equal<EnrichedEvent["geo_latitude"], number | null>>();
  typeIs<Equal<EnrichedEvent["tr_total_base"], number | null>>();
  typeIs<Equal<EnrichedEvent["br_cookies"], boolean | null>>();
  typeIs<Equal<EnrichedEvent["dvce_ismobile"], boolean | null>>();
  typeIs<Equal<EnrichedEvent["collector_tstamp"], string | null>>();
  typeIs<Equal<EnrichedEvent["refr_dvce_tstamp"], string | null>>();
  typeIs<Equal<EnrichedEvent["contexts"], Contexts | null>>();
  typeIs<Equal<EnrichedEvent["derived_contexts"], Contexts | null>>();
  typeIs<Equal<EnrichedEvent["unstruct_event"], UnstructEvent | null>>();
  assert.equal(typeChecks, 14);
});

Deno.test("EnrichedEventFieldName names exactly the table's fields", () => {
  const names: EnrichedEventFieldName[] = ENRICHED_EVENT_FIELDS.map((field) => field.name);
  const known: EnrichedEventFieldName = "page_urlhost";
  // @ts-expect-error Python and Go call field 121 refr_device_tstamp; this SDK does not.
  const wrong: EnrichedEventFieldName = "refr_device_tstamp";
  assert.ok(names.includes(known));
  assert.ok(!names.includes(wrong));
  assert.deepEqual(names, TABLE.map((row) => row[1]));
});
