import assert from "node:assert/strict";
import { stringify } from "npm:csv-stringify@6.9.0/sync";
import { constants, gunzipSync } from "node:zlib";
import { transform, type TransformOptions } from "../../src/event/mod.ts";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { generateLines } from "../support/generator.ts";
import { concatBytes, gzipMember } from "../support/byte_streams.ts";
import { runCli, runCliWithStdoutTo, runInProcess } from "../support/run_cli.ts";
import { fill, HAS_DEV_FULL, NO_TMPFS, requireTmpfs } from "../support/full_disk.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const generated = [...generateLines({ seed: 5, count: 120, badRate: 0.1 })];
const good = generated.filter((g) => g.label === "ok").map((g) => g.line);
const SUMMARY =
  /^transform: (\d+) lines?, (\d+) events?, (\d+) bad rows?, (\d+) empty lines? in [\d.]+ s \(\d+ events\/s\)/m;

/** Lines as the CLI must write them: NDJSON events, and bad rows of `file`. */
function expected(file: string, lines: string[], options?: TransformOptions) {
  let events = "";
  let badRows = "";
  lines.forEach((raw, i) => {
    if (raw === "") return;
    try {
      events += JSON.stringify(transform(raw, options)) + "\n";
    } catch (error) {
      const json = (error as { toJSON(): unknown }).toJSON();
      badRows += JSON.stringify({ file, line: i + 1, raw, error: json }) + "\n";
    }
  });
  return { events, badRows };
}

function summaryOf(stderr: string) {
  const match = SUMMARY.exec(stderr);
  assert.ok(match, `no summary in ${JSON.stringify(stderr)}`);
  const [lines, events, badRows, emptyLines] = match.slice(1).map(Number);
  return { lines, events, badRows, emptyLines };
}

