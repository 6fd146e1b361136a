/**
 * The types of the flat JSON form ({@linkcode FlatEvent}) and of the parsed event
 * ({@linkcode EnrichedEvent}) against the field table: a generated program asserts the type of
 * each of the 131 fields and is type-checked, and `transform` is checked to produce those types
 * at run time.
 */
import assert from "node:assert/strict";
import { type AtomicFieldTypes, type FlatEvent, transform } from "../../mod.ts";
import { ENRICHED_EVENT_FIELDS, type FieldKind } from "../../src/event/mod.ts";
import { PROJECT_ROOT, runDeno } from "../support/runtime.ts";

/** The TypeScript type of an atomic field kind in the flat form. */
const TS_TYPE: Record<Exclude<FieldKind, "contexts" | "unstruct">, string> = {
  string: "string",
  int: "number",
  double: "number",
  bool: "boolean",
  tstamp: "string",
};
const JSON_KINDS: readonly FieldKind[] = ["contexts", "unstruct"];

/** A program that compiles only if every field has the type the table gives it. */
function typeProgram(): string {
  const atomic = ENRICHED_EVENT_FIELDS.filter((f) => !JSON_KINDS.includes(f.kind));
  const lines = [
    `import type { AtomicFieldTypes, EnrichedEvent, FlatEvent } from "${PROJECT_ROOT}mod.ts";`,
    "",
    "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2)",
    "  ? true : false;",
    "type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;",
    "type Check<T extends true> = T;",
    "",
    `type AtomicNames = ${atomic.map((f) => JSON.stringify(f.name)).join(" | ")};`,
    "export type Names = Check<Equal<keyof AtomicFieldTypes, AtomicNames>>;",
    "export type GeoLocation = Check<Equal<FlatEvent['geo_location'], string | undefined>>;",
    "export type ContextColumns = Check<Equal<FlatEvent[`contexts_${string}`], unknown[]>>;",
    "export type UnstructColumns = Check<Equal<FlatEvent[`unstruct_event_${string}`], unknown>>;",
  ];
  for (const { index, name, kind } of ENRICHED_EVENT_FIELDS) {
    const key = JSON.stringify(name);
    const id = `F${index}_${name}`;
    if (JSON_KINDS.includes(kind)) {
      // A JSON column is shredded: it is no key of the flat form (only its columns are).
      lines.push(`export type ${id} = Check<Equal<${key} extends keyof FlatEvent ? 1 : 0, 0>>;`);
      continue;
    }
    const type = TS_TYPE[kind as keyof typeof TS_TYPE];
    lines.push(
      `export type ${id} = [`,
      `  Check<Equal<AtomicFieldTypes[${key}], ${type}>>,`,
      `  Check<Equal<FlatEvent[${key}], ${type} | undefined>>,`,
      `  Check<IsOptional<FlatEvent, ${key}>>,`,
      `  Check<Equal<FlatEvent<true>[${key}], ${type} | null>>,`,
      `  Check<Equal<IsOptional<FlatEvent<true>, ${key}>, false>>,`,
      `  Check<Equal<EnrichedEvent[${key}], ${type} | null>>,`,
      `];`,
    );
  }
  return lines.join("\n") + "\n";
}

Deno.test("FlatEvent and EnrichedEvent give each of the 131 fields its kind's type", async () => {
  assert.equal(ENRICHED_EVENT_FIELDS.length, 131);
  const dir = await Deno.makeTempDir({ prefix: "flat-event-types-" });
  try {
    const program = typeProgram();
    assert.equal(program.match(/^export type F\d+_/gm)?.length, 131);
    // The same program for a table where br_viewwidth were a string must not compile: one
    // `deno check` of both shows the check can fail, and fails only there.
    const drifted = program.replace(
      'Check<Equal<AtomicFieldTypes["br_viewwidth"], number>>',
      'Check<Equal<AtomicFieldTypes["br_viewwidth"], string>>',
    );
    assert.notEqual(drifted, program);
    await Deno.writeTextFile(`${dir}/types.ts`, program);
    await Deno.writeTextFile(`${dir}/drifted.ts`, drifted);
    const result = await runDeno(["check", "--quiet", `${dir}/types.ts`, `${dir}/drifted.ts`]);
    assert.notEqual(result.code, 0);
    const errors = [...result.stderr.matchAll(/^\s*at file:\/\/(\S+?):(\d+):/gm)];
    assert.deepEqual(
      errors.map(([, path]) => path),
      [`${dir}/drifted.ts`],
      `the types drifted from the field table:\n${result.stderr}`,
    );
    assert.match(result.stderr, /TS2344/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform() gives each field a value of the declared type", async () => {
  const line = (await Deno.readTextFile(`${PROJECT_ROOT}tests/testdata/ev_full_event.tsv`))
    .replace(/\r?\n$/, "");
  const event: FlatEvent = transform(line);
  const withNulls: FlatEvent<true> = transform(line, { nulls: true });
  const values = event as Record<string, unknown>;
  let typed = 0;
  for (const { name, kind } of ENRICHED_EVENT_FIELDS) {
    if (JSON_KINDS.includes(kind)) {
      assert.ok(!(name in event), name);
      continue;
    }
    const type = TS_TYPE[kind as keyof typeof TS_TYPE];
    const value = values[name];
    assert.ok(value === undefined || typeof value === type, `${name}: ${typeof value}`);
    if (value !== undefined) typed++;
    const orNull = (withNulls as Record<string, unknown>)[name];
    assert.ok(orNull === null || typeof orNull === type, `${name} with nulls`);
    assert.equal(orNull, value ?? null, name);
  }
  assert.ok(typed > 100, `only ${typed} fields of the full event were set`);
  // The acceptance example: a number, without a cast.
  const width: number | undefined = event.br_viewwidth;
  assert.equal(typeof width, "number");
  assert.equal(typeof event.geo_location, "string");
  for (const key of Object.keys(event).filter((key) => /^(contexts|unstruct_event)_/.test(key))) {
    if (key.startsWith("contexts_")) assert.ok(Array.isArray(values[key]), key);
  }
  const atomic: (keyof AtomicFieldTypes)[] = ["app_id", "br_cookies", "collector_tstamp"];
  for (const name of atomic) assert.notEqual(event[name], undefined, name);
});
