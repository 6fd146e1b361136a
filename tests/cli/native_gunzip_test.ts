import assert from "node:assert/strict";
import { constants, gunzipSync } from "node:zlib";
import { nativeGunzip } from "../../src/cli/native_gunzip.ts";
import { NdjsonStream } from "../../src/stream/ndjson_stream.ts";
import { StreamReadError } from "../../src/stream/stream_read_error.ts";
import { transformToJson } from "../../src/event/mod.ts";
import { generateLines } from "../support/generator.ts";
import {
  chunked,
  concatBytes,
  failingAfter,
  gzipMember,
  streamOf,
  yieldToOthers,
} from "../support/byte_streams.ts";

const decoder = new TextDecoder();
const lines = [...generateLines({ seed: 3, count: 1500 })].map((g) => g.line);
const gz = await gzipMember(lines.join("\n") + "\n");
const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
/** What zlib can decompress from the cut data. */
const cutText = decoder.decode(gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }));

/** Reads `stream` slowly (other tasks run between reads); returns the bytes and the error. */
async function readSlowly(stream: ReadableStream<Uint8Array>) {
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of stream) {
      parts.push(chunk);
      await yieldToOthers();
    }
  } catch (error) {
    return { text: decoder.decode(concatBytes(parts)), error };
  }
  return { text: decoder.decode(concatBytes(parts)), error: undefined };
}

Deno.test("nativeGunzip() decompresses every member", async () => {
  const two = concatBytes([gz, await gzipMember("last\n")]);
  const { text, error } = await readSlowly(
    streamOf(chunked(two, 100_000)).pipeThrough(nativeGunzip()),
  );
  assert.equal(error, undefined);
  assert.equal(text, lines.join("\n") + "\nlast\n");
});

Deno.test("nativeGunzip() delivers what it decompressed before data cut short, then errors", async () => {
  for (const size of [cut.length, 4096]) {
    const { text, error } = await readSlowly(
      streamOf(chunked(cut, size)).pipeThrough(nativeGunzip()),
    );
    assert.ok(cutText.length > 1_000_000, "the cut data holds many chunks of output");
    assert.equal(text, cutText, `chunks of ${size}`);
    assert.match(String(error), /unexpected end of file/);
  }
});

Deno.test("nativeGunzip() ends with the input's own error after what was decompressed", async () => {
  const reset = new Error("connection reset");
  const source = failingAfter(chunked(cut, 65536), reset);
  const { text, error } = await readSlowly(source.pipeThrough(nativeGunzip()));
  assert.equal(error, reset);
  assert.equal(text, cutText);
});

Deno.test("NdjsonStream with nativeGunzip() writes every line before the cut", async () => {
  const complete = cutText.slice(0, cutText.lastIndexOf("\n")).split("\n");
  const ndjson = new NdjsonStream(streamOf([cut]), { gunzip: nativeGunzip });
  ndjson.badRows.cancel();
  const { text, error } = await readSlowly(ndjson);
  assert.ok(error instanceof StreamReadError, String(error));
  assert.equal(error.line, complete.length);
  assert.match(error.message, /Cannot decompress gzip input: unexpected end of file$/);
  assert.equal(text, complete.map((line) => transformToJson(line) + "\n").join(""));
});
