/**
 * Properties that hold for every line of the seeded generator (tests/support/generator.ts):
 * valid lines transform, round-trip and agree across the API; each labelled defect is
 * reported on its field.
 */

import assert from "node:assert/strict";
import {
  ENRICHED_EVENT_FIELDS,
  flatten,
  parse,
  toTsv,
  transform,
  TransformError,
  type TransformOptions,
  transformToJson,
} from "../../src/event/mod.ts";
import {
  BAD_BOOLS,
  BAD_DOUBLES,
  BAD_IGLU_URIS,
  BAD_INTS,
  BAD_TSTAMPS,
  type GeneratedLine,
  generateLines,
} from "../support/generator.ts";

const SEEDS = [1, 42, 2024, 31337];
const LINES_PER_SEED = 600;

const GOOD: string[] = SEEDS.flatMap((seed) =>
  Array.from(generateLines({ seed, count: LINES_PER_SEED }), (g) => g.line)
);
const BAD: GeneratedLine[] = SEEDS.flatMap((seed) => [
  ...generateLines({ seed: seed + 1, count: 250, badRate: 1 }),
]);

/** `undefined` (all defaults) and every combination of the three options. */
const OPTION_SETS: (TransformOptions | undefined)[] = [undefined];
for (const geoLocation of [true, false]) {
  for (const nulls of [false, true]) {
    for (const schemaVersion of [false, true]) {
      OPTION_SETS.push({ geoLocation, nulls, schemaVersion });
    }
  }
}

function label(options: TransformOptions | undefined): string {
  return options === undefined ? "defaults" : JSON.stringify(options);
}

// ---------------------------------------------------------------------------------------------
// An independent, deliberately plain reading of docs/contract.md §3, used as the oracle.
// ---------------------------------------------------------------------------------------------

const IGLU =
  /^iglu:([a-zA-Z0-9_.-]+)\/([a-zA-Z0-9_-]+)\/[a-zA-Z0-9_-]+\/(([1-9][0-9]*)-(0|[1-9][0-9]*)-(0|[1-9][0-9]*))$/;

function columnName(prefix: string, schema: string): { name: string; version: string } {
  const m = IGLU.exec(schema);
  if (m === null) throw new Error(`oracle: not an Iglu URI: ${schema}`);
  const vendor = m[1].replaceAll(".", "_").replaceAll("-", "_").toLowerCase();
  let name = "";
  const raw = m[2].replaceAll(".", "_").replaceAll("-", "_");
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (
      i > 0 && c >= "A" && c <= "Z" && !(raw[i - 1] >= "A" && raw[i - 1] <= "Z") &&
      raw[i - 1] !== "_"
    ) {
      name += "_";
    }
    name += c;
  }
  return { name: `${prefix}_${vendor}_${name.toLowerCase()}_${m[4]}`, version: m[3] };
}

