import assert from "node:assert/strict";
import { ENRICHED_EVENT_FIELDS, type TransformOptions } from "../../src/event/mod.ts";
import { EventStream, NdjsonStream } from "../../src/stream/mod.ts";
import {
  type ParquetEventSource,
  ParquetStream,
  toParquet,
  type ToParquetOptions,
} from "../../src/parquet/mod.ts";
import { generateLines } from "../support/generator.ts";
import { readWithDuckDb } from "../support/duckdb.ts";

const KIND_TYPES: Record<string, string> = {
  string: "VARCHAR",
  int: "INTEGER",
  double: "DOUBLE",
  bool: "BOOLEAN",
  tstamp: "TIMESTAMP WITH TIME ZONE",
};
const ATOMIC = [
  { name: "geo_location", kind: "string" },
  ...ENRICHED_EVENT_FIELDS.filter((f) => f.kind !== "contexts" && f.kind !== "unstruct"),
];
const KIND_OF = new Map(ATOMIC.map((f) => [f.name as string, f.kind as string]));

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

async function* eventsOf(stream: EventStream): AsyncGenerator<Record<string, unknown>> {
  for await (const result of stream) if (result.event) yield result.event;
}

/** Writes `events` with `toParquet` to a temporary file and returns its path. */
async function writeParquet(
  events: ParquetEventSource,
  options?: ToParquetOptions,
): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".parquet" });
  await Deno.writeFile(path, toParquet(events, options));
  return path;
}

/** Microseconds since the epoch of an ISO timestamp of the flat form, computed independently. */
function micros(iso: string): bigint {
  const fraction = /\.(\d+)Z$/.exec(iso)?.[1] ?? "";
  const subMillis = Number(fraction.slice(3, 6).padEnd(3, "0"));
  return BigInt(Date.parse(iso)) * 1000n + BigInt(subMillis);
}

/** Asserts that DuckDB's reading of a Parquet file equals the NDJSON lines, value by value. */
function assertSameAsNdjson(
  file: Awaited<ReturnType<typeof readWithDuckDb>>,
  ndjson: Record<string, unknown>[],
): void {
  const shredded = new Set<string>();
  for (const event of ndjson) {
    for (const key of Object.keys(event)) if (!KIND_OF.has(key)) shredded.add(key);
  }
  const expectedColumns = [
    ...ATOMIC.map((f) => ({ name: f.name, type: KIND_TYPES[f.kind] })),
    ...[...shredded].sort().map((name) => ({ name, type: "JSON" })),
  ];
  assert.deepEqual(file.columns, expectedColumns);
  assert.equal(file.rows.length, ndjson.length);
  for (let i = 0; i < ndjson.length; i++) {
    const event = ndjson[i];
    const row = file.rows[i];
    for (const { name, type } of file.columns) {
      const value = event[name] ?? null;
      const actual = row[name];
      const where = `row ${i + 1}, ${name}`;
      if (value === null) assert.equal(actual, null, where);
      else if (type === "JSON") assert.deepEqual(JSON.parse(actual as string), value, where);
      else if (type.startsWith("TIMESTAMP")) assert.equal(actual, micros(value as string), where);
      else assert.equal(actual, value, where);
    }
  }
}