const dir = await Deno.makeTempDir({ prefix: "cli_transform_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const lines = [good[0], "", ...generated.slice(1, 60).map((g) => g.line), "not an event", ""];
const plainPath = `${dir}/plain.tsv`;
await Deno.writeTextFile(plainPath, lines.join("\r\n")); // CRLF, no final newline
const gzLines = generated.slice(60).map((g) => g.line);
const gzPath = `${dir}/two-members.tsv.gz`;
await Deno.writeFile(
  gzPath,
  concatBytes([
    await gzipMember(gzLines.slice(0, 30).join("\n") + "\n"),
    await gzipMember(gzLines.slice(30).join("\n") + "\n"),
  ]),
);
const goodPath = `${dir}/good.tsv`;
await Deno.writeTextFile(goodPath, good.slice(0, 20).join("\n") + "\n");

Deno.test("transform writes NDJSON, bad rows and a summary; status 2 with bad rows", async () => {
  const run = await runCli(["transform", plainPath]);
  const want = expected(plainPath, lines);
  assert.equal(run.code, EXIT.badInput);
  assert.equal(run.stdout, want.events);
  assert.ok(want.badRows.includes('"raw":"not an event"'));
  assert.ok(run.stderr.startsWith(want.badRows), run.stderr);
  assert.deepEqual(summaryOf(run.stderr), {
    lines: lines.length - 1, // the file has no final newline, so the last "" is no line
    events: want.events.split("\n").length - 1,
    badRows: want.badRows.split("\n").length - 1,
    emptyLines: 1,
  });
});

Deno.test("transform reads several files, multi-member gzip too, with --bad FILE", async () => {
  const badPath = `${dir}/bad.ndjson`;
  const run = await runCli(["transform", "--bad", badPath, gzPath, plainPath]);
  const fromGz = expected(gzPath, gzLines);
  const fromPlain = expected(plainPath, lines);
  assert.equal(run.code, EXIT.badInput);
  assert.equal(run.stdout, fromGz.events + fromPlain.events);
  assert.equal(await Deno.readTextFile(badPath), fromGz.badRows + fromPlain.badRows);
  assert.match(run.stderr, /^transform: \d+ lines, .*, 2 files\n$/);
  assert.equal(summaryOf(run.stderr).lines, gzLines.length + lines.length - 1);
});

Deno.test("transform reads gzip from stdin ('-'); status 0 when every line is good", async () => {
  const gz = concatBytes([
    await gzipMember(good.slice(0, 10).join("\n") + "\n"),
    await gzipMember(good.slice(10, 20).join("\n") + "\n"),
  ]);
  const run = await runCli(["transform", "--nulls", "-"], gz);
  assert.equal(run.code, EXIT.ok);
  assert.equal(run.stdout, expected("-", good.slice(0, 20), { nulls: true }).events);
  assert.deepEqual(summaryOf(run.stderr), { lines: 20, events: 20, badRows: 0, emptyLines: 0 });
});

Deno.test("transform --format csv writes RFC 4180 CSV with a header", async () => {
  const fields = [
    "event_id",
    "app_id",
    "br_cookies",
    "geo_latitude",
    "page_title",
    "contexts_com_snowplowanalytics_snowplow_web_page_1",
  ];
  const run = await runCli([
    "transform",
    "--quiet",
    "--format",
    "csv",
    "--fields",
    fields.join(","),
    goodPath,
  ]);
  assert.equal(run.code, EXIT.ok);
  assert.equal(run.stderr, "");
  const rows = good.slice(0, 20).map((line) => {
    const event = transform(line);
    return fields.map((f) => {
      const value = (event as Record<string, unknown>)[f];
      if (typeof value === "boolean") return String(value);
      return typeof value === "object" ? JSON.stringify(value) : value;
    });
  });
  assert.equal(run.stdout, stringify([fields, ...rows], { record_delimiter: "\r\n" }));
  assert.ok(run.stdout.includes('"'), "some value needed quoting");
});

Deno.test("transform fails with status 1 on a missing file or corrupt gzip", async (t) => {
  const corrupt = `${dir}/corrupt.gz`;
  const gz = await gzipMember(good.join("\n") + "\n");
  const cutGz = gz.subarray(0, Math.floor(gz.length * 0.6));
  await Deno.writeFile(corrupt, cutGz);
  const [missing, truncated] = await Promise.all([
    runCli(["transform", goodPath, `${dir}/missing.tsv`]),
    runCli(["transform", corrupt]),
  ]);
  await t.step("missing file: earlier files' output stays, one message and no summary", () => {
    assert.equal(missing.code, EXIT.ioError);
    assert.equal(missing.stdout, expected(goodPath, good.slice(0, 20)).events);
    assert.match(
      missing.stderr,
      new RegExp(`^snowplow-analytics transform: Cannot open ${dir}/missing.tsv: [^\n]+\n$`),
    );
    assert.doesNotMatch(missing.stderr, /\n\s+at /); // no stack trace
  });
  await t.step("corrupt gzip: the line reached is reported", () => {
    assert.equal(truncated.code, EXIT.ioError);
    const match =
      /^snowplow-analytics transform: .*corrupt\.gz: Cannot read the input after line (\d+): Cannot decompress gzip input: unexpected end of file\n/
        .exec(truncated.stderr);
    assert.ok(match, truncated.stderr);
    const reached = Number(match[1]);
    assert.ok(reached > 0 && reached < good.length);
    // Every complete line that the cut data holds was read, and written before the error.
    const readable = decoder.decode(gunzipSync(cutGz, { finishFlush: constants.Z_SYNC_FLUSH }));
    assert.equal(reached, readable.split("\n").length - 1);
    assert.equal(truncated.stdout, expected(corrupt, good.slice(0, reached)).events);
  });
});

Deno.test("transform passes the transform options on", async (t) => {
  const cases: [string[], TransformOptions][] = [
    [["--no-geo-location"], { geoLocation: false }],
    [["--nulls", "--schema-version"], { nulls: true, schemaVersion: true }],
  ];
  for (const [flags, options] of cases) {
    await t.step(flags.join(" "), async () => {
      const run = await runInProcess(["transform", "-q", ...flags, goodPath]);
      assert.equal(run.code, EXIT.ok);
      assert.equal(run.stdout, expected(goodPath, good.slice(0, 20), options).events);
    });
  }
});

Deno.test("transform --fields keeps only those keys, in that order", async (t) => {
  await t.step("absent keys are left out", async () => {
    const run = await runInProcess(["transform", "-q", "--fields", "page_title,app_id", goodPath]);
    const want = good.slice(0, 20).map((line) => {
      const e = transform(line);
      const picked: Record<string, unknown> = {};
      if ("page_title" in e) picked.page_title = e.page_title;
      picked.app_id = e.app_id;
      return JSON.stringify(picked) + "\n";
    });
    assert.equal(run.stdout, want.join(""));
  });
  await t.step("with --nulls absent keys are null", async () => {
    const run = await runInProcess([
      "transform",
      "-q",
      "--nulls",
      "--fields",
      "app_id,unstruct_event_com_acme_nothing_1",
      goodPath,
    ]);
    const first = JSON.parse(run.stdout.split("\n")[0]);
    assert.deepEqual(Object.keys(first), ["app_id", "unstruct_event_com_acme_nothing_1"]);
    assert.equal(first.unstruct_event_com_acme_nothing_1, null);
  });
  await t.step("bad rows still go to stderr", async () => {
    const run = await runInProcess(["transform", "--fields", "app_id", plainPath]);
    assert.equal(run.code, EXIT.badInput);
    assert.ok(run.stderr.startsWith(expected(plainPath, lines).badRows));
  });
});

Deno.test("transform makes a line over --max-line-bytes a bad row", async () => {
  const run = await runInProcess(["transform", "-q", "--max-line-bytes", "100", goodPath]);
  assert.equal(run.code, EXIT.badInput);
  assert.equal(run.stdout, "");
  const rows = run.stderr.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 20);
  assert.deepEqual(rows[0].error, {
    type: "LineTooLong",
    bytes: encoder.encode(good[0]).length,
    maxLineBytes: 100,
  });
  assert.ok(good[0].startsWith(rows[0].raw) && rows[0].raw.length > 100); // a 1024-byte prefix
});

Deno.test("transform rejects wrong arguments with status 64 and its usage", async (t) => {
  const cases: [string, string[], string][] = [
    ["csv without fields", ["--format", "csv"], "Invalid arguments: --format csv needs --fields"],
    [
      "unknown format",
      ["--format", "xml"],
      "Invalid --format: expected ndjson, csv or parquet but got 'xml'",
    ],
    [
      "unknown field, with the one meant",
      ["--fields", "app_idd"],
      "Invalid --fields: 'app_idd' is not an output key (an enriched event field, geo_location, " +
      "contexts_<vendor>_<name>_<model> or unstruct_event_<vendor>_<name>_<model>) " +
      "(did you mean 'app_id'?)",
    ],
    [
      "self-describing column: its shredded keys replace it",
      ["--fields", "contexts"],
      "Invalid --fields: 'contexts' is not an output key: the flat form replaces it with its shredded " +
      "keys, contexts_<vendor>_<name>_<model> (e.g. contexts_com_acme_user_1)",
    ],
    [
      "unstruct_event column",
      ["--fields", "unstruct_event"],
      "Invalid --fields: 'unstruct_event' is not an output key: the flat form replaces it with its " +
      "shredded keys, unstruct_event_<vendor>_<name>_<model>",
    ],
    ["empty field name", ["--fields", "app_id,"], "Invalid --fields: an empty name in 'app_id,'"],
    [
      "repeated field",
      ["--fields", "app_id,app_id"],
      "Invalid --fields: a key named twice in 'app_id,app_id'",
    ],
    [
      "zero max-line-bytes",
      ["--max-line-bytes", "0"],
      "Invalid --max-line-bytes: expected a positive",
    ],
    [
      "text max-line-bytes",
      ["--max-line-bytes", "1e3"],
      "Invalid --max-line-bytes: expected a positive",
    ],
    ["stdin twice", ["-", "-"], "Invalid arguments: stdin ('-') can be read only once"],
    ["missing value", ["--bad"], "Invalid option --bad: expected a value (FILE)"],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      const run = await runInProcess(["transform", goodPath, ...args]);
      assert.equal(run.code, EXIT.usage);
      assert.equal(run.stdout, "");
      assert.ok(run.stderr.startsWith(`snowplow-analytics transform: ${message}`), run.stderr);
      assert.match(
        run.stderr,
        /\nUsage: snowplow-analytics transform \[options\] \[FILE\.\.\.\]\n/,
      );
    });
  }
  await t.step("stdin is a terminal and no file is given", async () => {
    const run = await runInProcess(["transform"], { stdinIsTerminal: true });
    assert.equal(run.code, EXIT.usage);
    assert.match(
      run.stderr,
      /Cannot read stdin from a terminal: give FILE arguments or pipe enriched events into stdin/,
    );
  });
});

