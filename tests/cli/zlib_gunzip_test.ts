import assert from "node:assert/strict";
import { constants, gunzipSync } from "node:zlib";
import { nativeGunzip } from "../../src/cli/native_gunzip.ts";
import { ZlibGunzip } from "../../src/cli/zlib_gunzip.ts";
import { generateLines } from "../support/generator.ts";
import {
  chunked,
  concatBytes,
  failingAfter,
  gzipMember,
  streamOf,
} from "../support/byte_streams.ts";

const decoder = new TextDecoder();
const text = [...generateLines({ seed: 5, count: 1500 })].map((g) => g.line).join("\n") + "\n";
const gz = await gzipMember(text);
const last = await gzipMember("last\n");
const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
/** What zlib can decompress from the cut data. */
const cutText = decoder.decode(gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }));

function gunzip(): ZlibGunzip {
  const made = ZlibGunzip.create();
  assert.ok(made !== undefined, "Deno's node:zlib can be driven directly");
  return made;
}

/** The text of `chunks`, and the error that ended them (each chunk is copied as it comes). */
async function collect(chunks: AsyncIterable<Uint8Array>, then = (_: Uint8Array) => {}) {
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of chunks) {
      parts.push(chunk.slice());
      then(chunk);
    }
  } catch (error) {
    return { text: decoder.decode(concatBytes(parts)), error };
  }
  return { text: decoder.decode(concatBytes(parts)), error: undefined };
}

/** What `zlib` makes of `source`, each view given back once copied (as the transform threads do). */
function readReleasing(source: ReadableStream<Uint8Array>, zlib = gunzip()) {
  return collect(zlib.decompress(source), (view) => zlib.release(view));
}

/** The same through `nativeGunzip()`. */
function readNative(source: ReadableStream<Uint8Array>) {
  return collect(source.pipeThrough(nativeGunzip()));
}

Deno.test("ZlibGunzip decompresses every member, in any chunking", async () => {
  const two = concatBytes([gz, last]);
  for (const size of [1, 7, 4096, two.length]) {
    // Single bytes for the start only (the header and first blocks): the rest in one chunk.
    const chunks = size === 1
      ? [...chunked(two.subarray(0, 5000), 1), two.subarray(5000)]
      : chunked(two, size);
    const { text: got, error } = await readReleasing(streamOf(chunks));
    assert.equal(error, undefined, `chunks of ${size}`);
    assert.equal(got, text + "last\n", `chunks of ${size}`);
  }
});

Deno.test("ZlibGunzip delivers what it decompressed before data cut short, then errors", async () => {
  for (const size of [cut.length, 4096]) {
    const { text: got, error } = await readReleasing(streamOf(chunked(cut, size)));
    assert.ok(cutText.length > 1_000_000, "the cut data fills many buffers");
    assert.equal(got, cutText, `chunks of ${size}`);
    assert.match(String(error), /unexpected end of file/);
  }
});

Deno.test("ZlibGunzip ends with the input's own error, the same object, after what came before", async () => {
  const reset = new Error("connection reset");
  const { text: got, error } = await readReleasing(failingAfter(chunked(cut, 65536), reset));
  assert.equal(error, reset);
  assert.equal(got, cutText);
});

Deno.test("ZlibGunzip does what nativeGunzip() does with padding, garbage and corrupt data", async () => {
  const badCheck = new Uint8Array(last);
  badCheck[badCheck.length - 6] ^= 0xff; // the CRC-32
  const badLength = new Uint8Array(last);
  badLength[badLength.length - 1] ^= 0x01; // ISIZE
  const cases: [string, Uint8Array][] = [
    ["zero padding after the last member", concatBytes([last, new Uint8Array(10)])],
    ["a member after zero padding", concatBytes([last, new Uint8Array(4), last])],
    ["garbage after the last member", concatBytes([last, new Uint8Array([1, 2, 3, 4])])],
    [
      "a second header with an unknown method",
      concatBytes([last, new Uint8Array([0x1f, 0x8b, 3, 4])]),
    ],
    ["a wrong CRC-32", badCheck],
    ["a wrong length", badLength],
    ["a header only", last.subarray(0, 10)],
    ["corrupt deflate data", concatBytes([gz.subarray(0, 2000), new Uint8Array(200).fill(0xff)])],
  ];
  for (const [name, bytes] of cases) {
    for (const size of [3, bytes.length]) {
      const expected = await readNative(streamOf(chunked(bytes, size)));
      const got = await readReleasing(streamOf(chunked(bytes, size)));
      assert.equal(got.text, expected.text, `${name}, chunks of ${size}`);
      assert.equal(String(got.error), String(expected.error), `${name}, chunks of ${size}`);
    }
  }
});

Deno.test("ZlibGunzip writes a buffer again only once every view of it is given back", async () => {
  const zlib = gunzip();
  const long = text.repeat(3);
  const held: { view: Uint8Array; copy: Uint8Array }[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let released = 0;
  for await (const view of zlib.decompress(streamOf(chunked(await gzipMember(long), 8192)))) {
    held.push({ view, copy: view.slice() });
    buffers.add(view.buffer);
    // Give back all but the last 10 views: those must stay as they were.
    while (held.length > 10) {
      const { view: old, copy } = held.shift()!;
      assert.deepEqual(old, copy, "a view is intact until it is given back");
      zlib.release(old);
      released++;
    }
  }
  for (const { view, copy } of held) {
    assert.deepEqual(view, copy, "views held to the end are intact");
  }
  assert.ok(released > 100, `many views given back (${released})`);
  const fresh = Math.ceil(long.length / (256 * 1024));
  assert.ok(
    buffers.size < fresh / 2,
    `buffers are reused: ${buffers.size} for ${fresh} buffers' worth of text`,
  );
});

Deno.test("ZlibGunzip never writes into a view that is not given back", async () => {
  const zlib = gunzip();
  const all: Uint8Array[] = [];
  const kept: { view: Uint8Array; copy: Uint8Array }[] = [];
  const seen = new Set<ArrayBufferLike>();
  for await (const view of zlib.decompress(streamOf(chunked(gz, 1024)))) {
    all.push(view.slice());
    // The first view of each buffer is kept to the end; the others are given back at once.
    if (seen.has(view.buffer)) {
      zlib.release(view);
    } else {
      seen.add(view.buffer);
      kept.push({ view, copy: view.slice() });
    }
  }
  assert.equal(decoder.decode(concatBytes(all)), text);
  assert.ok(kept.length > 10, `views kept in ${kept.length} buffers`);
  for (const { view, copy } of kept) assert.deepEqual(view, copy);
});