function expectedFlat(line: string, options: TransformOptions = {}): Record<string, unknown> {
  const { geoLocation = true, nulls = false, schemaVersion = false } = options;
  const values = line.split("\t");
  const out: Record<string, unknown> = {};
  if (geoLocation && values[22] !== "" && values[23] !== "") {
    out.geo_location = `${values[22]},${values[23]}`;
  }
  for (const { index, name, kind } of ENRICHED_EVENT_FIELDS) {
    const text = values[index];
    if (text === "") {
      if (nulls && kind !== "contexts" && kind !== "unstruct") out[name] = null;
      continue;
    }
    switch (kind) {
      case "string":
        out[name] = text;
        break;
      case "int":
      case "double":
        out[name] = Number(text);
        break;
      case "bool":
        out[name] = text === "1";
        break;
      case "tstamp":
        out[name] = `${text.replace(" ", "T")}Z`;
        break;
      case "contexts":
        for (const entity of JSON.parse(text).data) {
          const column = columnName("contexts", entity.schema);
          const data = schemaVersion
            ? { ...entity.data, _schema_version: column.version }
            : entity.data;
          ((out[column.name] ??= []) as unknown[]).push(data);
        }
        break;
      case "unstruct": {
        const event = JSON.parse(text).data;
        out[columnName("unstruct_event", event.schema).name] = event.data;
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

Deno.test("shredded names of the oracle follow the contract (§3.4)", () => {
  assert.equal(
    columnName("contexts", "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0").name,
    "contexts_org_w3_performance_timing_1",
  );
  assert.equal(
    columnName(
      "contexts",
      "iglu:com.google.analytics.enhanced-ecommerce/productFieldObject/jsonschema/1-0-0",
    ).name,
    "contexts_com_google_analytics_enhanced_ecommerce_product_field_object_1",
  );
  assert.equal(
    columnName("x", "iglu:a/getHTTPResponse/jsonschema/2-0-0").name,
    "x_a_get_httpresponse_2",
  );
  assert.equal(columnName("x", "iglu:a/ContextUK/jsonschema/1-0-0").name, "x_a_context_uk_1");
  assert.equal(columnName("x", "iglu:a/ABC/jsonschema/1-0-0").name, "x_a_abc_1");
});

Deno.test("transform() accepts every generated line and gives the contract's flat form (§3)", async (t) => {
  for (const options of OPTION_SETS) {
    await t.step(label(options), () => {
      const every = options === undefined ? 1 : 3; // all lines with defaults, a third otherwise
      for (let i = 0; i < GOOD.length; i += every) {
        const line = GOOD[i];
        const actual = transform(line, options);
        const expected = expectedFlat(line, options);
        assert.deepEqual(actual, expected, line);
        assert.deepEqual(Object.keys(actual), Object.keys(expected), `key order: ${line}`);
      }
    });
  }
});

Deno.test("transform() ignores a trailing \\n or \\r\\n on generated lines", () => {
  for (let i = 0; i < GOOD.length; i += 10) {
    const expected = transform(GOOD[i]);
    assert.deepEqual(transform(`${GOOD[i]}\n`), expected);
    assert.deepEqual(transform(`${GOOD[i]}\r\n`), expected);
  }
});

Deno.test("toTsv(parse(line)) gives back every generated line", () => {
  for (const line of GOOD) assert.equal(toTsv(parse(line)), line);
});

Deno.test("parse() gives every field, null when empty", () => {
  for (let i = 0; i < GOOD.length; i += 7) {
    const values = GOOD[i].split("\t");
    const event = parse(GOOD[i]) as unknown as Record<string, unknown>;
    assert.equal(Object.keys(event).length, 131);
    for (const { index, name } of ENRICHED_EVENT_FIELDS) {
      assert.ok(name in event, name);
      assert.equal(event[name] === null, values[index] === "", name);
    }
  }
});

Deno.test("flatten(parse(line), options) equals transform(line, options)", async (t) => {
  for (const options of OPTION_SETS) {
    await t.step(label(options), () => {
      const every = options === undefined ? 1 : 3;
      for (let i = 0; i < GOOD.length; i += every) {
        const line = GOOD[i];
        const expected = transform(line, options);
        const actual = flatten(parse(line), options);
        assert.deepEqual(actual, expected, line);
        assert.deepEqual(Object.keys(actual), Object.keys(expected), `key order: ${line}`);
      }
    });
  }
});

Deno.test("transformToJson(line, options) is the JSON of transform(line, options)", async (t) => {
  for (const options of OPTION_SETS) {
    await t.step(label(options), () => {
      const every = options === undefined ? 1 : 3;
      for (let i = 0; i < GOOD.length; i += every) {
        const line = GOOD[i];
        const expected = JSON.parse(JSON.stringify(transform(line, options)));
        const actual = JSON.parse(transformToJson(line, options));
        assert.deepEqual(actual, expected, line);
        assert.deepEqual(Object.keys(actual), Object.keys(expected), `key order: ${line}`);
      }
    });
  }
});

/** Calls `fn` and returns the TransformError it throws (fails when it throws nothing else). */
function transformError(fn: () => unknown, line: string): TransformError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TransformError, `not a TransformError: ${error}\n${line}`);
    return error;
  }
  assert.fail(`no error for ${line}`);
}

Deno.test("transform(), parse() and transformToJson() report a labelled bad value on its field", () => {
  let checked = 0;
  for (const g of BAD) {
    if (g.label === "field_count") continue;
    const index = ENRICHED_EVENT_FIELDS.findIndex((f) => f.name === g.field);
    const value = g.line.split("\t")[index];
    for (
      const fn of [() => transform(g.line), () => parse(g.line), () => transformToJson(g.line)]
    ) {
      const error = transformError(fn, g.line);
      assert.equal(error.code, "InvalidValues", g.line);
      assert.equal(error.fieldCount, 131);
      assert.equal(error.issues.length, 1, `${g.label} ${g.field}: ${error.message}`);
      const [issue] = error.issues;
      assert.deepEqual(
        { field: issue.field, index: issue.index, value: issue.value },
        { field: g.field, index, value },
        `${g.label}: ${error.message}`,
      );
      assert.ok(issue.message.length > 0);
      assert.ok(error.message.includes(g.field as string), error.message);
      assert.deepEqual(JSON.parse(JSON.stringify(error)), {
        type: "RowDecodingError",
        errors: [{ type: "InvalidValue", key: g.field, value, message: issue.message }],
      });
    }
    checked++;
  }
  assert.ok(checked > 600, `only ${checked} value defects`);
});

Deno.test("transform(), parse() and transformToJson() report a wrong field count with the count", () => {
  let checked = 0;
  for (const g of BAD) {
    if (g.label !== "field_count") continue;
    const code = g.fieldCount === 1 ? "NotTsv" : "FieldCountMismatch";
    for (
      const fn of [() => transform(g.line), () => parse(g.line), () => transformToJson(g.line)]
    ) {
      const error = transformError(fn, g.line);
      assert.equal(error.code, code, g.line);
      assert.equal(error.fieldCount, g.fieldCount, g.line);
      assert.deepEqual(error.issues, []);
      assert.deepEqual(
        JSON.parse(JSON.stringify(error)),
        code === "NotTsv" ? { type: "NotTSV" } : {
          type: "FieldNumberMismatch",
          fieldCount: g.fieldCount,
        },
      );
    }
    checked++;
  }
  assert.ok(checked > 100, `only ${checked} field-count defects`);
});

Deno.test("transform(), parse() and transformToJson() reject every listed bad value in every field of its kind", () => {
  const base = GOOD[0].split("\t");
  const lists: Record<string, readonly string[]> = {
    int: BAD_INTS,
    double: BAD_DOUBLES,
    bool: BAD_BOOLS,
    tstamp: BAD_TSTAMPS,
    contexts: BAD_IGLU_URIS.map((schema) =>
      JSON.stringify({
        schema: "x",
        data: [{ schema: "iglu:a/b/jsonschema/1-0-0", data: {} }, { schema, data: {} }],
      })
    ),
    unstruct: BAD_IGLU_URIS.map((schema) =>
      JSON.stringify({ schema: "x", data: { schema, data: {} } })
    ),
  };
  let checked = 0;
  for (const { index, name, kind } of ENRICHED_EVENT_FIELDS) {
    for (const value of lists[kind] ?? []) {
      const fields = [...base];
      fields[index] = value;
      const line = fields.join("\t");
      for (const fn of [() => transform(line), () => parse(line), () => transformToJson(line)]) {
        const error = transformError(fn, line);
        assert.equal(error.code, "InvalidValues", `${name}=${JSON.stringify(value)}`);
        assert.deepEqual(
          error.issues.map((i) => [i.field, i.index, i.value]),
          [[name, index, value]],
          `${name}=${JSON.stringify(value)}`,
        );
      }
      checked++;
    }
  }
  assert.ok(checked > 500, `${checked} cases`);
});

interface Fixture {
  name: string;
  canonical?: boolean;
  options?: TransformOptions;
  fields: Record<string, string>;
  expected?: Record<string, unknown>;
  expected_issues?: string[];
}

const FIXTURES: Fixture[] = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/fx_noncanonical_events.json", import.meta.url)),
).cases;

