import assert from "node:assert/strict";
import { fileSource } from "../../src/cli/file_source.ts";

Deno.test("fileSource() reads a whole file in chunks of up to 1 MiB", async () => {
  const path = await Deno.makeTempFile();
  try {
    const bytes = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => i % 251);
    await Deno.writeFile(path, bytes);
    const chunks = await Array.fromAsync(fileSource(await Deno.open(path)));
    assert.deepEqual(chunks.map((c) => c.length), [1 << 20, 1 << 20, 0.5 * (1 << 20)]);
    const joined = new Uint8Array(bytes.length);
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    assert.deepEqual(joined, bytes);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fileSource() closes the file when the stream is cancelled", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(3 << 20));
    const file = await Deno.open(path);
    const reader = fileSource(file).getReader();
    await reader.read();
    await reader.cancel();
    assert.throws(() => file.close(), Deno.errors.BadResource); // already closed
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fileSource() reads straight into a BYOB reader's buffer and survives a cancel mid-read", async () => {
  const path = await Deno.makeTempFile();
  try {
    const bytes = new Uint8Array(300_000).map((_, i) => i % 241);
    await Deno.writeFile(path, bytes);
    const reader = fileSource(await Deno.open(path)).getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(100_000);
    let offset = 0;
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      assert.deepEqual(value, bytes.subarray(offset, offset + value.length));
      offset += value.length;
      buffer = value.buffer;
    }
    assert.equal(offset, bytes.length);

    const file = await Deno.open(path);
    const early = fileSource(file).getReader({ mode: "byob" });
    const pending = early.read(new Uint8Array(1000));
    await early.cancel(); // waits for the read in flight, which settles quietly
    assert.equal((await pending).done, true);
    assert.throws(() => file.close(), Deno.errors.BadResource); // closed by the cancel
  } finally {
    await Deno.remove(path);
  }
});
