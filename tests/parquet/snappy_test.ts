import assert from "node:assert/strict";
import { snappyUncompress } from "npm:hyparquet@1.31.5";
import { _Bytes } from "../../src/parquet/bytes.ts";
import { _snappyCompress } from "../../src/parquet/snappy.ts";
import { Prng } from "../support/generator.ts";

/** Compresses with ours and decompresses with hyparquet's Snappy reader. */
function roundTrip(input: Uint8Array): { output: Uint8Array; compressed: number } {
  const out = new _Bytes(16);
  _snappyCompress(input, out);
  const output = new Uint8Array(input.length);
  snappyUncompress(out.content(), output);
  return { output, compressed: out.length };
}

Deno.test("_snappyCompress() output decompresses to the input (hyparquet's reader)", async (t) => {
  const rng = new Prng(5);
  const random = (n: number) => Uint8Array.from({ length: n }, () => rng.below(256));
  const text = (n: number) =>
    new TextEncoder().encode(
      Array.from({ length: n }, () => rng.pick(["id", "url", "https://", '{"a":', "1", ","])).join(
        "",
      ),
    ).subarray(0, n);
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["one byte", Uint8Array.of(7)],
    ["three bytes", Uint8Array.of(1, 2, 3)],
    ["a run longer than 64 bytes", new Uint8Array(1000).fill(97)],
    ["random, 61 bytes (a literal over 60)", random(61)],
    ["random, 300 bytes (a literal over 256)", random(300)],
    ["random, 70,000 bytes (two blocks)", random(70_000)],
    ["text, 200,000 bytes (repeats near and far)", text(200_000)],
    [
      "a repeat 3,000 bytes back (a 2-byte offset)",
      (() => {
        const head = random(3_000);
        const bytes = new Uint8Array(6_100);
        bytes.set(head);
        bytes.set(head.subarray(0, 100), 3_000);
        bytes.set(random(3_000), 3_100);
        return bytes;
      })(),
    ],
  ];
  for (const [name, input] of cases) {
    await t.step(name, () => {
      const { output } = roundTrip(input);
      assert.deepEqual(output, input);
    });
  }
  await t.step("repetitive text shrinks", () => {
    const input = text(100_000);
    assert.ok(roundTrip(input).compressed < input.length / 2);
  });
});
