import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { createGunzip } from "node:zlib";
import { GunzipStream } from "../../src/stream/gzip.ts";
import type { LineHandler } from "../../src/stream/line_splitter.ts";
import { type GunzipPair, LineSource } from "../../src/stream/line_source.ts";
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

function nodeGunzip(): GunzipPair {
  return Duplex.toWeb(createGunzip()) as unknown as GunzipPair;
}

Deno.test("LineSource reads gzip through the gunzip option when one is given", async (t) => {
  const gz = concatBytes([await gzipMember("a\tb\n"), await gzipMember("c\td\n")]);
  await t.step("a custom decompressor", async () => {
    let made = 0;
    const source = new LineSource(streamOf(chunked(gz, 5)), {
      gunzip: () => {
        made++;
        return new GunzipStream();
      },
    });
    assert.deepEqual(await drain(source), ["1:a\tb", "2:c\td"]);
    assert.equal(made, 1);
    assert.equal(source.stats.gzip, true);
    assert.equal(source.stats.sourceBytes, gz.length);
    assert.equal(source.stats.textBytes, 8);
  });
  await t.step("not used for plain input", async () => {
    const source = new LineSource(streamOf(["x\n"]), { gunzip: () => assert.fail("used") });
    assert.deepEqual(await drain(source), ["1:x"]);
  });
  await t.step("node:zlib and the built-in decoder both check the CRC-32", async () => {
    const bad = gz.slice();
    bad[bad.length - 8] ^= 0xff; // the last member's CRC-32
    for (const options of [{ gunzip: nodeGunzip }, {}]) {
      const lines: string[] = [];
      const source = new LineSource(streamOf([bad]), options);
      const handler: LineHandler = { line: (text) => lines.push(text), tooLong: () => {} };
      await assert.rejects(
        async () => {
          while (await source.next(handler)) { /* read on */ }
        },
        (error: unknown) => {
          assert.ok(error instanceof StreamReadError);
          assert.match(
            error.message,
            /^Cannot read the input after line \d: Cannot decompress gzip input: /,
          );
          return true;
        },
      );
      // A member's data is handed over as it is decoded; its trailer is checked at its end.
      if (options.gunzip === undefined) assert.deepEqual(lines, ["a\tb", "c\td"]);
    }
  });
});

Deno.test("LineSource tells a failed source from a failed decompressor", async (t) => {
  const gz = await gzipMember("a\tb\n".repeat(5000));
  for (
    const [name, gunzip] of [["GunzipStream", () => new GunzipStream()], [
      "node:zlib",
      nodeGunzip,
    ]] as const
  ) {
    await t.step(name, async () => {
      let sent = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 2) throw new Error("disk gone");
          controller.enqueue(gz.subarray(sent * 100, ++sent * 100));
        },
      });
      await assert.rejects(drain(new LineSource(source, { gunzip })), (error: unknown) => {
        assert.ok(error instanceof StreamReadError);
        assert.match(error.message, /^Cannot read the input after line \d+: disk gone$/);
        return true;
      });
    });
  }
});

Deno.test("LineSource cancels the source through the gunzip option's decompressor", async () => {
  const member = await gzipMember("a\tb\n".repeat(1000));
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(member); // endless members
    },
    cancel() {
      cancelled = true;
    },
  });
  const lines = new LineSource(source, { gunzip: nodeGunzip });
  const handler: LineHandler = { line: () => {}, tooLong: () => {} };
  while (lines.stats.lines === 0) await lines.next(handler);
  await lines.cancel("enough");
  assert.equal(cancelled, true);
});
