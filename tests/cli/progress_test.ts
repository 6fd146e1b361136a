import assert from "node:assert/strict";
import { Output } from "../../src/cli/output.ts";
import { Progress } from "../../src/cli/progress.ts";
import type { StreamStats } from "../../src/stream/mod.ts";

function capture() {
  let text = "";
  const decoder = new TextDecoder();
  const output = new Output(
    new WritableStream({
      write(chunk) {
        text += decoder.decode(chunk);
      },
    }),
  );
  return { output, text: () => text };
}

function stats(partial: Partial<StreamStats>): StreamStats {
  return {
    lines: 0,
    events: 0,
    badRows: 0,
    emptyLines: 0,
    invalidUtf8Lines: 0,
    sourceBytes: 0,
    textBytes: 0,
    gzip: false,
    done: true,
    ...partial,
  };
}

Deno.test("Progress sums files into a one-line summary with the rate", () => {
  let clock = 1000;
  const progress = new Progress(capture().output, false, () => clock);
  progress.add(stats({ lines: 10, events: 7, badRows: 2, emptyLines: 1 }));
  progress.add(stats({ lines: 5, events: 5, invalidUtf8Lines: 2 }));
  clock += 2000;
  assert.equal(
    progress.summary(),
    "transform: 15 lines, 12 events, 2 bad rows, 1 empty line in 2.00 s (6 events/s), 2 files; " +
      "2 lines with invalid UTF-8 (replaced by U+FFFD)",
  );
});

Deno.test("Progress draws a live line after a second, at most four times a second, and clears it", async () => {
  let clock = 0;
  const err = capture();
  const progress = new Progress(err.output, true, () => clock);
  const current = stats({ lines: 100, events: 90, badRows: 10, sourceBytes: 500 });
  await progress.tick(current, "a.tsv", 1000);
  assert.equal(err.text(), "", "nothing during the first second");
  clock = 1000;
  await progress.tick(current, "a.tsv", 1000);
  assert.equal(err.text(), "\r\x1b[Ka.tsv 50%: 100 lines, 90 events, 10 bad rows, 90 events/s");
  clock = 1100;
  await progress.tick(current, "a.tsv", 1000);
  assert.equal(err.text().split("\r\x1b[K").length, 2, "not redrawn within 250 ms");
  clock = 1300;
  await progress.tick(current, "-");
  assert.ok(err.text().includes("\r\x1b[K-: 100 lines"));
  await progress.clear();
  assert.ok(err.text().endsWith("\r\x1b[K"));
});

Deno.test("Progress draws nothing when not live", async () => {
  let clock = 0;
  const err = capture();
  const progress = new Progress(err.output, false, () => clock);
  clock = 5000;
  await progress.tick(stats({ lines: 1 }), "a.tsv");
  await progress.clear();
  assert.equal(err.text(), "");
});