for (
  const [label, options] of [
    ["default options", {}],
    ["nulls, schemaVersion, no geoLocation", {
      nulls: true,
      schemaVersion: true,
      geoLocation: false,
    }],
  ] as [string, TransformOptions][]
) {
  Deno.test(`toParquet() read by DuckDB equals the NDJSON of the same input, types included (${label})`, async () => {
    const lines = [...generateLines({ seed: 13, count: 2_600, badRate: 0.02 })].map((g) => g.line);
    const input = new TextEncoder().encode(lines.join("\n") + "\n");
    const ndjsonText = await new Response(
      (() => {
        const stream = new NdjsonStream(bytesStream(input), options);
        stream.badRows.cancel();
        return stream;
      })(),
    ).text();
    const ndjson = ndjsonText.trimEnd().split("\n").map((line) => JSON.parse(line));
    const events = new EventStream(bytesStream(input), options);
    const path = await writeParquet(eventsOf(events), { rowGroupSize: 1_000 });
    try {
      const file = await readWithDuckDb(path);
      assert.equal(file.rowGroups, 3);
      assert.equal(ndjson.length, events.stats.events);
      assert.ok(events.stats.badRows > 0, "the corpus has bad rows, which are not in the file");
      assertSameAsNdjson(file, ndjson);
      // The NdjsonStream path (no event objects) writes the very same file.
      const fast = new NdjsonStream(bytesStream(input), options);
      fast.badRows.cancel();
      const fastBytes = new Uint8Array(
        await new Response(toParquet(fast, { rowGroupSize: 1_000 })).arrayBuffer(),
      );
      assert.deepEqual(fastBytes, await Deno.readFile(path));
      // So does ParquetStream (the TSV fields straight into the columns), the command line's.
      const tsv = new Uint8Array(
        await new Response(
          new ParquetStream(bytesStream(input), { ...options, rowGroupSize: 1_000 }),
        )
          .arrayBuffer(),
      );
      assert.deepEqual(tsv, await Deno.readFile(path));
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("toParquet() of an NdjsonStream hands unwritable events to onInvalid as objects", async () => {
  const fields = Array(ENRICHED_EVENT_FIELDS.length).fill("");
  const line = (appId: string, txnId: string) => {
    fields[0] = appId;
    fields[7] = txnId;
    return fields.join("\t");
  };
  const input = new TextEncoder().encode(
    [line("a", "1"), line("bad", String(2 ** 40)), line("c\u00e9", "-3")].join("\n") + "\n",
  );
  const ndjson = new NdjsonStream(bytesStream(input));
  ndjson.badRows.cancel();
  const invalid: [Record<string, unknown>, Error][] = [];
  const path = await writeParquet(ndjson, {
    onInvalid: (event, error) => invalid.push([event, error]),
  });
  try {
    const file = await readWithDuckDb(path);
    assert.deepEqual(file.rows.map((r) => [r.app_id, r.txn_id]), [["a", 1], ["c\u00e9", -3]]);
    assert.equal(invalid.length, 1);
    assert.deepEqual(invalid[0][0], { app_id: "bad", txn_id: 2 ** 40 });
    assert.ok(invalid[0][1] instanceof RangeError);
    assert.match(
      invalid[0][1].message,
      /^Cannot write event 2 to Parquet: txn_id \d+ does not fit INT32$/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("toParquet() gives a column first seen in a later row group nulls in the earlier ones", async () => {
  const events = [
    { app_id: "a", contexts_com_acme_early_1: [{ n: 1 }] },
    { app_id: "b" },
    { app_id: "c", collector_tstamp: "2024-01-02T03:04:05.123456Z" },
    { app_id: "d", unstruct_event_com_acme_late_1: { ok: true } },
    { app_id: "e", contexts_com_acme_early_1: [{ n: 5 }], unstruct_event_com_acme_late_1: {} },
  ];
  for (const compression of ["snappy", "none"] as const) {
    const path = await writeParquet(events, { rowGroupSize: 2, compression });
    try {
      const file = await readWithDuckDb(path);
      assert.equal(file.rowGroups, 3);
      assertSameAsNdjson(file, events);
    } finally {
      await Deno.remove(path);
    }
  }
});

Deno.test("toParquet() writes a valid file with every atomic column for no events", async () => {
  const path = await writeParquet([]);
  try {
    const file = await readWithDuckDb(path);
    assert.equal(file.rows.length, 0);
    assert.equal(file.rowGroups, 0);
    assert.equal(file.columns.length, ATOMIC.length);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("toParquet() keeps extreme values: INT32 bounds, timestamps far from 1970, Unicode", async () => {
  const events = [
    {
      txn_id: 2147483647,
      page_urlport: -2147483648,
      geo_latitude: -0.000001,
      tr_total: 1e300,
      collector_tstamp: "0001-01-01T00:00:00Z",
      etl_tstamp: "9999-12-31T23:59:59.999999Z",
      derived_tstamp: "1969-12-31T23:59:59.999999000Z",
      page_title: "naïve ☃ 𝄞 \u0000 tab\tend",
      br_cookies: false,
      contexts_com_acme_x_1: [{ text: "é😀", n: -1.5e-7, deep: [[[{}]]] }],
    },
  ];
  const path = await writeParquet(events);
  try {
    const [row] = (await readWithDuckDb(path)).rows;
    assert.equal(row.txn_id, 2147483647);
    assert.equal(row.page_urlport, -2147483648);
    assert.equal(row.geo_latitude, -0.000001);
    assert.equal(row.tr_total, 1e300);
    assert.equal(row.collector_tstamp, -62135596800000000n);
    assert.equal(row.etl_tstamp, 253402300799999999n);
    assert.equal(row.derived_tstamp, -1n);
    assert.equal(row.page_title, events[0].page_title);
    assert.equal(row.br_cookies, false);
    assert.deepEqual(
      JSON.parse(row.contexts_com_acme_x_1 as string),
      events[0].contexts_com_acme_x_1,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("toParquet() with columns writes exactly those columns, in that order", async () => {
  const events = [{ event_id: "e1", app_id: "a", contexts_com_acme_x_1: [{ a: 1 }] }, {
    app_id: "b",
  }];
  const columns = ["contexts_com_acme_x_1", "app_id", "event_id", "unstruct_event_com_acme_y_1"];
  const path = await writeParquet(events, { columns });
  try {
    const file = await readWithDuckDb(path);
    assert.deepEqual(file.columns.map((c) => c.name), columns);
    assert.deepEqual(file.columns.map((c) => c.type), ["JSON", "VARCHAR", "VARCHAR", "JSON"]);
    assert.equal(file.rows[1].app_id, "b");
    assert.equal(file.rows[1].event_id, null);
  } finally {
    await Deno.remove(path);
  }
});

async function streamError(
  events: Record<string, unknown>[],
  options?: ToParquetOptions,
): Promise<Error> {
  try {
    await new Response(toParquet(events, options)).arrayBuffer();
  } catch (error) {
    return error as Error;
  }
  throw new Error("the stream did not fail");
}

Deno.test("toParquet() fails the stream on an event it cannot write, naming the event and key", async (t) => {
  const cases: [string, Record<string, unknown>, ToParquetOptions, typeof Error, RegExp][] = [
    [
      "a key outside columns",
      { app_id: "a", contexts_com_acme_x_1: [] },
      { columns: ["app_id"] },
      TypeError,
      /event 2 .*"contexts_com_acme_x_1".*options\.columns/,
    ],
    [
      "a key the flat form never has",
      { app_id: "a", colour: "red" },
      {},
      TypeError,
      /event 2 .*"colour"/,
    ],
    [
      "an int beyond INT32",
      { txn_id: 2147483648 },
      {},
      RangeError,
      /event 2 .*txn_id 2147483648 does not fit INT32/,
    ],
    [
      "a fractional int",
      { txn_id: 1.5 },
      {},
      TypeError,
      /event 2 .*txn_id 1\.5 is not a valid int/,
    ],
    [
      "nanoseconds",
      { etl_tstamp: "2024-01-01T00:00:00.123456789Z" },
      {},
      RangeError,
      /event 2 .*etl_tstamp .*below a microsecond/,
    ],
    [
      "an impossible date",
      { etl_tstamp: "2023-02-29T00:00:00Z" },
      {},
      TypeError,
      /event 2 .*etl_tstamp "2023-02-29T00:00:00Z" is not a valid tstamp/,
    ],
    [
      "a string where a boolean goes",
      { br_cookies: "1" },
      {},
      TypeError,
      /event 2 .*br_cookies "1" is not a valid bool/,
    ],
    ["an infinite double", { tr_total: Infinity }, {}, TypeError, /event 2 .*tr_total Infinity/],
  ];
  for (const [name, bad, options, type, message] of cases) {
    await t.step(name, async () => {
      const error = await streamError([{ app_id: "first" }, bad, { app_id: "third" }], options);
      assert.ok(error instanceof type, `${error}`);
      assert.match(error.message, /^Cannot write event 2 to Parquet: /);
      assert.match(error.message, message);
    });
  }
});

Deno.test("toParquet() hands unwritable events to onInvalid and writes the others", async () => {
  const invalid: [Record<string, unknown>, Error][] = [];
  const bad = { app_id: "bad", txn_id: 2 ** 40, contexts_com_acme_only_in_bad_1: [{}] };
  const events = [{ app_id: "a", etl_tstamp: "2024-01-01T00:00:00.100000000Z" }, bad, {
    app_id: "c",
  }];
  const path = await writeParquet(events, {
    onInvalid: (event, error) => invalid.push([event, error]),
  });
  try {
    const file = await readWithDuckDb(path);
    assert.deepEqual(file.rows.map((r) => r.app_id), ["a", "c"]);
    assert.equal(file.rows[0].etl_tstamp, 1704067200100000n);
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0][0], bad);
    assert.ok(invalid[0][1] instanceof RangeError);
    // A skipped event adds no column.
    assert.ok(!file.columns.some((c) => c.name === "contexts_com_acme_only_in_bad_1"));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("toParquet() rejects bad options at once", () => {
  assert.throws(() => toParquet([], { rowGroupSize: 0 }), RangeError);
  assert.throws(() => toParquet([], { rowGroupSize: 1.5 }), RangeError);
  assert.throws(
    () => toParquet([], { compression: "zstd" as "none" }),
    /^TypeError: Invalid compression: expected "snappy" or "none", got zstd$/,
  );
  assert.throws(
    () => toParquet([], { columns: ["app_id", "nope"] }),
    /Invalid columns option: "nope"/,
  );
  assert.throws(() => toParquet([], { columns: ["app_id", "app_id"] }), /"app_id" is given twice/);
  assert.throws(() => toParquet(42 as unknown as []), /Invalid events/);
});

Deno.test("toParquet() streams each row group before the source ends", async () => {
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  let finished = false;
  async function* source(): AsyncGenerator<Record<string, unknown>> {
    for (let i = 0; i < 5; i++) yield { app_id: `a${i}`, page_title: "x".repeat(100) + i };
    await blocked; // the source waits until the first row group has come out
    yield { app_id: "last" };
    finished = true;
  }
  const reader = toParquet(source(), { rowGroupSize: 5 }).getReader();
  let bytes = 0;
  while (bytes < 500) {
    const { value, done } = await reader.read();
    assert.ok(!done);
    bytes += value.length;
  }
  assert.equal(finished, false, "the first row group came out while the source was still open");
  release();
  while (!(await reader.read()).done);
  assert.equal(finished, true);
});

Deno.test("toParquet() cancelled ends the source's iteration", async () => {
  let closed = false;
  function* source(): Generator<Record<string, unknown>> {
    try {
      for (let i = 0;; i++) yield { app_id: `a${i}` };
    } finally {
      closed = true;
    }
  }
  const reader = toParquet(source(), { rowGroupSize: 10 }).getReader();
  await reader.read();
  await reader.cancel();
  assert.equal(closed, true);
});

Deno.test("toParquet() fails the stream with the source's error", async () => {
  async function* source(): AsyncGenerator<Record<string, unknown>> {
    yield { app_id: "a" };
    throw new Error("source broke");
  }
  await assert.rejects(new Response(toParquet(source())).arrayBuffer(), /source broke/);
});
