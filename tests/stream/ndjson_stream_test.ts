import assert from "node:assert/strict";
import { transform, TransformError, transformToJson } from "../../src/event/mod.ts";
import type { BadRow } from "../../src/stream/bad_row.ts";
import { EventStream } from "../../src/stream/event_stream.ts";
import { NdjsonStream } from "../../src/stream/ndjson_stream.ts";
import { StreamReadError } from "../../src/stream/stream_read_error.ts";
import { generateLines } from "../support/generator.ts";
import {
  byteStreamOf,
  chunked,
  concatBytes,
  failingAfter,
  gzipMember,
  readAll,
  streamOf,
  yieldToOthers,
} from "../support/byte_streams.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const generated = [...generateLines({ seed: 11, count: 400, badRate: 0.25 })];
const corpus = generated.map((g) => g.line);
const good = generated.filter((g) => g.label === "ok").map((g) => g.line);

function expected(lines: string[]): { events: string; badRows: BadRow[] } {
  let events = "";
  const badRows: BadRow[] = [];
  lines.forEach((raw, i) => {
    if (raw === "") return;
    try {
      events += JSON.stringify(transform(raw)) + "\n";
    } catch (error) {
      assert.ok(error instanceof TransformError);
      badRows.push({ line: i + 1, raw, error: error.toJSON() });
    }
  });
  return { events, badRows };
}

Deno.test("NdjsonStream writes JSON.stringify(transform(line)) per event and every bad row", async () => {
  const gz = concatBytes([
    await gzipMember(corpus.slice(0, 150).join("\n") + "\n"),
    await gzipMember(corpus.slice(150).join("\r\n")),
  ]);
  for (const size of [333, 65536]) {
    const ndjson = new NdjsonStream(streamOf(chunked(gz, size)));
    const [events, badRows] = await Promise.all([
      readAll(ndjson),
      Array.fromAsync(ndjson.badRows),
    ]);
    const want = expected(corpus);
    assert.equal(decoder.decode(events), want.events);
    assert.deepEqual(badRows, want.badRows);
    assert.ok(want.badRows.length > 50);
    assert.equal(ndjson.stats.events + ndjson.stats.badRows, corpus.length);
    assert.equal(ndjson.stats.badRows, want.badRows.length);
    assert.equal(ndjson.stats.gzip, true);
    assert.equal(ndjson.stats.done, true);
  }
});

Deno.test("NdjsonStream fills a BYOB reader's own buffer, however small, with the same bytes", async () => {
  const input = corpus.join("\n") + "\n";
  const want = expected(corpus).events;
  for (const size of [61, 1000, 1 << 20]) {
    const ndjson = new NdjsonStream(streamOf(chunked(encoder.encode(input), 4096)));
    ndjson.badRows.cancel();
    const reader = ndjson.getReader({ mode: "byob" });
    const parts: Uint8Array[] = [];
    let buffer = new ArrayBuffer(size);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      assert.ok(value.length > 0 && value.length <= size);
      parts.push(value.slice()); // the buffer is read into again
      buffer = value.buffer; // handed back on each read: no new buffer per chunk
    }
    assert.equal(decoder.decode(concatBytes(parts)), want, `buffer of ${size} bytes`);
    assert.equal(ndjson.stats.events, corpus.length - ndjson.stats.badRows);
  }
});

Deno.test("NdjsonStream gives a default reader chunks that later reads do not overwrite", async () => {
  const ndjson = new NdjsonStream(streamOf(chunked(encoder.encode(good.join("\n")), 2000)));
  ndjson.badRows.cancel();
  const chunks = await Array.fromAsync(ndjson);
  assert.ok(chunks.length > 10);
  assert.equal(decoder.decode(concatBytes(chunks)), expected(good).events);
});

