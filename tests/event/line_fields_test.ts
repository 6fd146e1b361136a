import assert from "node:assert/strict";
import { LineFields } from "../../src/event/_line_fields.ts";
import { ByteSink, ENRICHED_EVENT_FIELDS, transform, writeEventJson } from "../../src/event/mod.ts";
import { generateLines } from "../support/generator.ts";

const encoder = new TextEncoder();

Deno.test("LineFields.read() vouches for exactly the lines writeEventJson writes", () => {
  const fields = new LineFields();
  const sink = new ByteSink();
  let vouched = 0;
  for (const generated of generateLines({ seed: 5, count: 4_000, badRate: 0.3 })) {
    const bytes = encoder.encode(generated.line);
    const read = fields.read(bytes, 0, bytes.length);
    assert.equal(read, writeEventJson(bytes, 0, bytes.length, sink), generated.line.slice(0, 80));
    if (generated.label === "ok") {
      assert.ok(read, "a valid, canonical line is read");
      vouched++;
    }
  }
  assert.ok(vouched > 2_000);
});

Deno.test("LineFields.read() gives each field's bytes and the numbers' values", () => {
  const names = ENRICHED_EVENT_FIELDS.map((f) => f.name as string);
  const values = Array(names.length).fill("");
  const set = (name: string, value: string) => values[names.indexOf(name)] = value;
  set("app_id", "caf\u00e9");
  set("txn_id", "-0042");
  set("tr_total", "12.50");
  set("geo_latitude", "1e2");
  set("br_cookies", "1");
  set("collector_tstamp", "2024-05-01 10:00:00.5");
  const bytes = encoder.encode(values.join("\t") + "\r");
  const fields = new LineFields();
  assert.ok(fields.read(bytes, 0, bytes.length));
  const text = (name: string) => {
    const i = names.indexOf(name);
    return new TextDecoder().decode(bytes.subarray(fields.from[i], fields.to[i]));
  };
  assert.equal(text("app_id"), "caf\u00e9");
  assert.equal(text("collector_tstamp"), "2024-05-01 10:00:00.5");
  assert.equal(text("page_url"), "");
  const event = transform(new TextDecoder().decode(bytes.subarray(0, bytes.length - 1)));
  for (const name of ["txn_id", "tr_total", "geo_latitude"]) {
    assert.equal(fields.numbers[names.indexOf(name)], event[name as "txn_id"], name);
  }
  // One field too many, a bad int: not vouched for.
  const extra = encoder.encode(values.join("\t") + "\tx");
  assert.equal(fields.read(extra, 0, extra.length), false);
  set("txn_id", "4.5");
  const bad = encoder.encode(values.join("\t"));
  assert.equal(fields.read(bad, 0, bad.length), false);
});
