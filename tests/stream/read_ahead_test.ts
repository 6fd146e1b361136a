import assert from "node:assert/strict";
import { readAhead } from "../../src/stream/read_ahead.ts";
import { concatBytes, failingAfter, yieldToOthers } from "../support/byte_streams.ts";

const chunks = Array.from({ length: 10 }, (_, i) => new Uint8Array(1000).fill(i));

Deno.test("readAhead() reads up to its limit before anyone reads", async () => {
  let pulled = 0;
  let i = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  }, { highWaterMark: 0 });
  const ahead = readAhead(source, 3000);
  // Let it read ahead (its reads are microtasks, which all run before the next task): it
  // stops once 3,000 bytes are queued.
  for (let k = 0; k < 20; k++) await yieldToOthers();
  assert.equal(i, 3);
  assert.ok(pulled <= 4);
  const parts = await Array.fromAsync(ahead);
  assert.deepEqual(concatBytes(parts), concatBytes(chunks));
});

Deno.test("readAhead() delivers every chunk read before the source failed, then the error", async () => {
  const reset = new Error("connection reset");
  const ahead = readAhead(failingAfter(chunks, reset), 1 << 20);
  for (let k = 0; k < 20; k++) await yieldToOthers(); // all ten chunks and the error read ahead
  const seen: Uint8Array[] = [];
  await assert.rejects(async () => {
    for await (const chunk of ahead) {
      seen.push(chunk);
      await yieldToOthers();
    }
  }, (error) => error === reset);
  assert.deepEqual(concatBytes(seen), concatBytes(chunks));
});

Deno.test("readAhead() errors at once when nothing is queued", async () => {
  const reset = new Error("reset");
  await assert.rejects(
    Array.fromAsync(readAhead(failingAfter([], reset), 100)),
    (e) => e === reset,
  );
});

Deno.test("readAhead() cancels its source when cancelled", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(new Uint8Array(10)),
    cancel: (reason) => void (cancelled = reason),
  });
  const ahead = readAhead(source, 100);
  const reader = ahead.getReader();
  await reader.read();
  await reader.cancel("done");
  assert.equal(cancelled, "done");
});
