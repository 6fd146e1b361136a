import assert from "node:assert/strict";
import {
  openOutputFile,
  Output,
  OutputError,
  writeAll,
  writerWritable,
} from "../../src/cli/output.ts";
import { NO_TMPFS, requireTmpfs } from "../support/full_disk.ts";

Deno.test("writeAll() continues short writes until every byte is written", async () => {
  const taken: number[] = [];
  // Each write takes at most 3 bytes.
  const shortWriter = {
    write(bytes: Uint8Array) {
      const n = Math.min(3, bytes.length);
      taken.push(...bytes.subarray(0, n));
      return Promise.resolve(n);
    },
  };
  await writeAll(shortWriter, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.deepEqual(taken, [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("writeAll() fails on a write that takes nothing instead of looping", async () => {
  await assert.rejects(
    writeAll({ write: () => Promise.resolve(0) }, new Uint8Array(5)),
    /the write took 0 of 5 bytes/,
  );
});

Deno.test("Output reports a failed write as one OutputError naming the output", async () => {
  const enospc = new Error("No space left on device (os error 28)");
  const output = new Output(writerWritable({ write: () => Promise.reject(enospc) }), "stdout");
  await assert.rejects(output.write("x"), (error: unknown) => {
    assert.ok(error instanceof OutputError);
    assert.equal(error.message, "Cannot write to stdout: No space left on device (os error 28)");
    assert.equal(error.output, "stdout");
    assert.equal(error.cause, enospc);
    return true;
  });
  await assert.rejects(output.close(), OutputError);
});

Deno.test({
  name: "openOutputFile() writes every byte and checks them at close",
  async fn() {
    const path = await Deno.makeTempFile();
    try {
      const output = await openOutputFile(path);
      const chunk = new Uint8Array(100_000).fill(0x61);
      for (let i = 0; i < 30; i++) await output.write(chunk);
      await output.write("end\n");
      await output.close();
      assert.equal((await Deno.stat(path)).size, 3_000_004);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name: "openOutputFile() reports a full disk as an OutputError naming the file",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("256k");
    const path = `${disk.dir}/out.ndjson`;
    const output = await openOutputFile(path);
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let failure: unknown;
    try {
      for (let i = 0; i < 8; i++) await output.write(chunk); // 512 KiB into 256 KiB
      await output.close();
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof OutputError, String(failure));
    assert.equal(failure.output, path);
    assert.match(failure.message, /^Cannot write to .*out\.ndjson: No space left on device/);
    await output.abort(); // never throws, also after the failure
  },
});

Deno.test("openOutputFile() writes to a device such as /dev/null without flushing it", async () => {
  const output = await openOutputFile("/dev/null");
  await output.write("nothing\n");
  await output.close();
});
