import assert from "node:assert/strict";
import { LineFeedFinder } from "../../src/stream/line_feed.ts";

/** Every line feed index of `bytes`, found with the finder from each previous hit. */
function allLineFeeds(bytes: Uint8Array): number[] {
  const finder = new LineFeedFinder(bytes);
  const found: number[] = [];
  for (let at = finder.indexOf(0); at >= 0; at = finder.indexOf(at + 1)) found.push(at);
  return found;
}

function expectedLineFeeds(bytes: Uint8Array): number[] {
  const found: number[] = [];
  bytes.forEach((byte, i) => byte === 0x0a && found.push(i));
  return found;
}

Deno.test("LineFeedFinder finds what indexOf finds, at every alignment and density", () => {
  let seed = 11;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const buffer = new Uint8Array(4096 + 8);
  for (const density of [0, 1, 3, 50, 400, 5000]) {
    for (let round = 0; round < 40; round++) {
      // Bytes that look like line feeds to a sloppy word test (0x0a in other positions, 0x0b,
      // 0x8a, 0x09) around real ones.
      for (let i = 0; i < buffer.length; i++) {
        buffer[i] = density > 0 && random(density) === 0
          ? 0x0a
          : [0x0b, 0x8a, 0x09, 0x41][random(4)];
      }
      const offset = random(8);
      const length = random(4096);
      const chunk = buffer.subarray(offset, offset + length);
      assert.deepEqual(allLineFeeds(chunk), expectedLineFeeds(chunk), `offset ${offset}`);
    }
  }
});

Deno.test("LineFeedFinder looks only inside its chunk, not at the buffer around it", () => {
  const buffer = new Uint8Array(300).fill(0x0a);
  const chunk = buffer.subarray(5, 293);
  chunk.fill(0x41);
  chunk[200] = 0x0a;
  const finder = new LineFeedFinder(chunk);
  assert.equal(finder.indexOf(0), 200);
  assert.equal(finder.indexOf(201), -1);
  assert.equal(finder.indexOf(chunk.length), -1);
  assert.equal(new LineFeedFinder(new Uint8Array(0)).indexOf(0), -1);
  assert.equal(new LineFeedFinder(Uint8Array.of(0x41, 0x0a)).indexOf(0), 1);
});