function fixtureLine(fixture: Fixture): string {
  const values: string[] = new Array(131).fill("");
  for (const [name, value] of Object.entries(fixture.fields)) {
    const field = ENRICHED_EVENT_FIELDS.find((f) => f.name === name);
    assert.ok(field, `unknown field ${name} in ${fixture.name}`);
    values[field.index] = value;
  }
  return values.join("\t");
}

Deno.test("transform() gives the hand-written flat form of each fixture line (fx_noncanonical_events.json)", async (t) => {
  for (const fixture of FIXTURES) {
    await t.step(fixture.name, () => {
      const line = fixtureLine(fixture);
      if (fixture.expected_issues !== undefined) {
        const error = transformError(() => transform(line, fixture.options), line);
        assert.deepEqual(error.issues.map((i) => i.field), fixture.expected_issues, error.message);
        return;
      }
      const actual = transform(line, fixture.options);
      assert.deepEqual(actual, fixture.expected);
      assert.deepEqual(Object.keys(actual), Object.keys(fixture.expected ?? {}), "key order");
      assert.deepEqual(JSON.parse(transformToJson(line, fixture.options)), fixture.expected);
      assert.deepEqual(
        flatten(parse(line), fixture.options),
        flattenedForm(actual, fixture),
      );
    });
  }
});

/** What `flatten()` gives for a fixture: `geo_location` written from the numbers. */
function flattenedForm(flat: Record<string, unknown>, fixture: Fixture): Record<string, unknown> {
  const lat = fixture.fields.geo_latitude;
  const lon = fixture.fields.geo_longitude;
  if (lat === undefined || lon === undefined) return flat;
  return { ...flat, geo_location: `${Number(lat)},${Number(lon)}` };
}

Deno.test("toTsv(parse(line)) keeps the values of each fixture line, and its text when canonical", async (t) => {
  for (const fixture of FIXTURES) {
    if (fixture.expected_issues !== undefined) continue;
    await t.step(fixture.name, () => {
      const line = fixtureLine(fixture);
      const event = parse(line);
      const written = toTsv(event);
      assert.deepEqual(parse(written), event);
      if (fixture.canonical) assert.equal(written, line);
    });
  }
});
