/**
 * `transform --jobs N` with N ≥ 2 (the input cut into pieces converted on transform threads)
 * gives exactly what one thread gives: the same NDJSON, bad rows, summary and exit status, on
 * inputs large enough to be cut into many pieces, with every kind of awkward line placed
 * across them.
 */

import assert from "node:assert/strict";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { PIECE_BYTES, THREADS_AFTER_BYTES } from "../../src/cli/transform_threads.ts";
import { generateCorpus } from "../support/generator.ts";
import { concatBytes, gzipMember } from "../support/byte_streams.ts";
import { runCli, runCliWithStdoutTo } from "../support/run_cli.ts";
import { HAS_DEV_FULL } from "../support/full_disk.ts";

const dir = await Deno.makeTempDir({ prefix: "cli_threads_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const encoder = new TextEncoder();

/** Lines of the seeded corpus (a tenth of them with a defect) and awkward lines among them. */
function awkwardText(): Uint8Array<ArrayBuffer> {
  const lines = generateCorpus(7, 4000);
  lines[0] = "\uFEFF" + lines[0]; // a byte-order mark on line 1 (removed)
  lines[900] = "\uFEFF" + lines[900]; // and inside the input (kept)
  lines[1200] = lines[1200] + "\r"; // CRLF
  lines[1201] = ""; // empty lines
  lines[1202] = "\r";
  lines[1500] = "not an event";
  // Longer than --max-line-bytes below and than a piece: a LineTooLong bad row.
  lines[2000] = "x".repeat(PIECE_BYTES * 3);
  lines[2500] = "é".repeat(200_000) + "\tlong but within the limit";
  const text = encoder.encode(lines.join("\n")); // the last line has no newline
  // Invalid UTF-8 in line 3000's first field.
  let at = 0;
  for (let line = 1; line < 3000; line++) at = text.indexOf(0x0a, at) + 1;
  text[at + 1] = 0xff;
  return text;
}

// The threads start once THREADS_AFTER_BYTES of text were converted on the main thread: a first
// file larger than that starts them, and the files after it go to them.
const first = `${dir}/first.tsv`;
const firstText = encoder.encode(generateCorpus(3, 14_000).join("\n") + "\n");
assert.ok(firstText.length > THREADS_AFTER_BYTES);
await Deno.writeFile(first, firstText);

const text = awkwardText();
const plain = `${dir}/events.tsv`;
await Deno.writeFile(plain, text);
const gz = `${dir}/events.tsv.gz`;
await Deno.writeFile(gz, await gzipMember(text));
// Three members cut at arbitrary bytes, not at line ends.
const members = `${dir}/members.tsv.gz`;
const cuts = [0, 1_234_567, 5_555_555, text.length];
await Deno.writeFile(
  members,
  concatBytes(
    await Promise.all(cuts.slice(1).map((end, i) => gzipMember(text.subarray(cuts[i], end)))),
  ),
);
const OPTIONS = ["--max-line-bytes", String(PIECE_BYTES * 2), "-q"];

async function transform(jobs: string, inputs: string[], stdin?: Uint8Array) {
  const bad = `${dir}/bad-${jobs}.ndjson`;
  const run = await runCli(
    ["transform", "--jobs", jobs, ...OPTIONS, "--bad", bad, ...inputs],
    stdin,
  );
  return { ...run, bad: await Deno.readTextFile(bad) };
}

Deno.test("transform --jobs 2 and 3 give what --jobs 1 gives, for plain, gzip and multi-member files", async () => {
  const inputs = [first, plain, gz, members];
  const one = await transform("1", inputs);
  assert.equal(one.code, EXIT.badInput, one.stderr);
  // The awkward lines reached the output as they should.
  const badRows = one.bad.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.ok(badRows.some((row) => row.line === 2001 && row.error.type === "LineTooLong"));
  assert.ok(badRows.some((row) => row.line === 1501 && row.raw === "not an event"));
  assert.ok(
    one.stdout.includes('"app_id":"\uFEFF') ||
      badRows.some((row) => row.line === 901 && row.raw.startsWith("\uFEFF")),
    "the mark inside the input is kept",
  );
  assert.ok(!badRows.some((row) => row.line === 1));
  assert.equal(badRows.filter((row) => row.file === members).length, badRows.length / 3);
  for (const jobs of ["2", "3"]) {
    const many = await transform(jobs, inputs);
    assert.equal(many.code, one.code, many.stderr);
    assert.equal(many.stdout.length, one.stdout.length, `--jobs ${jobs}`);
    assert.ok(many.stdout === one.stdout, `--jobs ${jobs}: the NDJSON differs`);
    assert.equal(many.bad, one.bad, `--jobs ${jobs}`);
    assert.equal(many.stderr, one.stderr);
  }
});

Deno.test("transform --jobs 2 reads gzip from stdin as --jobs 1 does, and prints the same summary", async () => {
  const input = concatBytes([await gzipMember(firstText), await Deno.readFile(members)]);
  const run = (jobs: string) =>
    runCli(["transform", "--jobs", jobs, "--max-line-bytes", String(PIECE_BYTES * 2), "-"], input);
  const [one, two] = [await run("1"), await run("2")];
  assert.equal(two.code, EXIT.badInput);
  assert.equal(two.code, one.code);
  assert.ok(two.stdout === one.stdout, "the NDJSON differs");
  // Bad rows and the summary go to stderr: the same lines in the same order.
  assert.equal(
    two.stderr.replace(/ in [0-9.]+ s.*/g, ""),
    one.stderr.replace(/ in [0-9.]+ s.*/g, ""),
  );
});

Deno.test("transform --jobs 2 on a cut gzip file writes every line before the cut, then fails as --jobs 1 does", async () => {
  const whole = await Deno.readFile(gz);
  const cut = `${dir}/cut.tsv.gz`;
  await Deno.writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const one = await transform("1", [first, cut, plain]);
  const two = await transform("2", [first, cut, plain]);
  assert.equal(one.code, EXIT.ioError);
  assert.equal(two.code, EXIT.ioError);
  assert.match(
    two.stderr,
    /cut\.tsv\.gz: Cannot read the input after line \d+: Cannot decompress gzip input: unexpected end of file\n$/,
  );
  assert.equal(two.stderr, one.stderr);
  assert.ok(two.stdout === one.stdout, "the NDJSON differs");
  assert.equal(two.bad, one.bad);
  // Everything of the first file, and of the cut one up to the line the error names.
  const reached = Number(/after line (\d+)/.exec(two.stderr)![1]);
  assert.ok(reached > 1000 && reached < 4000, String(reached));
  const events = two.stdout.split("\n").length - 1;
  const firstFile = (await transform("1", [first])).stdout.split("\n").length - 1;
  const cutFile = (await transform("1", [plain])).stdout.split("\n").length - 1;
  assert.ok(events > firstFile && events < firstFile + cutFile);
});

Deno.test({
  name:
    "transform --jobs 2 fails with status 1 and one line when stdout or --bad cannot be written",
  ignore: !HAS_DEV_FULL,
  async fn() {
    const args = ["transform", "--jobs", "2", "-q", ...OPTIONS.slice(0, 2)];
    const events = await runCliWithStdoutTo("/dev/full", [...args, first, gz]);
    assert.equal(events.code, EXIT.ioError);
    assert.equal(
      events.stderr,
      "snowplow-analytics transform: Cannot write to stdout: No space left on device (os error 28)\n",
    );
    const bad = await runCli([...args, "--bad", "/dev/full", first, gz]);
    assert.equal(bad.code, EXIT.ioError);
    assert.match(bad.stderr, /^snowplow-analytics transform: Cannot write to \/dev\/full: /);
  },
});

Deno.test("transform --jobs 2 stops when stdout is closed early, without hanging", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../src/cli.ts", import.meta.url).pathname,
      "transform",
      "--jobs",
      "2",
      "-q",
      first,
      gz,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  // Past the first file's NDJSON (converted before the threads start), then the reader goes away.
  for (let read = 0; read < firstText.length * 1.3;) {
    const { done, value } = await reader.read();
    assert.ok(!done, "the output ended before the threads' part");
    read += value.length;
  }
  await reader.cancel();
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  assert.equal(status.code, EXIT.ioError); // as with --jobs 1
  assert.ok(!stderr.includes("Uncaught"), stderr);
});
