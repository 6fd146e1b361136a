import assert from "node:assert/strict";
import * as root from "../../mod.ts";
import * as stream from "../../src/stream/mod.ts";
import { JsonStringifyStream, NdjsonEncodeStream } from "../../src/stream/json_stringify_stream.ts";
import { readAll } from "../support/byte_streams.ts";

const decoder = new TextDecoder();

Deno.test("JsonStringifyStream writes one JSON value per line", async () => {
  const values = [{ a: 1 }, "text", [1, null], 3];
  const out = await readAll(ReadableStream.from(values).pipeThrough(new JsonStringifyStream()));
  assert.equal(decoder.decode(out), '{"a":1}\n"text"\n[1,null]\n3\n');
});

Deno.test("NdjsonEncodeStream (deprecated) is JsonStringifyStream, in the root and ./stream", async () => {
  assert.equal(NdjsonEncodeStream, JsonStringifyStream);
  assert.equal(root.NdjsonEncodeStream, JsonStringifyStream);
  assert.equal(stream.NdjsonEncodeStream, JsonStringifyStream);
  assert.equal(root.JsonStringifyStream, JsonStringifyStream);
  assert.equal(stream.JsonStringifyStream, JsonStringifyStream);
  // The old name still works as a type and as a constructor.
  const old: NdjsonEncodeStream = new NdjsonEncodeStream();
  assert.ok(old instanceof JsonStringifyStream);
  const out = await readAll(ReadableStream.from([{ a: 1 }]).pipeThrough(old));
  assert.equal(decoder.decode(out), '{"a":1}\n');
});