Deno.test("transform reports a directory or an unwritable --bad file as I/O failures", async (t) => {
  await t.step("directory", async () => {
    const run = await runInProcess(["transform", "-q", dir]);
    assert.equal(run.code, EXIT.ioError);
    assert.equal(
      run.stderr,
      `snowplow-analytics transform: Cannot read ${dir}: it is a directory\n`,
    );
  });
  await t.step("--bad in a missing folder", async () => {
    const run = await runInProcess(["transform", "--bad", `${dir}/no/such/bad.ndjson`, goodPath]);
    assert.equal(run.code, EXIT.ioError);
    assert.match(
      run.stderr,
      /^snowplow-analytics transform: Cannot open --bad .*no\/such\/bad\.ndjson: /,
    );
    assert.equal(run.stdout, "");
  });
});

Deno.test("transform stops quietly with status 1 when stdout is closed early", async () => {
  const big = `${dir}/big.tsv`;
  await Deno.writeTextFile(big, (good.join("\n") + "\n").repeat(20)); // ~5 MB of NDJSON
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../src/cli.ts", import.meta.url).pathname, "transform", big],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const first = await reader.read();
  assert.ok(first.value && first.value.length > 0);
  await reader.cancel(); // like `| head`
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  assert.equal(status.code, EXIT.ioError);
  assert.equal(stderr, "");
});

