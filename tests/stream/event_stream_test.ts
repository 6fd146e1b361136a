import assert from "node:assert/strict";
import { transform, TransformError } from "../../src/event/mod.ts";
import {
  type EventResult,
  EventStream,
  type EventStreamOptions,
} from "../../src/stream/event_stream.ts";
import { StreamReadError } from "../../src/stream/stream_read_error.ts";
import { generateLines } from "../support/generator.ts";
import {
  chunked,
  concatBytes,
  failingAfter,
  gzipMember,
  streamOf,
  yieldToOthers,
} from "../support/byte_streams.ts";

const encoder = new TextEncoder();
const generated = [...generateLines({ seed: 7, count: 300, badRate: 0.2 })];
const corpus = generated.map((g) => g.line);
const good = generated.filter((g) => g.label === "ok").map((g) => g.line);
const corpusText = corpus.join("\n") + "\n";

/** What EventStream must give for `lines` (1-based numbering, empty lines skipped). */
function expectedResults(
  lines: string[],
  options: EventStreamOptions = {},
): EventResult<boolean>[] {
  const out: EventResult<boolean>[] = [];
  lines.forEach((raw, i) => {
    if (raw === "") return;
    try {
      out.push({ line: i + 1, event: transform(raw, options) });
    } catch (error) {
      assert.ok(error instanceof TransformError);
      out.push({ line: i + 1, badRow: { line: i + 1, raw, error: error.toJSON() } });
    }
  });
  return out;
}

/** The longest start of `text` that fits in `bytes` UTF-8 bytes. */
function prefixOf(text: string, bytes: number): string {
  let out = "";
  for (const char of text) {
    if (encoder.encode(out + char).length > bytes) break;
    out += char;
  }
  return out;
}

async function read(source: ReadableStream<Uint8Array>, options?: EventStreamOptions) {
  const stream = new EventStream(source, options);
  const results = await Array.fromAsync(stream);
  return { results, stats: stream.stats };
}

Deno.test("EventStream turns every line into one event or one bad row", async () => {
  const { results, stats } = await read(streamOf(chunked(encoder.encode(corpusText), 4096)));
  const expected = expectedResults(corpus);
  assert.deepEqual(results, expected);
  const bad = expected.filter((r) => r.badRow).length;
  assert.ok(bad > 30, "the corpus has bad lines");
  assert.deepEqual(stats, {
    lines: 300,
    events: 300 - bad,
    badRows: bad,
    emptyLines: 0,
    invalidUtf8Lines: 0,
    sourceBytes: encoder.encode(corpusText).length,
    textBytes: encoder.encode(corpusText).length,
    gzip: false,
    done: true,
  });
});

Deno.test("EventStream reads gzip, also multi-member, like plain text", async () => {
  const half = corpus.length / 2;
  const first = corpus.slice(0, half).join("\r\n") + "\r\n";
  const second = corpus.slice(half).join("\n"); // no newline at the end
  const gz = concatBytes([await gzipMember(first), await gzipMember(second)]);
  for (const size of [97, 1000, gz.length]) {
    const { results, stats } = await read(streamOf(chunked(gz, size)));
    assert.deepEqual(results, expectedResults(corpus), `chunks of ${size}`);
    assert.equal(stats.gzip, true);
    assert.equal(stats.lines, corpus.length);
    assert.equal(stats.sourceBytes, gz.length);
  }
});

Deno.test("EventStream passes the transform options on", async (t) => {
  const options: EventStreamOptions[] = [
    { nulls: true },
    { geoLocation: false },
    { schemaVersion: true },
  ];
  for (const option of options) {
    await t.step(JSON.stringify(option), async () => {
      const lines = corpus.slice(0, 40);
      const { results } = await read(streamOf([lines.join("\n")]), option);
      assert.deepEqual(results, expectedResults(lines, option));
    });
  }
});

Deno.test("EventStream counts empty lines and numbers the lines around them", async () => {
  const lines = ["", good[0], "", "\r", good[1], "x", "", ""];
  const { results, stats } = await read(streamOf([lines.join("\n")]));
  assert.deepEqual(results.map((r) => r.line), [2, 5, 6]);
  assert.deepEqual(results[2].badRow, { line: 6, raw: "x", error: { type: "NotTSV" } });
  assert.equal(stats.emptyLines, 4);
  assert.equal(stats.lines, 7);
  assert.equal(stats.lines, stats.events + stats.badRows + stats.emptyLines);
});

Deno.test("EventStream makes a line over maxLineBytes a LineTooLong bad row", async () => {
  const bySize = [...good].sort((a, b) => a.length - b.length);
  const [short, long] = [bySize[0], bySize[bySize.length - 1]];
  const max = encoder.encode(short).length + 1;
  assert.ok(encoder.encode(long).length > max + 1024);
  const { results, stats } = await read(
    streamOf(chunked(encoder.encode(`${short}\n${long}\n${short}\n`), 512)),
    { maxLineBytes: max },
  );
  assert.equal(results.length, 3);
  assert.ok(results[0].event && results[2].event);
  assert.deepEqual(results[1].badRow, {
    line: 2,
    raw: prefixOf(long, 1024),
    error: { type: "LineTooLong", bytes: encoder.encode(long).length, maxLineBytes: max },
  });
  assert.equal(stats.badRows, 1);
});

