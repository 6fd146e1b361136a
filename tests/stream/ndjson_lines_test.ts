import assert from "node:assert/strict";
import { NdjsonStream } from "../../src/stream/mod.ts";
import { NdjsonLines } from "../../src/stream/_ndjson_lines.ts";
import { generateCorpus } from "../support/generator.ts";

const decoder = new TextDecoder();

/** `text` cut at the line ends after `cuts` lines, each piece converted on its own. */
function inPieces(text: Uint8Array, cuts: number[], options = {}) {
  const ends = [0];
  let at = 0;
  let line = 0;
  for (const cut of cuts) {
    while (line < cut) {
      at = text.indexOf(0x0a, at) + 1;
      line++;
    }
    ends.push(at);
  }
  ends.push(text.length);
  let ndjson = "";
  const badRows = [];
  let lines = 0;
  let events = 0;
  for (let i = 1; i < ends.length; i++) {
    const piece = new NdjsonLines(options, lines + 1);
    piece.push(text.subarray(ends[i - 1], ends[i]));
    if (i === ends.length - 1) piece.finish();
    const result = piece.take();
    ndjson += decoder.decode(result.ndjson);
    badRows.push(...result.badRows);
    lines += result.counts.lines;
    events += result.counts.events;
    assert.equal(result.counts.badRows, result.badRows.length);
  }
  return { ndjson, badRows, lines, events };
}

async function whole(text: Uint8Array, options = {}) {
  const stream = new NdjsonStream(new Blob([text as Uint8Array<ArrayBuffer>]).stream(), options);
  const [ndjson, badRows] = await Promise.all([
    new Response(stream).text(),
    Array.fromAsync(stream.badRows),
  ]);
  return { ndjson, badRows, lines: stream.stats.lines, events: stream.stats.events };
}

Deno.test("NdjsonLines: pieces cut at line ends give what NdjsonStream gives for the whole", async () => {
  const lines = generateCorpus(11, 300);
  lines[0] = "\uFEFF" + lines[0];
  lines[100] = "\uFEFF" + lines[100]; // kept: only line 1 loses its mark
  lines[150] = "";
  lines[151] = "bad\r";
  lines[200] = "y".repeat(5000);
  const text = new TextEncoder().encode(lines.join("\n"));
  const options = { maxLineBytes: 4000 };
  const want = await whole(text, options);
  assert.ok(want.badRows.some((row) => row.line === 201 && row.error.type === "LineTooLong"));
  for (const cuts of [[], [1], [100], [100, 101, 150, 152, 201], [1, 2, 3, 299]]) {
    assert.deepEqual(inPieces(text, cuts, options), want, `cut after lines ${cuts}`);
  }
});

Deno.test("NdjsonLines numbers lines from firstLine and ends a last line without newline at finish", () => {
  const fields = Array(131).fill("");
  fields[0] = "shop";
  const text = new TextEncoder().encode(`not an event\n\n${fields.join("\t")}`);
  const lines = new NdjsonLines({}, 41);
  lines.push(text);
  assert.equal(lines.take().counts.lines, 2); // the last line waits for its end
  const ended = new NdjsonLines({}, 41);
  ended.push(text);
  ended.finish();
  const { ndjson, badRows, counts } = ended.take();
  assert.equal(decoder.decode(ndjson), '{"app_id":"shop"}\n');
  assert.deepEqual(badRows, [{ line: 41, raw: "not an event", error: { type: "NotTSV" } }]);
  assert.deepEqual(counts, {
    lines: 3,
    events: 1,
    badRows: 1,
    emptyLines: 1,
    invalidUtf8Lines: 0,
    textBytes: text.length,
  });
});
