import assert from "node:assert/strict";
import type { LineHandler } from "../../src/stream/line_splitter.ts";
import { LineSource } from "../../src/stream/line_source.ts";
import { StreamReadError } from "../../src/stream/stream_read_error.ts";
import { chunked, concatBytes, gzipMember, streamOf } from "../support/byte_streams.ts";

async function drain(source: LineSource): Promise<string[]> {
  const lines: string[] = [];
  const handler: LineHandler = {
    line: (text, n) => lines.push(`${n}:${text}`),
    tooLong: (_prefix, bytes, n) => lines.push(`${n}:TOO_LONG(${bytes})`),
  };
  while (await source.next(handler)) { /* read on */ }
  return lines;
}

Deno.test("LineSource detects gzip by its magic bytes, even from one-byte chunks", async (t) => {
  const gz = concatBytes([await gzipMember("a\tb\n"), await gzipMember("c\td")]);
  for (const size of [1, 2, gz.length]) {
    await t.step(`chunks of ${size}`, async () => {
      const source = new LineSource(streamOf(chunked(gz, size)));
      assert.deepEqual(await drain(source), ["1:a\tb", "2:c\td"]);
      assert.equal(source.stats.gzip, true);
      assert.equal(source.stats.sourceBytes, gz.length);
      assert.equal(source.stats.textBytes, 7);
      assert.equal(source.stats.done, true);
    });
  }
  await t.step("a one-byte plain input", async () => {
    const source = new LineSource(streamOf(["x"]));
    assert.deepEqual(await drain(source), ["1:x"]);
    assert.equal(source.stats.gzip, false);
  });
});

Deno.test("LineSource hands over the lines decompressed before gzip data breaks", async () => {
  const text = Array.from({ length: 2000 }, (_, i) => `line ${i}\t${"x".repeat(i % 50)}`).join(
    "\n",
  );
  const gz = await gzipMember(text);
  const cut = gz.subarray(0, Math.floor(gz.length * 0.8));
  const lines: string[] = [];
  const source = new LineSource(streamOf(chunked(cut, 4096)));
  const handler: LineHandler = { line: (t) => lines.push(t), tooLong: () => {} };
  await assert.rejects(
    async () => {
      while (await source.next(handler)) { /* read on */ }
    },
    (error: unknown) => {
      assert.ok(error instanceof StreamReadError);
      assert.equal(error.line, lines.length);
      assert.ok(lines.length > 1000, `${lines.length} lines before the cut`);
      return true;
    },
  );
  assert.equal(
    lines[lines.length - 1],
    `line ${lines.length - 1}\t${"x".repeat((lines.length - 1) % 50)}`,
  );
});

Deno.test("LineSource cancels a source whose gzip data is corrupt", async () => {
  let cancelled: unknown;
  const gz = await gzipMember("a\tb\n".repeat(1000));
  const broken = gz.slice();
  broken.fill(0xff, 12, 40);
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(broken);
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  await assert.rejects(drain(new LineSource(source)), StreamReadError);
  assert.ok(cancelled instanceof TypeError);
});
