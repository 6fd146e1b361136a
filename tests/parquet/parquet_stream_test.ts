import assert from "node:assert/strict";
import { ENRICHED_EVENT_FIELDS } from "../../src/event/mod.ts";
import { type BadRow, EventStream, type EventStreamOptions } from "../../src/stream/mod.ts";
import { ParquetStream, type ParquetStreamOptions, toParquet } from "../../src/parquet/mod.ts";
import { DEFECT_KINDS, generateLines } from "../support/generator.ts";
import { chunked, streamOf } from "../support/byte_streams.ts";
import { readWithDuckDb } from "../support/duckdb.ts";

const encoder = new TextEncoder();
const FIELD = new Map(ENRICHED_EVENT_FIELDS.map((f, i) => [f.name as string, i]));

/** A TSV line with the given fields set (by name), the rest empty. */
function line(values: Record<string, string>): string {
  const fields = Array(ENRICHED_EVENT_FIELDS.length).fill("");
  for (const [name, value] of Object.entries(values)) fields[FIELD.get(name)!] = value;
  return fields.join("\t");
}

/** A contexts field of the given entities. */
function contexts(...entities: [string, unknown][]): string {
  return JSON.stringify({
    schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
    data: entities.map(([schema, data]) => ({ schema, data })),
  });
}

/** An unstruct_event field. */
function unstruct(schema: string, data: unknown): string {
  return JSON.stringify({
    schema: "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
    data: { schema, data },
  });
}

interface Written {
  bytes: Uint8Array;
  badRows: BadRow[];
  invalid: { event: Record<string, unknown>; message: string; line?: number }[];
}

/** The object path: EventStream → toParquet. */
async function viaObjects(
  input: Uint8Array,
  options: EventStreamOptions & ParquetStreamOptions = {},
): Promise<Written> {
  const { rowGroupSize, compression, columns, ...streamOptions } = options;
  const stream = new EventStream(streamOf([input]), streamOptions);
  const badRows: BadRow[] = [];
  const invalid: Written["invalid"] = [];
  let line = 0;
  async function* events() {
    for await (const result of stream) {
      if (result.badRow) badRows.push(result.badRow);
      else {
        line = result.line;
        yield result.event;
      }
    }
  }
  const file = toParquet(events(), {
    rowGroupSize,
    compression,
    columns,
    onInvalid: (event, error) => invalid.push({ event, message: error.message, line }),
  });
  return { bytes: new Uint8Array(await new Response(file).arrayBuffer()), badRows, invalid };
}

/** The fast path, with the input cut into chunks of `chunkSize` bytes. */
async function viaStream(
  input: Uint8Array,
  options: ParquetStreamOptions = {},
  chunkSize = 1 << 16,
): Promise<Written & { stream: ParquetStream }> {
  const badRows: BadRow[] = [];
  const invalid: Written["invalid"] = [];
  const stream = new ParquetStream(streamOf(chunked(input, chunkSize)), {
    ...options,
    onBadRow: (row) => void badRows.push(row),
    onInvalid: (event, error, line) => invalid.push({ event, message: error.message, line }),
  });
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return { bytes, badRows, invalid, stream };
}

async function assertSameFile(
  input: Uint8Array,
  options: ParquetStreamOptions = {},
  chunkSize?: number,
): Promise<Written & { stream: ParquetStream }> {
  const expected = await viaObjects(input, options);
  const actual = await viaStream(input, options, chunkSize);
  assert.deepEqual(actual.badRows, expected.badRows);
  assert.deepEqual(actual.invalid, expected.invalid);
  assert.ok(actual.bytes.length > 8);
  assert.deepEqual(actual.bytes, expected.bytes, "the same file, byte for byte");
  return actual;
}

const corpus = [...generateLines({ seed: 21, count: 3_000, badRate: 0.3 })];
const corpusBytes = encoder.encode(corpus.map((g) => g.line).join("\n") + "\n");

for (
  const [label, options] of [
    ["default options", { rowGroupSize: 1_000 }],
    ["nulls, no geoLocation, 7 events a row group", {
      nulls: true,
      geoLocation: false,
      rowGroupSize: 7,
    }],
    ["schemaVersion (the general path), uncompressed", {
      schemaVersion: true,
      compression: "none",
    }],
  ] as [string, ParquetStreamOptions][]
) {
  Deno.test(`ParquetStream writes the file toParquet writes for the events of the same TSV (${label})`, async () => {
    const kinds = new Set(corpus.map((g) => g.label));
    for (const kind of DEFECT_KINDS) assert.ok(kinds.has(kind), `the corpus has ${kind} lines`);
    const written = await assertSameFile(corpusBytes, options, 4093);
    assert.ok(written.badRows.length > 500, "every kind of invalid value became a bad row");
    assert.equal(
      written.stream.stats.events + written.stream.stats.badRows,
      corpus.length,
      "every line is an event or a bad row",
    );
  });
}

