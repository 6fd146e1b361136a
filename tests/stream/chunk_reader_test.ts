import assert from "node:assert/strict";
import { ChunkReader } from "../../src/stream/chunk_reader.ts";
import { byteStreamOf, chunked, concatBytes, streamOf } from "../support/byte_streams.ts";

const bytes = new Uint8Array(5_000_000).map((_, i) => (i * 7) % 253);

Deno.test("ChunkReader reads a byte stream into buffers it reads into again once released", async () => {
  const reader = new ChunkReader(byteStreamOf(chunked(bytes, 100_000)));
  const released: ArrayBufferLike[] = [];
  const parts: Uint8Array[] = [];
  let ahead = reader.read(); // as LineSource reads: the next chunk asked for before this one is used
  for (;;) {
    const result = await ahead;
    if (result.done) break;
    ahead = reader.read();
    parts.push(result.value.slice());
    reader.release(result.value);
    released.push(result.value.buffer);
  }
  assert.deepEqual(concatBytes(parts), bytes);
  assert.ok(parts.length > 40, `${parts.length} chunks`);
  // A BYOB read takes over (detaches) the buffer it reads into: every released buffer but the
  // last few was read into again.
  const reused = released.filter((buffer) => buffer.byteLength === 0).length;
  assert.ok(reused >= released.length - 3, `${reused} of ${released.length} buffers reused`);
});

Deno.test("ChunkReader keeps every chunk intact that is not released", async () => {
  const reader = new ChunkReader(byteStreamOf(chunked(bytes, 100_000)));
  const chunks: Uint8Array[] = [];
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    chunks.push(result.value);
  }
  assert.deepEqual(concatBytes(chunks), bytes);
});

Deno.test("ChunkReader reads any other stream with a default reader, chunks as they come", async () => {
  const given = chunked(bytes.subarray(0, 1000), 300);
  const reader = new ChunkReader(streamOf(given));
  const chunks: Uint8Array[] = [];
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    chunks.push(result.value);
    reader.release(result.value); // no effect: the stream's own buffers
  }
  assert.deepEqual(chunks, given);
});

Deno.test("ChunkReader cancels and unlocks the stream", async () => {
  let cancelled: unknown;
  const stream = new ReadableStream({
    type: "bytes",
    pull() {},
    cancel(reason) {
      cancelled = reason;
    },
  });
  const reader = new ChunkReader(stream);
  await reader.cancel("stop");
  assert.equal(cancelled, "stop");
  reader.releaseLock();
  assert.equal(stream.locked, false);
});

Deno.test("ChunkReader refuses a locked stream with the stream's own error", () => {
  const stream = byteStreamOf(["abc"]);
  stream.getReader();
  assert.throws(() => new ChunkReader(stream), TypeError);
});