Deno.test({
  name: "transform fails with status 1 and one line when stdout cannot be written",
  ignore: !HAS_DEV_FULL,
  async fn(t) {
    const cases: [string, string[]][] = [
      ["NDJSON", []],
      ["--fields", ["--fields", "event_id"]],
      ["--format csv", ["--format", "csv", "--fields", "event_id"]],
    ];
    for (const [name, flags] of cases) {
      await t.step(name, async () => {
        const run = await runCliWithStdoutTo("/dev/full", ["transform", "-q", ...flags, goodPath]);
        assert.equal(run.code, EXIT.ioError);
        assert.equal(
          run.stderr,
          "snowplow-analytics transform: Cannot write to stdout: No space left on device (os error 28)\n",
        );
      });
    }
  },
});

Deno.test({
  name: "transform --bad FILE on a full disk fails with status 1",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("256k");
    const input = `${dir}/many-bad.tsv`;
    const bad = Array.from({ length: 400 }, (_, i) => `bad line ${i} ${"x".repeat(1000)}`);
    await Deno.writeTextFile(input, [good[0], ...bad, good[1]].join("\n") + "\n");
    const run = await runCli(["transform", "-q", "--bad", `${disk.dir}/bad.ndjson`, input]);
    assert.equal(run.code, EXIT.ioError);
    assert.equal(
      run.stderr,
      `snowplow-analytics transform: Cannot write to ${disk.dir}/bad.ndjson: ` +
        "No space left on device (os error 28)\n",
    );
  },
});

Deno.test({
  name: "transform --bad FILE on a disk already full fails with status 1",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("64k");
    await fill(disk.dir);
    const run = await runCli(["transform", "-q", "--bad", `${disk.dir}/bad.ndjson`, plainPath]);
    assert.equal(run.code, EXIT.ioError);
    assert.match(
      run.stderr,
      /^snowplow-analytics transform: Cannot write to .*bad\.ndjson: No space/,
    );
    // The conversion stops at the failed write; what was written is whole events, in order.
    assert.ok(expected(plainPath, lines).events.startsWith(run.stdout));
  },
});

Deno.test({
  name: "transform --output FILE on a full disk fails with status 1 and leaves no file",
  ignore: NO_TMPFS !== undefined,
  async fn(t) {
    for (const format of ["ndjson", "parquet"]) {
      await t.step(format, async () => {
        await using disk = await requireTmpfs("64k");
        await fill(disk.dir);
        const out = `${disk.dir}/events.${format}`;
        const run = await runCli([
          "transform",
          "-q",
          "--format",
          format,
          "--output",
          out,
          goodPath,
        ]);
        assert.equal(run.code, EXIT.ioError, run.stderr);
        assert.match(run.stderr, /Cannot write to .*events\.\w+\.partial: No space left on device/);
        assert.doesNotMatch(run.stderr, /\n\s+at /);
        const files = [];
        for await (const entry of Deno.readDir(disk.dir)) files.push(entry.name);
        assert.deepEqual(files, ["filler"]);
      });
    }
  },
});