Deno.test("NdjsonStream reads a byte stream (into buffers it reuses) just as any stream", async () => {
  const plain = encoder.encode(corpus.join("\n") + "\n");
  const gz = concatBytes([
    await gzipMember(corpus.slice(0, 150).join("\n") + "\n"),
    await gzipMember(corpus.slice(150).join("\n")),
  ]);
  const want = expected(corpus);
  for (const [name, input] of [["plain", plain], ["multi-member gzip", gz]] as const) {
    for (const size of [333, 70_000, 1 << 21]) {
      const ndjson = new NdjsonStream(byteStreamOf(chunked(input, size)));
      const [events, badRows] = await Promise.all([
        readAll(ndjson),
        Array.fromAsync(ndjson.badRows),
      ]);
      assert.equal(decoder.decode(events), want.events, `${name}, chunks of ${size}`);
      assert.deepEqual(badRows, want.badRows);
      assert.equal(ndjson.stats.gzip, name !== "plain");
      assert.equal(ndjson.stats.sourceBytes, input.length);
    }
  }
  // One byte at a time: the gzip magic bytes arrive in two reads.
  const small = await gzipMember(good.slice(0, 3).join("\n"));
  const ndjson = new NdjsonStream(byteStreamOf(chunked(small, 1)));
  assert.equal(decoder.decode(await readAll(ndjson)), expected(good.slice(0, 3)).events);
});

Deno.test("NdjsonStream keeps counting bad rows when badRows is cancelled", async () => {
  const bad = Array.from({ length: 5000 }, (_, i) => `bad line ${i} ${"x".repeat(1000)}`);
  const ndjson = new NdjsonStream(streamOf([[good[0], ...bad, good[1]].join("\n")]));
  await ndjson.badRows.cancel();
  const events = decoder.decode(await readAll(ndjson)).split("\n");
  assert.equal(events.length, 3);
  assert.equal(ndjson.stats.badRows, 5000);
});

Deno.test("NdjsonStream pauses while unread bad rows pass 4 MiB, and goes on when they are read", async () => {
  const bad = `bad ${"x".repeat(10_000)}\n`;
  const chunks = Array.from({ length: 1000 }, () => bad); // 10 MB of bad rows
  const ndjson = new NdjsonStream(streamOf([...chunks, `${good[0]}\n`]));
  const reader = ndjson.getReader();
  const first = reader.read();
  let settled = false;
  first.then(() => settled = true);
  // The source and the conversion run in microtasks, which all run before the next task: after
  // these turns the input would have been read to its end had it not paused.
  const seen = [];
  for (let i = 0; i < 20; i++) {
    await yieldToOthers();
    seen.push(ndjson.stats.badRows);
  }
  assert.equal(settled, false, "the NDJSON waits");
  assert.ok(ndjson.stats.badRows < 1000);
  assert.equal(seen[19], seen[10], "reading has paused");
  const rows = await Array.fromAsync(ndjson.badRows);
  assert.equal(rows.length, 1000);
  assert.equal(decoder.decode((await first).value), JSON.stringify(transform(good[0])) + "\n");
  assert.equal((await reader.read()).done, true);
});