Deno.test("ParquetStream reads lines split across chunks of any size the same", async () => {
  const input = corpusBytes.subarray(0, 400_000);
  const whole = (await viaStream(input, {}, input.length)).bytes;
  for (const size of [1, 17, 1000]) {
    assert.deepEqual((await viaStream(input, {}, size)).bytes, whole, `chunks of ${size} bytes`);
  }
});

Deno.test("ParquetStream reads CRLF lines as LF lines", async () => {
  const lines = corpus.slice(0, 200).map((g) => g.line);
  const lf = await viaStream(encoder.encode(lines.join("\n") + "\n"));
  const crlf = await assertSameFile(encoder.encode(lines.join("\r\n") + "\r\n"));
  assert.deepEqual(crlf.bytes, lf.bytes);
});

Deno.test("ParquetStream handles empty fields, with and without nulls", async () => {
  const input = encoder.encode(
    [line({}), line({ app_id: "a" }), line({ br_viewwidth: "0", tr_total: "-0.0" })].join("\n"),
  );
  for (const nulls of [false, true]) {
    const written = await assertSameFile(input, { nulls });
    assert.equal(written.stream.stats.events, 3);
  }
});

Deno.test("ParquetStream writes values that need care: escapes, Unicode, numbers, timestamps", async () => {
  const input = encoder.encode(
    [
      line({ app_id: 'q"uote\\back\u0001ctl', page_title: "caf\u00e9 \u{1F600} \u4e2d" }),
      line({ app_id: "\uFEFFbom inside", txn_id: "+0042", tr_total: "1e3" }),
      line({ br_viewwidth: "-2147483648", br_viewheight: "2147483647", tr_tax: "0.1000" }),
      line({ geo_latitude: "37.4436", geo_longitude: "-122.4124", geo_city: "Palo Alto" }),
      line({
        collector_tstamp: "2024-02-29 23:59:59.123456000",
        dvce_created_tstamp: "1900-01-01 00:00:00",
      }),
      line({
        derived_tstamp: "9999-12-31 23:59:59.999999",
        br_cookies: "1",
        br_features_java: "0",
      }),
    ].join("\n") + "\n",
  );
  const written = await assertSameFile(input);
  assert.equal(written.stream.stats.events, 6);
  assert.deepEqual(written.badRows, []);
});

Deno.test("ParquetStream sends invalid UTF-8 and a leading byte order mark the general way", async () => {
  const good = encoder.encode(line({ app_id: "ok" }));
  const bom = encoder.encode("\uFEFF" + line({ app_id: "bom" }));
  const broken = encoder.encode(line({ app_id: "x", page_title: "yy" }));
  broken[broken.indexOf(0x79)] = 0xff; // an invalid byte in page_title
  const input = new Uint8Array([...good, 10, ...bom, 10, ...broken, 10]);
  const written = await assertSameFile(input);
  assert.equal(written.stream.stats.events + written.stream.stats.badRows, 3);
});

Deno.test("ParquetStream merges contexts of one column from contexts and derived_contexts", async () => {
  const user = "iglu:com.acme/user/jsonschema/1-0-0";
  const page = "iglu:com.acme/page/jsonschema/1-0-2";
  const input = encoder.encode(
    [
      line({
        app_id: "a",
        contexts: contexts([user, { id: 1 }], [page, { p: "x" }], [user, { id: 2 }]),
        derived_contexts: contexts([user, { id: 3 }], ["iglu:com.acme/geo/jsonschema/2-1-0", {}]),
        unstruct_event: unstruct("iglu:com.acme/click/jsonschema/1-0-0", { at: [1, 2] }),
      }),
      line({ app_id: "b", derived_contexts: contexts([page, { p: "y" }]) }),
    ].join("\n"),
  );
  for (const schemaVersion of [false, true]) await assertSameFile(input, { schemaVersion });
});