Deno.test("EventStream errors with StreamReadError and the line reached when the source fails", async () => {
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 2) throw new Error("disk on fire");
      controller.enqueue(encoder.encode(`${corpus[sent++]}\n`));
    },
  });
  const stream = new EventStream(source);
  const seen: EventResult[] = [];
  await assert.rejects(
    async () => {
      for await (const result of stream) seen.push(result);
    },
    (error: unknown) => {
      assert.ok(error instanceof StreamReadError);
      assert.equal(error.line, 2);
      assert.equal(error.message, "Cannot read the input after line 2: disk on fire");
      assert.equal((error.cause as Error).message, "disk on fire");
      return true;
    },
  );
  assert.equal(seen.length, 2);
  assert.equal(stream.stats.done, true);
});

Deno.test("EventStream errors with StreamReadError on corrupt or truncated gzip", async (t) => {
  const gz = await gzipMember(corpusText);
  const cases: [string, Uint8Array][] = [
    ["truncated", gz.subarray(0, Math.floor(gz.length / 2))],
    [
      "corrupted",
      (() => {
        const bad = gz.slice();
        bad.fill(0xff, 2000, 2100);
        return bad;
      })(),
    ],
  ];
  for (const [name, bytes] of cases) {
    await t.step(name, async () => {
      const stream = new EventStream(streamOf(chunked(bytes, 1024)));
      let count = 0;
      await assert.rejects(
        async () => {
          for await (const _ of stream) count++;
        },
        (error: unknown) => {
          assert.ok(error instanceof StreamReadError, String(error));
          assert.match(error.message, /^Cannot read the input after line \d+: Cannot decompress/);
          assert.equal(error.line, count);
          assert.ok(error.cause instanceof TypeError);
          return true;
        },
      );
    });
  }
});

Deno.test("EventStream delivers every result read before the input fails", async (t) => {
  const lines = corpus.slice(0, 120);
  const text = lines.join("\n") + "\n";
  const want = expectedResults(lines);
  const readSlowly = async (stream: EventStream) => {
    const seen: EventResult[] = [];
    try {
      for await (const result of stream) {
        seen.push(result);
        await yieldToOthers();
      }
    } catch (error) {
      return { seen, error };
    }
    assert.fail("expected the stream to error");
  };
  for (const bytes of [false, true]) {
    await t.step(
      `a ${bytes ? "byte" : "plain"} source that fails after its last chunk`,
      async () => {
        const chunks = [0, 40, 80].map((i) => lines.slice(i, i + 40).join("\n") + "\n");
        const stream = new EventStream(failingAfter(chunks, new Error("reset"), bytes));
        const { seen, error } = await readSlowly(stream);
        assert.deepEqual(seen, want);
        assert.ok(error instanceof StreamReadError);
        assert.equal(error.message, "Cannot read the input after line 120: reset");
      },
    );
  }
  await t.step("a corrupt second gzip member in the same chunk as the first", async () => {
    const second = await gzipMember(text);
    second.fill(0xff, 12, 40);
    const input = concatBytes([await gzipMember(text), second]);
    const { seen, error } = await readSlowly(new EventStream(streamOf([input])));
    assert.deepEqual(seen, want);
    assert.ok(error instanceof StreamReadError);
    assert.equal(error.line, 120);
  });
});

Deno.test("EventStream cancels its source when it is cancelled", async () => {
  let cancelled: unknown = null;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(encoder.encode(`${good[0]}\n`));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const stream = new EventStream(source);
  const reader = stream.getReader();
  assert.ok((await reader.read()).value?.event);
  await reader.cancel("enough");
  assert.equal(cancelled, "enough");
});

Deno.test("EventStream reads gzip only when asked with the gzip option", async (t) => {
  const gz = await gzipMember(`${good[0]}\n`);
  await t.step("gzip: false reads the bytes as text", async () => {
    const { results, stats } = await read(streamOf([gz]), { gzip: false });
    assert.equal(stats.gzip, false);
    assert.ok(results.every((r) => r.badRow));
  });
  await t.step("gzip: true rejects plain text", async () => {
    await assert.rejects(read(streamOf([corpusText]), { gzip: true }), StreamReadError);
  });
  await t.step("auto waits for two bytes to decide", async () => {
    const { results } = await read(streamOf(chunked(gz, 1)));
    assert.deepEqual(results, expectedResults([good[0]]));
  });
});

Deno.test("EventStream rejects invalid options at once", async (t) => {
  const cases: [string, EventStreamOptions, ErrorConstructor][] = [
    ["zero maxLineBytes", { maxLineBytes: 0 }, RangeError],
    ["fractional maxLineBytes", { maxLineBytes: 1.5 }, RangeError],
    ["unknown gzip mode", { gzip: "yes" as unknown as boolean }, TypeError],
  ];
  for (const [name, options, type] of cases) {
    await t.step(name, () => {
      assert.throws(() => new EventStream(streamOf([]), options), type);
    });
  }
});

Deno.test("EventStream transforms a large gzip chunk a piece at a time, as it is read", async () => {
  // One compressed chunk of about a megabyte that decompresses into thousands of lines: the
  // first read must not turn them all into objects at once (they would all be held in memory).
  const lines = Array.from({ length: 40 }, () => good).flat();
  const gz = await gzipMember(lines.join("\n") + "\n");
  const stream = new EventStream(streamOf([gz]));
  const reader = stream.getReader();
  const first = await reader.read();
  assert.equal(first.done, false);
  assert.ok(
    stream.stats.events < lines.length / 2,
    `${stream.stats.events} of ${lines.length} events made by the first read`,
  );
  let count = 1;
  while (!(await reader.read()).done) count++;
  assert.equal(count, lines.length);
  assert.equal(stream.stats.events, lines.length);
});