Deno.test("transform --jobs 2 writes the files' output in input order, as --jobs 1 does", async () => {
  const badPath = `${dir}/bad-jobs.ndjson`;
  const files = [gzPath, plainPath, goodPath, gzPath];
  const runs = [];
  for (const jobs of ["1", "2", "3"]) {
    const run = await runCli(["transform", "--jobs", jobs, "--bad", badPath, ...files]);
    runs.push({ ...run, bad: await Deno.readTextFile(badPath) });
  }
  const want = files.map((f) =>
    expected(f, f === gzPath ? gzLines : f === plainPath ? lines : good.slice(0, 20))
  );
  for (const [i, run] of runs.entries()) {
    assert.equal(run.code, EXIT.badInput, `run ${i}`);
    assert.equal(run.stdout, want.map((w) => w.events).join(""), `run ${i}`);
    assert.equal(run.bad, want.map((w) => w.badRows).join(""), `run ${i}`);
    assert.deepEqual(summaryOf(run.stderr), summaryOf(runs[0].stderr));
  }
});

Deno.test("transform --jobs 2 stops at a corrupt file after writing everything before it", async () => {
  // (A job decompresses with node:zlib, as one file does: the same message as with --jobs 1.)
  const corrupt = `${dir}/corrupt-jobs.gz`;
  const gz = await gzipMember(good.join("\n") + "\n");
  await Deno.writeFile(corrupt, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const run = await runCli(["transform", "--jobs", "2", goodPath, corrupt, goodPath]);
  assert.equal(run.code, EXIT.ioError);
  const match =
    /\nsnowplow-analytics transform: .*corrupt-jobs\.gz: Cannot read the input after line (\d+): Cannot decompress gzip input: unexpected end of file\n/
      .exec("\n" + run.stderr);
  assert.ok(match, run.stderr);
  const reached = Number(match[1]);
  assert.ok(reached > 0 && reached < good.length);
  const first = expected(goodPath, good.slice(0, 20)).events;
  assert.equal(run.stdout, first + expected(corrupt, good.slice(0, reached)).events);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

Deno.test("transform decompresses a large gzip file on a second thread, as one read from stdin", async (t) => {
  // About 5 MB of gzip: over the size from which the gunzip thread is used.
  const text = encoder.encode(
    Array(100).fill(generated.map((g) => g.line).join("\n")).join("\n") + "\n",
  );
  const gz = await gzipMember(text);
  assert.ok(gz.length >= 4 * 1024 * 1024, `${gz.length} bytes of gzip`);
  const bigPath = `${dir}/big.tsv.gz`;
  await Deno.writeFile(bigPath, gz);
  const digest = async (s: string) =>
    new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(s)));
  await t.step("the same events, bad rows and counts", async () => {
    const [threaded, piped] = [
      await runCli(["transform", bigPath]),
      await runCli(["transform", "-"], gz),
    ];
    assert.equal(threaded.code, EXIT.badInput);
    assert.equal(piped.code, EXIT.badInput);
    assert.deepEqual(await digest(threaded.stdout), await digest(piped.stdout));
    assert.deepEqual(summaryOf(threaded.stderr), summaryOf(piped.stderr));
    assert.equal(summaryOf(threaded.stderr).lines, 12_000);
  });
  await t.step("cut short: the lines before the cut, then a clear error", async () => {
    const cutPath = `${dir}/big-cut.tsv.gz`;
    await Deno.writeFile(cutPath, gz.subarray(0, gz.length - 1000));
    const run = await runCli(["transform", "--bad", `${dir}/big-cut-bad.ndjson`, cutPath]);
    assert.equal(run.code, EXIT.ioError);
    const match =
      /^snowplow-analytics transform: .*big-cut\.tsv\.gz: Cannot read the input after line (\d+): Cannot decompress gzip input: /
        .exec(run.stderr);
    assert.ok(match, run.stderr);
    const reached = Number(match[1]);
    assert.ok(reached > 11_000, `${reached} lines`);
    const summary = summaryOf(run.stderr);
    assert.equal(summary.lines, reached);
    assert.equal(run.stdout.split("\n").length - 1, summary.events);
  });
});

Deno.test("transform rejects a --jobs that is not a positive integer", async () => {
  for (const value of ["0", "two", "1.5", "01x"]) {
    const run = await runInProcess(["transform", "--jobs", value, goodPath, goodPath]);
    assert.equal(run.code, EXIT.usage);
    assert.ok(
      run.stderr.startsWith(
        `snowplow-analytics transform: Invalid --jobs: expected a positive integer but got '${value}'`,
      ),
      run.stderr,
    );
  }
});