Deno.test("ParquetStream adds a shredded column first seen in a later row group, read back by DuckDB", async () => {
  const late = "iglu:com.acme/late/jsonschema/1-0-0";
  const lines = Array.from({ length: 9 }, (_, i) =>
    line({
      app_id: `a${i}`,
      contexts: i >= 6 ? contexts([late, { n: i }]) : "",
      unstruct_event: i === 8 ? unstruct("iglu:com.acme/last/jsonschema/1-0-0", { n: i }) : "",
    }));
  const input = encoder.encode(lines.join("\n"));
  const written = await assertSameFile(input, { rowGroupSize: 3 });
  const path = await Deno.makeTempFile({ suffix: ".parquet" });
  try {
    await Deno.writeFile(path, written.bytes);
    const file = await readWithDuckDb(path);
    assert.equal(file.rowGroups, 3);
    const names = file.columns.map((c) => c.name);
    assert.deepEqual(names.slice(-2), [
      "contexts_com_acme_late_1",
      "unstruct_event_com_acme_last_1",
    ]);
    assert.deepEqual(
      file.rows.map((r) => r.contexts_com_acme_late_1 ?? null),
      [null, null, null, null, null, null, '[{"n":6}]', '[{"n":7}]', '[{"n":8}]'],
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("ParquetStream makes a line too long the bad row EventStream makes", async () => {
  const input = encoder.encode(
    [line({ app_id: "a" }), line({ app_id: "x".repeat(5000) }), line({ app_id: "c" })].join("\n"),
  );
  const written = await assertSameFile(input, { maxLineBytes: 2000 }, 300);
  assert.equal(written.badRows.length, 1);
  assert.equal(written.badRows[0].line, 2);
  assert.equal(written.badRows[0].error.type, "LineTooLong");
});

Deno.test("ParquetStream hands events the file cannot hold to onInvalid with their line", async () => {
  const input = encoder.encode(
    [
      line({ app_id: "a", txn_id: "1" }),
      line({ app_id: "big", txn_id: String(2 ** 40) }),
      "not an event",
      line({ app_id: "nano", collector_tstamp: "2024-01-02 03:04:05.123456789" }),
      line({ app_id: "d", txn_id: "-3" }),
    ].join("\n"),
  );
  const written = await assertSameFile(input);
  assert.deepEqual(written.invalid.map((i) => [i.line, i.event.app_id]), [[2, "big"], [4, "nano"]]);
  assert.match(
    written.invalid[0].message,
    /^Cannot write event 2 to Parquet: txn_id \d+ does not fit INT32$/,
  );
  assert.deepEqual(written.badRows.map((r) => r.line), [3]);
  // Without onInvalid, such an event fails the stream with the same error.
  const failing = new ParquetStream(streamOf([input]));
  await assert.rejects(new Response(failing).arrayBuffer(), (error: Error) => {
    assert.ok(error instanceof RangeError);
    assert.match(error.message, /^Cannot write event 2 to Parquet: txn_id/);
    return true;
  });
});

Deno.test("ParquetStream with columns writes exactly those; other keys go to onInvalid", async () => {
  const input = encoder.encode(
    [
      line({ app_id: "a", br_viewwidth: "5" }),
      line({ app_id: "b", page_url: "http://x" }),
      line({ app_id: "c", contexts: contexts(["iglu:com.acme/u/jsonschema/1-0-0", {}]) }),
    ].join("\n"),
  );
  const written = await assertSameFile(input, { columns: ["br_viewwidth", "app_id"] });
  assert.deepEqual(written.invalid.map((i) => i.line), [2, 3]);
});

Deno.test("ParquetStream writes several inputs into one file, as their concatenation", async () => {
  const a = corpus.slice(0, 500).map((g) => g.line).join("\n") + "\n";
  const b = corpus.slice(500, 900).map((g) => g.line).join("\n");
  const expected = await viaObjects(encoder.encode(a + b + "\n"));
  const stream = new ParquetStream([streamOf([a]), streamOf([b])]);
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  assert.deepEqual(bytes, expected.bytes);
});

Deno.test("ParquetStream fails on a failing input and cancels it when cancelled", async () => {
  const failing = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(line({ app_id: "a" }) + "\n"));
      controller.error(new Error("disk gone"));
    },
  });
  await assert.rejects(new Response(new ParquetStream(failing)).arrayBuffer(), /disk gone/);
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(encoder.encode(line({ app_id: "a" }) + "\n")),
    cancel: () => void (cancelled = true),
  });
  const reader = new ParquetStream(endless, { rowGroupSize: 10 }).getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value!.subarray(0, 4)), "PAR1");
  await reader.cancel();
  assert.ok(cancelled);
});

Deno.test("ParquetStream rejects bad options at once", () => {
  assert.throws(() => new ParquetStream(streamOf([]), { rowGroupSize: 0 }), RangeError);
  assert.throws(
    () => new ParquetStream(streamOf([]), { compression: "zstd" as "none" }),
    TypeError,
  );
  assert.throws(() => new ParquetStream(42 as unknown as ReadableStream<Uint8Array>), TypeError);
});

Deno.test("ParquetStream writes JSON text as JSON.stringify does, whatever the payload's spelling", async () => {
  const spellings = [
    '{"id":1,"x":[1,2],"f":0.30000000000000004}',
    '{"id": 1, "x": [1, 2]}',
    '{"n":"caf\\u00e9","c":"\\u001f"}',
    '{"n":"a\\/b","t":"a\\tb\\"q\\""}',
    '{"n":1.0,"m":1.50,"e":1e2,"s":0.0000001}',
    '{"big":12345678901234567890}',
  ];
  const input = encoder.encode(
    spellings.map((data, i) =>
      line({
        app_id: `a${i}`,
        contexts:
          `{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0","data":[{"schema":"iglu:com.acme/u/jsonschema/1-0-0","data":${data}}]}`,
        unstruct_event: unstruct("iglu:com.acme/click/jsonschema/1-0-0", JSON.parse(data)),
      })
    ).join("\n"),
  );
  const written = await assertSameFile(input);
  assert.equal(written.stream.stats.events, spellings.length);
});
