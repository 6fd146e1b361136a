import assert from "node:assert/strict";
import { GunzipDecoder, nativeGunzipWorks } from "../../src/stream/gunzip_decoder.ts";
import { chunked, concatBytes, gzipMember } from "../support/byte_streams.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Both ways of decoding a member: the runtime's DecompressionStream and fflate. */
const BACKENDS = [["DecompressionStream", true], ["fflate", false]] as const;

interface Decoded {
  text: string;
  error?: TypeError;
}

/** Decodes `bytes` pushed in chunks of `size`, as far as it goes. */
async function decode(bytes: Uint8Array, size: number, native: boolean): Promise<Decoded> {
  const gunzip = new GunzipDecoder(native);
  const out: Uint8Array[] = [];
  const chunks = bytes.length === 0 ? [bytes] : chunked(bytes, size);
  for (const [i, chunk] of chunks.entries()) {
    const result = await gunzip.push(chunk, i === chunks.length - 1);
    out.push(...result.out);
    if (result.error) return { text: decoder.decode(concatBytes(out)), error: result.error };
  }
  return { text: decoder.decode(concatBytes(out)) };
}

/** Text that compresses to a few hundred bytes. */
function lines(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `line ${from + i}\t${"x".repeat(i % 13)}\n`)
    .join("");
}

function assertGzipError(error: TypeError | undefined, pattern: RegExp, where: string): void {
  assert.ok(error instanceof TypeError, `${where}: expected an error`);
  assert.match(error.message, /^Cannot decompress gzip input: /, where);
  assert.match(error.message, pattern, where);
}

Deno.test("nativeGunzipWorks() is true on Deno (DecompressionStream decodes each member)", async () => {
  assert.equal(await nativeGunzipWorks(), true);
});

Deno.test("GunzipDecoder reads every member, with zero padding, however it is chunked", async (t) => {
  const texts = ["first\tmember\n", "", "second é\n", lines(0, 300), "third"];
  const members = await Promise.all(texts.map((text) => gzipMember(text)));
  const whole = texts.join("");
  const inputs: [string, Uint8Array][] = [
    ["members", concatBytes(members)],
    ["one zero byte after", concatBytes([...members, new Uint8Array(1)])],
    ["100 zero bytes after", concatBytes([...members, new Uint8Array(100)])],
  ];
  for (const [backend, native] of BACKENDS) {
    for (const [name, input] of inputs) {
      await t.step(`${backend}: ${name}`, async () => {
        for (const size of [1, 2, 3, 7, 19, 64, 1000, input.length]) {
          const { text, error } = await decode(input, size, native);
          assert.equal(error, undefined, `chunks of ${size}: ${error?.message}`);
          assert.equal(text, whole, `chunks of ${size}`);
        }
      });
    }
  }
});

Deno.test("GunzipDecoder is not fooled by gzip headers and zeros inside compressed data", async (t) => {
  // Random bytes are stored, not compressed: the header bytes and zeros appear in the member
  // as they are, where a member could end.
  const random = new Uint8Array(300_000);
  for (let i = 0; i < random.length; i += 65536) {
    crypto.getRandomValues(random.subarray(i, i + 65536));
  }
  const inner = await gzipMember("inner member\n");
  for (let at = 1000; at < random.length - 200; at += 25_000) {
    random.set(inner, at);
    random.fill(0, at + inner.length, at + inner.length + 20);
  }
  random.fill(0, random.length - 100); // the member's data ends in zeros too
  const input = concatBytes([
    await gzipMember(random),
    await gzipMember("after\n"),
    new Uint8Array(5),
  ]);
  for (const [backend, native] of BACKENDS) {
    await t.step(backend, async () => {
      for (const size of [4093, 65536, 1 << 20]) {
        const gunzip = new GunzipDecoder(native);
        const out: Uint8Array[] = [];
        const chunks = chunked(input, size);
        for (const [i, chunk] of chunks.entries()) {
          const result = await gunzip.push(chunk, i === chunks.length - 1);
          assert.equal(result.error, undefined, result.error?.message);
          out.push(...result.out);
        }
        const bytes = concatBytes(out);
        assert.deepEqual(bytes.subarray(0, random.length), random, `chunks of ${size}`);
        assert.equal(decoder.decode(bytes.subarray(random.length)), "after\n");
      }
    });
  }
});