Deno.test("NdjsonStream errors badRows too when the source fails", async () => {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${good[0]}\nbad\n`));
    },
    pull() {
      throw new Error("network gone");
    },
  });
  const ndjson = new NdjsonStream(source);
  const badRows = Array.fromAsync(ndjson.badRows);
  await assert.rejects(readAll(ndjson), StreamReadError);
  await assert.rejects(badRows, (error: unknown) => {
    assert.ok(error instanceof StreamReadError);
    assert.equal(error.line, 2);
    return true;
  });
});

/** Reads `stream` slowly (other tasks run between reads) until it ends or errors. */
async function readSlowly(
  stream: ReadableStream<Uint8Array>,
  mode: "default" | "byob",
): Promise<{ text: string; error: unknown }> {
  const parts: Uint8Array[] = [];
  let error: unknown;
  if (mode === "byob") {
    const reader = stream.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(4096);
    try {
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done || value === undefined) break;
        parts.push(value.slice());
        buffer = value.buffer;
        await yieldToOthers();
      }
    } catch (e) {
      error = e;
    }
  } else {
    try {
      for await (const chunk of stream) {
        parts.push(chunk);
        await yieldToOthers();
      }
    } catch (e) {
      error = e;
    }
  }
  return { text: decoder.decode(concatBytes(parts)), error };
}

async function readRowsSlowly(rows: ReadableStream<BadRow>) {
  const seen: BadRow[] = [];
  let error: unknown;
  try {
    for await (const row of rows) {
      seen.push(row);
      await yieldToOthers();
    }
  } catch (e) {
    error = e;
  }
  return { rows: seen, error };
}

/** `lines` as chunks of `size` lines, each ending with a newline. */
function lineChunks(lines: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size).join("\n") + "\n");
  return out;
}

function assertFailedAfter(error: unknown, line: number, message: RegExp) {
  assert.ok(error instanceof StreamReadError, String(error));
  assert.equal(error.line, line);
  assert.match(error.message, message);
}

Deno.test("NdjsonStream delivers every event and bad row read before the input fails", async (t) => {
  const lines = corpus.slice(0, 200);
  const want = expected(lines);
  const failed = /^Cannot read the input after line 200: connection reset$/;
  for (const bytes of [false, true]) {
    for (const mode of ["default", "byob"] as const) {
      await t.step(`${bytes ? "byte" : "plain"} source, ${mode} reader, slow readers`, async () => {
        const source = failingAfter(lineChunks(lines, 25), new Error("connection reset"), bytes);
        const ndjson = new NdjsonStream(source);
        const [events, badRows] = await Promise.all([
          readSlowly(ndjson, mode),
          readRowsSlowly(ndjson.badRows),
        ]);
        assert.equal(events.text, want.events);
        assert.deepEqual(badRows.rows, want.badRows);
        assertFailedAfter(events.error, 200, failed);
        assert.equal(badRows.error, events.error);
        assert.equal(ndjson.stats.events + ndjson.stats.badRows, 200);
      });
    }
  }
  await t.step("bad rows read only once the NDJSON has failed", async () => {
    const ndjson = new NdjsonStream(
      failingAfter(lineChunks(lines, 25), new Error("connection reset")),
    );
    const events = await readSlowly(ndjson, "default");
    assert.equal(events.text, want.events);
    assertFailedAfter(events.error, 200, failed);
    const badRows = await readRowsSlowly(ndjson.badRows);
    assert.deepEqual(badRows.rows, want.badRows);
    assert.equal(badRows.error, events.error);
  });
  await t.step("a corrupt second gzip member in the same chunk as the first", async () => {
    const first = await gzipMember(lines.join("\n") + "\n");
    const second = await gzipMember(lines.join("\n") + "\n");
    second.fill(0xff, 12, 40); // the start of its deflate data
    for (const mode of ["default", "byob"] as const) {
      const ndjson = new NdjsonStream(streamOf([concatBytes([first, second])]));
      const [events, badRows] = await Promise.all([
        readSlowly(ndjson, mode),
        readRowsSlowly(ndjson.badRows),
      ]);
      assert.equal(events.text, want.events, mode);
      assert.deepEqual(badRows.rows, want.badRows);
      assertFailedAfter(
        events.error,
        200,
        /^Cannot read the input after line 200: Cannot decompress/,
      );
    }
  });
});

Deno.test("NdjsonStream keeps memory flat on a 200 MB input", async () => {
  const pool = good.map((line) => encoder.encode(line + "\n"));
  const target = 200 * 1024 * 1024;
  let produced = 0;
  let next = 0;
  let pending = new Uint8Array(0);
  let peak = 0;
  const chunkSize = 64 * 1024;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= target) return controller.close();
      const chunk = new Uint8Array(chunkSize);
      let used = 0;
      while (used < chunkSize) {
        if (pending.length === 0) pending = pool[next++ % pool.length];
        const take = Math.min(pending.length, chunkSize - used);
        chunk.set(pending.subarray(0, take), used);
        used += take;
        pending = pending.subarray(take);
      }
      produced += used;
      controller.enqueue(chunk);
      if ((produced / chunkSize) % 64 === 0) {
        peak = Math.max(peak, Deno.memoryUsage().heapUsed);
      }
    },
  });
  const before = Deno.memoryUsage().heapUsed;
  const ndjson = new NdjsonStream(source);
  ndjson.badRows.cancel();
  let out = 0;
  for await (const chunk of ndjson) out += chunk.length;
  const growth = peak - before;
  assert.ok(ndjson.stats.textBytes >= target);
  assert.ok(ndjson.stats.events > 50_000, `${ndjson.stats.events} events`);
  assert.ok(out > target / 2);
  assert.ok(growth < 64 * 1024 * 1024, `heap grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
});

