import assert from "node:assert/strict";
import {
  type LineHandler,
  LineSplitter,
  RAW_PREFIX_BYTES,
} from "../../src/stream/line_splitter.ts";
import { chunked } from "../support/byte_streams.ts";

type Seen = [number, string] | [number, "TOO_LONG", string, number];

function split(chunks: Uint8Array[], maxLineBytes = 1 << 20) {
  const seen: Seen[] = [];
  const handler: LineHandler = {
    line: (text, n) => seen.push([n, text]),
    tooLong: (prefix, bytes, n) => seen.push([n, "TOO_LONG", prefix, bytes]),
  };
  const splitter = new LineSplitter(maxLineBytes);
  for (const chunk of chunks) splitter.push(chunk, handler);
  splitter.finish(handler);
  return { seen, counts: splitter.counts };
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("LineSplitter splits on \\n and \\r\\n and numbers lines from 1", async (t) => {
  const cases: [string, string, Seen[], number][] = [
    ["LF", "a\nb\n", [[1, "a"], [2, "b"]], 0],
    ["CRLF", "a\r\nb\r\n", [[1, "a"], [2, "b"]], 0],
    ["last line without newline", "a\nb", [[1, "a"], [2, "b"]], 0],
    ["last line with only CR", "a\nb\r", [[1, "a"], [2, "b"]], 0],
    ["empty lines counted, not handed over", "\na\n\r\n\nb\n", [[2, "a"], [5, "b"]], 3],
    ["lone CR inside a line is kept", "a\rb\n", [[1, "a\rb"]], 0],
    ["empty input", "", [], 0],
    ["only a newline", "\n", [], 1],
    ["BOM removed from line 1 only", "\uFEFFa\n\uFEFFb\n", [[1, "a"], [2, "\uFEFFb"]], 0],
    ["multi-byte text", "é\t日本\n🎉\n", [[1, "é\t日本"], [2, "🎉"]], 0],
  ];
  for (const [name, text, expected, empty] of cases) {
    await t.step(name, () => {
      const { seen, counts } = split([bytes(text)]);
      assert.deepEqual(seen, expected);
      assert.equal(counts.emptyLines, empty);
      assert.equal(counts.lines, expected.length + empty);
      assert.equal(counts.textBytes, bytes(text).length);
    });
  }
});

Deno.test("LineSplitter gives the same lines for every chunking of the input", () => {
  const text = "\uFEFFfirst\tline\r\nsecond é 日本 🎉\n\n\r\nlast\r";
  const whole = split([bytes(text)]);
  const data = bytes(text);
  for (let size = 1; size <= data.length; size++) {
    assert.deepEqual(split(chunked(data, size)), whole, `chunks of ${size} bytes`);
  }
  for (let cut = 0; cut <= data.length; cut++) {
    assert.deepEqual(split([data.subarray(0, cut), data.subarray(cut)]), whole, `cut at ${cut}`);
  }
});

Deno.test("LineSplitter replaces invalid UTF-8 and counts the lines that had it", async (t) => {
  const bad = new Uint8Array([0x61, 0xff, 0x62]); // a, invalid byte, b
  const data = new Uint8Array([...bytes("ok\n"), ...bad, 0x0a, ...bytes("\uFFFD genuine\n")]);
  await t.step("in one chunk", () => {
    const { seen, counts } = split([data]);
    assert.deepEqual(seen, [[1, "ok"], [2, "a\uFFFDb"], [3, "\uFFFD genuine"]]);
    assert.equal(counts.invalidUtf8Lines, 1);
  });
  await t.step("across chunks", () => {
    for (let size = 1; size <= data.length; size++) {
      const { seen, counts } = split(chunked(data, size));
      assert.deepEqual(seen, [[1, "ok"], [2, "a\uFFFDb"], [3, "\uFFFD genuine"]]);
      assert.equal(counts.invalidUtf8Lines, 1, `chunks of ${size} bytes`);
    }
  });
});

Deno.test("LineSplitter hands over a line over the limit as too long, with a bounded prefix", async (t) => {
  const max = 5000;
  const long = "x".repeat(7000);
  const text = `short\n${long}\n${"y".repeat(max)}\nafter`;
  const expected: Seen[] = [
    [1, "short"],
    [2, "TOO_LONG", "x".repeat(RAW_PREFIX_BYTES), 7000],
    [3, "y".repeat(max)],
    [4, "after"],
  ];
  for (const size of [1000, 3000, 4999, 5000, 5001, 7000, 20000]) {
    await t.step(`chunks of ${size} bytes`, () => {
      assert.deepEqual(split(chunked(bytes(text), size), max).seen, expected);
    });
  }
  await t.step("a last line without newline", () => {
    const { seen } = split(chunked(bytes(`a\n${long}`), 999), max);
    assert.deepEqual(seen, [[1, "a"], [2, "TOO_LONG", "x".repeat(RAW_PREFIX_BYTES), 7000]]);
  });
  await t.step("the prefix is not cut inside a character", () => {
    const wide = "€".repeat(3000); // 3 bytes each: the 1024-byte prefix ends mid-character
    const { seen } = split(chunked(bytes(`${wide}\n`), 700), max);
    assert.deepEqual(seen, [[1, "TOO_LONG", "€".repeat(341), 9000]]);
  });
  await t.step("a 64 MiB line without newlines is counted, not stored", () => {
    const chunk = new Uint8Array(1 << 20).fill(0x7a);
    const splitter = new LineSplitter(max);
    const seen: Seen[] = [];
    const handler: LineHandler = {
      line: (t, n) => seen.push([n, t]),
      tooLong: (prefix, bytes, n) => seen.push([n, "TOO_LONG", prefix.slice(0, 3), bytes]),
    };
    for (let i = 0; i < 64; i++) splitter.push(chunk, handler);
    splitter.finish(handler);
    assert.deepEqual(seen, [[1, "TOO_LONG", "zzz", 64 << 20]]);
  });
});

Deno.test("LineSplitter removes exactly one \\r before a line's end", async (t) => {
  const cases: [string, string, Seen[], number][] = [
    ["CR CR LF keeps one CR", "a\r\r\nb\n", [[1, "a\r"], [2, "b"]], 0],
    ["CR CR at the end of the input keeps one CR", "a\nb\r\r", [[1, "a"], [2, "b\r"]], 0],
    ["a line of two CRs is one CR", "\r\r\n", [[1, "\r"]], 0],
    ["a line of one CR is empty", "\r\n\r", [], 2],
  ];
  for (const [name, text, expected, empty] of cases) {
    await t.step(name, () => {
      const data = bytes(text);
      for (let size = 1; size <= data.length; size++) {
        const { seen, counts } = split(chunked(data, size));
        assert.deepEqual(seen, expected, `chunks of ${size}`);
        assert.equal(counts.emptyLines, empty);
      }
    });
  }
  await t.step("a line still ending with CR is not offered as bytes", () => {
    const offered: string[] = [];
    const lines: string[] = [];
    const handler: LineHandler = {
      bytes(data, start, end) {
        offered.push(new TextDecoder().decode(data.subarray(start, end)));
        return true;
      },
      line: (text) => lines.push(text),
      tooLong: () => assert.fail("not too long"),
    };
    const splitter = new LineSplitter(100);
    splitter.push(bytes("a\r\nb\r\r\nc\r\r"), handler);
    splitter.finish(handler);
    assert.deepEqual(offered, ["a"]);
    assert.deepEqual(lines, ["b\r", "c\r"]);
  });
});

Deno.test("LineSplitter gives a too-long line the same raw prefix and length whatever the chunking", async (t) => {
  const encoder = new TextEncoder();
  /** What the bad row must hold: the first bytes of the line without its end, whole characters. */
  const expectedTooLong = (line: string): [string, number] => {
    const length = encoder.encode(line).length;
    let prefix = "";
    for (const char of line) {
      if (encoder.encode(prefix + char).length > RAW_PREFIX_BYTES) break;
      prefix += char;
    }
    return [prefix, length];
  };
  const long = (n: number) => "é€🎉x".repeat(n); // 2 + 3 + 4 + 1 bytes per repeat
  for (const max of [1, 5, 100, 1023, 1024, 1025, 3000]) {
    await t.step(`maxLineBytes ${max}`, () => {
      const over = Math.ceil(max / 10);
      const lines = [long(over + 1), long(over + 200), "\uFEFF" + long(over + 150)];
      const text = `${lines[0]}\r\n${lines[1]}\n${lines[2]}\r`;
      const want: Seen[] = lines.map((line, i) => {
        const [prefix, length] = expectedTooLong(line);
        return [i + 1, "TOO_LONG", prefix, length];
      });
      const data = bytes(text);
      const sizes = [1, 2, 3, 7, 64, 999, 1024, 1025, 4096, data.length];
      for (const size of sizes) {
        assert.deepEqual(split(chunked(data, size), max).seen, want, `chunks of ${size}`);
      }
      for (let cut = 0; cut <= data.length; cut += 37) {
        const chunks = [data.subarray(0, cut), data.subarray(cut)];
        assert.deepEqual(split(chunks, max).seen, want, `cut at ${cut}`);
      }
    });
  }
  await t.step("a line one byte over the limit only with its CR is not too long", () => {
    for (let size = 1; size <= 8; size++) {
      const { seen } = split(chunked(bytes("abcde\r\nabcdef\r\n"), size), 5);
      assert.deepEqual(seen, [[1, "abcde"], [2, "TOO_LONG", "abcdef", 6]], `chunks of ${size}`);
    }
  });
});
