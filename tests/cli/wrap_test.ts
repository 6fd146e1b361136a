import assert from "node:assert/strict";
import { hangingLines, wrapText } from "../../src/cli/wrap.ts";

Deno.test("wrapText() re-flows paragraphs and keeps indented lines", () => {
  const text = "one two three\nfour five six seven\n\n  keep   this line as it is\neight nine";
  assert.equal(
    wrapText(text, 14),
    "one two three\nfour five six\nseven\n\n  keep   this line as it is\neight nine",
  );
});

Deno.test("wrapText() puts a word longer than the width on its own line", () => {
  assert.equal(
    wrapText("a https://example.com/a/long/path b", 10),
    "a\nhttps://example.com/a/long/path\nb",
  );
});

Deno.test("hangingLines() indents continuation lines under the text column", () => {
  assert.deepEqual(hangingLines("  --out DIR", "write one file per run into DIR", 14, 30), [
    "  --out DIR   write one file",
    "              per run into DIR",
  ]);
  // A left column as wide as the indent: the text starts on the next line.
  assert.deepEqual(hangingLines("  --very-long-option", "text", 10, 30), [
    "  --very-long-option",
    "          text",
  ]);
});