Deno.test("NdjsonStream keeps input order when lines mix the byte path and the text path", async () => {
  // Lines the byte writer leaves to the text path: JSON with whitespace it does not copy, invalid
  // UTF-8 (replaced by U+FFFD, then transformed), and a byte-order mark on the first line.
  const withSpaces = good[0].replace('{"schema"', '{ "schema"');
  const lines = [good[1], withSpaces, good[2], good[3], withSpaces, good[4]];
  const invalid = concatBytes([new Uint8Array([0xff]), encoder.encode(good[5])]); // in app_id
  const bytes = concatBytes([
    new Uint8Array([0xef, 0xbb, 0xbf]),
    encoder.encode(lines.join("\r\n") + "\n\n"),
    invalid,
    encoder.encode("\n" + good[6] + "\n"),
  ]);
  const ndjson = new NdjsonStream(streamOf(chunked(bytes, 777)));
  ndjson.badRows.cancel();
  const out = decoder.decode(await readAll(ndjson)).split("\n").filter(Boolean);
  const want = [...lines, decoder.decode(invalid), good[6]].map((line) => transform(line));
  assert.equal(out.length, want.length);
  out.forEach((json, i) => assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(want[i]))));
  assert.equal(ndjson.stats.emptyLines, 1);
  assert.equal(ndjson.stats.invalidUtf8Lines, 1);
  assert.equal(ndjson.stats.events, want.length);
});

/** Enriched lines with every kind of line end, and what transform() makes of each line. */
function lineEndCases(): { text: string; lines: string[] } {
  const lastEmpty = good.find((line) => line.endsWith("\t"))!; // true_tstamp empty
  const ends = ["\n", "\r\n", "\r\r\n", "\r\r\r\n", "\n"];
  const lines = [good[0], good[1], good[2], lastEmpty, lastEmpty];
  const text = lines.map((line, i) => line + ends[i]).join("") + `${good[3]}\r\r`;
  // What transform() is given: the line without its `\n` and one `\r` (the end of the input
  // ends the last line like a `\n`).
  const seen = [good[0], good[1], `${good[2]}\r`, `${lastEmpty}\r\r`, lastEmpty, `${good[3]}\r`];
  return { text, lines: seen };
}

Deno.test("NdjsonStream, EventStream and transform() agree on CR before a line's end", async () => {
  const { text, lines } = lineEndCases();
  const want = expected(lines);
  assert.equal(want.badRows.length, 3, "a CR left in true_tstamp makes a bad row");
  const data = encoder.encode(text);
  for (const size of [1, 2, 100, 4096, data.length]) {
    const ndjson = new NdjsonStream(streamOf(chunked(data, size)));
    const [events, badRows] = await Promise.all([readAll(ndjson), Array.fromAsync(ndjson.badRows)]);
    assert.equal(decoder.decode(events), want.events, `chunks of ${size}`);
    assert.deepEqual(badRows, want.badRows);
    const results = await Array.fromAsync(new EventStream(streamOf(chunked(data, size))));
    assert.deepEqual(
      results.map((r) => r.event ? JSON.stringify(r.event) + "\n" : r.badRow),
      lines.map((line, i) => {
        const row = want.badRows.find((r) => r.line === i + 1);
        return row ?? JSON.stringify(transform(line)) + "\n";
      }),
    );
  }
});

Deno.test("NdjsonStream writes each fallback line as transformToJson does", async () => {
  // Spaces after a colon inside a context's data: the byte writer copies them, the object path
  // does not. A first line with a byte-order mark and a line with invalid UTF-8 are refused as
  // bytes but their decoded text is not, so they keep the copied spaces; a line the byte writer
  // refuses as it is (a space before "schema") is written as JSON.stringify(transform()).
  const spaced = (line: string) => line.replace(/"id":/g, '"id": ');
  const copied = good.filter((line) => spaced(line) !== line).slice(0, 3).map(spaced);
  const refused = good[0].replace('{"schema"', '{ "schema"');
  const invalid = concatBytes([new Uint8Array([0xff]), encoder.encode(copied[1])]); // in app_id
  const bytes = concatBytes([
    new Uint8Array([0xef, 0xbb, 0xbf]),
    encoder.encode(`${copied[0]}\n`),
    invalid,
    encoder.encode(`\n${refused}\n${copied[2]}\nnot an event\n`),
  ]);
  const ndjson = new NdjsonStream(streamOf(chunked(bytes, 333)));
  ndjson.badRows.cancel();
  const out = decoder.decode(await readAll(ndjson));
  const lines = [copied[0], decoder.decode(invalid), refused, copied[2]];
  assert.equal(out, lines.map((line) => `${transformToJson(line)}\n`).join(""));
  assert.ok(out.includes('"id": '), "the copied spaces are kept");
  assert.equal(ndjson.stats.events, 4);
  assert.equal(ndjson.stats.badRows, 1);
});