Deno.test("GunzipDecoder reads a header with a file name, an extra field and a header CRC", async (t) => {
  const member = await gzipMember("named\n");
  const extra = [4, 0, 0x41, 0x42, 0x1f, 0x8b]; // XLEN 4, then 4 bytes (one a fake magic)
  const name = [...encoder.encode("events.tsv"), 0];
  const header = [...member.subarray(0, 10), ...extra, ...name, 0x12, 0x34];
  header[3] = 0x04 | 0x08 | 0x02; // FEXTRA | FNAME | FHCRC
  const named = concatBytes([new Uint8Array(header), member.subarray(10)]);
  // DecompressionStream checks the header CRC (FHCRC): give it the right one.
  const crc = await headerCrc16(new Uint8Array(header.slice(0, -2)));
  named[header.length - 2] = crc & 0xff;
  named[header.length - 1] = crc >> 8;
  const input = concatBytes([named, await gzipMember("plain\n"), named]);
  for (const [backend, native] of BACKENDS) {
    await t.step(backend, async () => {
      for (const size of [1, 5, input.length]) {
        const { text, error } = await decode(input, size, native);
        assert.equal(error, undefined, error?.message);
        assert.equal(text, "named\nplain\nnamed\n");
      }
    });
  }
});

/** The low 16 bits of the CRC-32 of `bytes` (the gzip header CRC). */
async function headerCrc16(bytes: Uint8Array): Promise<number> {
  const { crc32 } = await import("../../src/stream/crc32.ts");
  return crc32(bytes) & 0xffff;
}

Deno.test("GunzipDecoder rejects a member whose CRC-32 or ISIZE does not match", async (t) => {
  const first = lines(0, 200);
  const second = lines(200, 200);
  const a = await gzipMember(first);
  const b = await gzipMember(second);
  const cases: [string, number, RegExp][] = [
    ["CRC-32 of the first member", a.length - 8, /gzip member 1 .*corrupt/],
    ["ISIZE of the first member", a.length - 4, /gzip member 1 .*corrupt/],
    ["CRC-32 of the last member", a.length + b.length - 8, /gzip member 2 .*CRC-32/],
    ["ISIZE of the last member", a.length + b.length - 1, /gzip member 2 .*ISIZE/],
  ];
  for (const [backend, native] of BACKENDS) {
    for (const [name, at, pattern] of cases) {
      await t.step(`${backend}: ${name}`, async () => {
        for (const size of [1, 3, 64, a.length + b.length]) {
          const input = concatBytes([a, b]);
          input[at] ^= 0x01;
          const { text, error } = await decode(input, size, native);
          assertGzipError(error, pattern, `${name}, chunks of ${size}`);
          if (at >= a.length) assert.ok(text.startsWith(first), "the first member is delivered");
          assert.ok((first + second).startsWith(text), "nothing but the members' data");
        }
      });
    }
  }
});

Deno.test("GunzipDecoder rejects input cut anywhere inside a member, and delivers what came before", async (t) => {
  const first = lines(0, 60);
  const second = lines(60, 60);
  const a = await gzipMember(first);
  const input = concatBytes([a, await gzipMember(second)]);
  for (const [backend, native] of BACKENDS) {
    await t.step(backend, async () => {
      for (let cut = 1; cut < input.length; cut++) {
        if (cut === a.length) continue; // a whole first member: a valid file
        const sizes = cut % 7 === 0 ? [1, cut] : [cut];
        for (const size of sizes) {
          const { text, error } = await decode(input.subarray(0, cut), size, native);
          const where = `cut at ${cut} of ${input.length}, chunks of ${size}`;
          assertGzipError(error, /truncated|corrupt/, where);
          if (cut > a.length) assert.ok(text.startsWith(first), `${where}: first member delivered`);
          assert.ok((first + second).startsWith(text), where);
        }
      }
      const { text, error } = await decode(input.subarray(0, a.length), 1, native);
      assert.equal(error, undefined);
      assert.equal(text, first);
    });
  }
});

Deno.test("GunzipDecoder rejects data that is not gzip, or garbage after the last member", async (t) => {
  const member = await gzipMember("data\n");
  const cases: [string, Uint8Array, RegExp][] = [
    ["plain text", encoder.encode("plain text\n"), /not gzip/],
    [
      "a wrong compression method",
      concatBytes([new Uint8Array([0x1f, 0x8b, 7])]),
      /not gzip|header/,
    ],
    ["garbage after the last member", concatBytes([member, encoder.encode("junk")]), /member 1/],
    [
      "data after the zero padding",
      concatBytes([member, new Uint8Array(10), member]),
      /after the zero padding|member 1 is corrupt/, // zeros in the middle of a chunk are fed to the member
    ],
  ];
  for (const [backend, native] of BACKENDS) {
    for (const [name, input, pattern] of cases) {
      await t.step(`${backend}: ${name}`, async () => {
        for (const size of [1, input.length]) {
          const { error } = await decode(input, size, native);
          assertGzipError(error, pattern, `${name}, chunks of ${size}`);
        }
      });
    }
  }
  await t.step("empty input is no member and no error", async () => {
    for (const [, native] of BACKENDS) {
      assert.deepEqual(await decode(new Uint8Array(0), 1, native), { text: "" });
    }
  });
});
