import assert from "node:assert/strict";
import { ENRICHED_EVENT_FIELDS } from "../../src/event/fields.ts";
import { DEFECT_KINDS, generateCorpus, generateLines, Prng, writeCorpus } from "./generator.ts";

const IGLU =
  /^iglu:[a-zA-Z0-9_.-]+\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/[1-9][0-9]*-(0|[1-9][0-9]*)-(0|[1-9][0-9]*)$/;
const TSTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

/** Why `value` is not canonical text for a field of `kind`, or null when it is. */
function nonCanonical(kind: string, value: string): string | null {
  switch (kind) {
    case "string":
      return /[\t\n\r]/.test(value) ? "control character" : null;
    case "int":
      return /^-?(0|[1-9][0-9]*)$/.test(value) && Number.isSafeInteger(Number(value)) &&
          value !== "-0"
        ? null
        : "not a canonical int";
    case "double":
      return Number.isFinite(Number(value)) && String(Number(value)) === value
        ? null
        : "not a canonical double";
    case "bool":
      return value === "1" || value === "0" ? null : "not 1/0";
    case "tstamp": {
      const m = TSTAMP.exec(value);
      if (m === null) return "not YYYY-MM-DD hh:mm:ss.SSS";
      const iso = `${value.replace(" ", "T")}Z`;
      return new Date(iso).toISOString() === iso ? null : "not a calendar date";
    }
    case "contexts":
    case "unstruct": {
      const json = JSON.parse(value);
      if (JSON.stringify(json) !== value) return "not JSON.stringify output";
      const items = kind === "contexts" ? json.data : [json.data];
      if (!Array.isArray(items)) return "no data array";
      for (const item of items) if (!IGLU.test(item.schema)) return `bad schema ${item.schema}`;
      return null;
    }
  }
  return `unknown kind ${kind}`;
}

Deno.test("Prng repeats its sequence for a seed and stays in range", () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const c = new Prng(43);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 1000 }, () => c.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  for (let i = 0; i < 1000; i++) {
    const n = a.int(-3, 3);
    assert.ok(Number.isInteger(n) && n >= -3 && n <= 3);
  }
  assert.match(a.uuid4(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.throws(() => new Prng(NaN), RangeError);
});

Deno.test("generateLines() is deterministic and its prefix does not depend on count", () => {
  const a = generateCorpus(7, 200);
  assert.deepEqual(generateCorpus(7, 200), a);
  assert.deepEqual(generateCorpus(7, 50), a.slice(0, 50));
  assert.notDeepEqual(generateCorpus(8, 50), a.slice(0, 50));
  assert.equal(new Set(a).size, a.length);
});

Deno.test("generateLines() keeps good lines the same whatever badRate is", () => {
  const good = generateCorpus(11, 300);
  const mixed = [...generateLines({ seed: 11, count: 300, badRate: 0.3 })];
  let bad = 0;
  mixed.forEach((g, i) => {
    if (g.label === "ok") assert.equal(g.line, good[i]);
    else bad++;
  });
  assert.ok(bad > 50 && bad < 150, `bad lines: ${bad}`);
});

Deno.test("generateLines() makes canonical 131-field lines of every kind", () => {
  const events = new Map<string, number>();
  const platforms = new Set<string>();
  const seen = { geo: 0, noGeo: 0, derived: 0, camelCase: 0, unicode: 0, astral: 0, quote: 0 };
  const emptyShare: number[] = [];
  for (const seed of [1, 2, 3]) {
    for (const { line, label, fieldCount } of generateLines({ seed, count: 700 })) {
      assert.equal(label, "ok");
      assert.equal(fieldCount, 131);
      assert.doesNotMatch(line, /[\n\r\0]/);
      const values = line.split("\t");
      assert.equal(values.length, 131);
      for (const f of ENRICHED_EVENT_FIELDS) {
        const v = values[f.index];
        if (v === "") continue;
        const why = nonCanonical(f.kind, v);
        assert.equal(why, null, `${f.name}=${JSON.stringify(v)}: ${why}`);
      }
      events.set(values[5], (events.get(values[5]) ?? 0) + 1);
      platforms.add(values[1]);
      if (values[22] !== "" && values[23] !== "") seen.geo++;
      else seen.noGeo++;
      if (values[122] !== "") seen.derived++;
      if (line.includes("iglu:org.w3/PerformanceTiming/")) seen.camelCase++;
      if (/[\u0080-\uffff]/.test(line)) seen.unicode++;
      if (/[\ud800-\udbff][\udc00-\udfff]/.test(line)) seen.astral++;
      if (values.some((v) => v.startsWith('"') || v.includes('"'))) seen.quote++;
      emptyShare.push(values.filter((v) => v === "").length / 131);
    }
  }
  for (
    const e of ["page_view", "page_ping", "struct", "unstruct", "transaction", "transaction_item"]
  ) {
    assert.ok((events.get(e) ?? 0) > 0, `no ${e} events`);
  }
  assert.deepEqual([...platforms].sort(), ["mob", "srv", "web"]);
  for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `never saw ${what}`);
  const meanEmpty = emptyShare.reduce((a, b) => a + b, 0) / emptyShare.length;
  assert.ok(meanEmpty > 0.4, `mean share of empty fields ${meanEmpty}`);
});

Deno.test("generateLines() labels each bad line with its one defect", () => {
  const kinds = new Set<string>();
  const good = generateCorpus(5, 1500);
  [...generateLines({ seed: 5, count: 1500, badRate: 1 })].forEach((g, i) => {
    assert.notEqual(g.label, "ok");
    kinds.add(g.label);
    assert.equal(g.fieldCount, g.line.split("\t").length);
    if (g.label === "field_count") {
      assert.ok(["130_fields", "132_fields", "truncated"].includes(g.field ?? ""));
      assert.notEqual(g.fieldCount, 131);
      if (g.field === "130_fields") assert.equal(g.fieldCount, 130);
      if (g.field === "132_fields") assert.equal(g.fieldCount, 132);
      if (g.field === "truncated") assert.ok(g.fieldCount <= 120);
      return;
    }
    // A value defect changes exactly the labelled field.
    assert.equal(g.fieldCount, 131);
    const before = good[i].split("\t");
    const after = g.line.split("\t");
    const changed = ENRICHED_EVENT_FIELDS.filter((f) => before[f.index] !== after[f.index]);
    assert.deepEqual(changed.map((f) => f.name), [g.field], g.line);
  });
  assert.deepEqual([...kinds].sort(), [...DEFECT_KINDS].sort());
});

Deno.test("generateLines() rejects a bad count or badRate", () => {
  assert.throws(() => [...generateLines({ seed: 1, count: -1 })], RangeError);
  assert.throws(() => [...generateLines({ seed: 1, count: 1, badRate: 2 })], RangeError);
});

Deno.test("writeCorpus() writes the corpus one line each", async () => {
  const path = await Deno.makeTempFile({ suffix: ".tsv" });
  try {
    await writeCorpus(path, 3, 2500);
    const text = await Deno.readTextFile(path);
    assert.ok(text.endsWith("\n"));
    assert.deepEqual(text.slice(0, -1).split("\n"), generateCorpus(3, 2500));
  } finally {
    await Deno.remove(path);
  }
});
