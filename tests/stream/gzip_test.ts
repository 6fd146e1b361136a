import assert from "node:assert/strict";
import { GunzipStream, isGzip } from "../../src/stream/gzip.ts";
import { chunked, concatBytes, gzipMember, readAll, streamOf } from "../support/byte_streams.ts";

const decoder = new TextDecoder();

Deno.test("isGzip() looks at the magic bytes 1f 8b", async (t) => {
  const cases: [string, number[], boolean][] = [
    ["gzip header", [0x1f, 0x8b, 8], true],
    ["only the magic bytes", [0x1f, 0x8b], true],
    ["one byte", [0x1f], false],
    ["empty", [], false],
    ["plain text", [0x61, 0x09], false],
    ["reversed", [0x8b, 0x1f], false],
  ];
  for (const [name, bytes, expected] of cases) {
    await t.step(name, () => assert.equal(isGzip(new Uint8Array(bytes)), expected));
  }
});

Deno.test("GunzipStream reads every member of a multi-member file, however it is chunked", async () => {
  const members = [
    await gzipMember("first\tmember\n"),
    await gzipMember(""),
    await gzipMember("second é\n"),
    await gzipMember("third"),
  ];
  const file = concatBytes(members);
  for (const size of [1, 2, 3, 7, 19, 64, file.length]) {
    const out = await readAll(streamOf(chunked(file, size)).pipeThrough(new GunzipStream()));
    assert.equal(decoder.decode(out), "first\tmember\nsecond é\nthird", `chunks of ${size}`);
  }
});

Deno.test("GunzipStream reads a large multi-member file whole", async () => {
  const part = "x\t".repeat(100_000) + "\n";
  const file = concatBytes([await gzipMember(part.repeat(5)), await gzipMember(part.repeat(3))]);
  const out = await readAll(streamOf(chunked(file, 65536)).pipeThrough(new GunzipStream()));
  assert.equal(out.length, part.length * 8);
});

Deno.test("GunzipStream errors with a TypeError on corrupt or truncated data", async (t) => {
  const member = await gzipMember("some text that is long enough to be cut\n".repeat(20));
  const cases: [string, Uint8Array][] = [
    ["truncated inside the deflate data", member.subarray(0, 15)],
    ["not gzip at all", new TextEncoder().encode("plain text\n")],
    ["garbage after the last member", concatBytes([member, new Uint8Array([1, 2, 3, 4])])],
  ];
  for (const [name, bytes] of cases) {
    await t.step(name, async () => {
      await assert.rejects(
        readAll(streamOf([bytes]).pipeThrough(new GunzipStream())),
        (error: Error) =>
          error instanceof TypeError && /^Cannot decompress gzip input: /.test(error.message),
      );
    });
  }
});
