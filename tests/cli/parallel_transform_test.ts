import assert from "node:assert/strict";
import { transform } from "../../src/event/mod.ts";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { generateLines } from "../support/generator.ts";
import { runCli } from "../support/run_cli.ts";
import { NO_TMPFS, requireTmpfs } from "../support/full_disk.ts";

const good = [...generateLines({ seed: 7, count: 60, badRate: 0 })]
  .filter((g) => g.label === "ok").map((g) => g.line);
const dir = await Deno.makeTempDir({ prefix: "cli_parallel_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const smallPath = `${dir}/small.tsv`;
await Deno.writeTextFile(smallPath, good.slice(0, 5).join("\n") + "\n");
// Several hundred KB of NDJSON: more than the spool tmpfs holds.
const bigLines = Array.from({ length: 20 }, () => good).flat();
const bigPath = `${dir}/big.tsv`;
await Deno.writeTextFile(bigPath, bigLines.join("\n") + "\n");
const ndjson = (lines: string[]) => lines.map((l) => JSON.stringify(transform(l)) + "\n").join("");

Deno.test({
  name: "transform --jobs 2 with the spools on a full disk fails with status 1, losing nothing",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("128k");
    const run = await runCli(
      ["transform", "--jobs", "2", smallPath, bigPath, smallPath],
      undefined,
      { TMPDIR: disk.dir },
    );
    assert.equal(run.code, EXIT.ioError, run.stderr);
    // One line, naming the spool file; no summary (it would count events never written).
    assert.match(
      run.stderr,
      /^snowplow-analytics transform: Cannot write to \S+\/1\.out\.ndjson: No space left[^\n]*\n$/,
    );
    // The first file whole, then whole events of the big file, in order, none twice.
    const first = ndjson(good.slice(0, 5));
    assert.ok(run.stdout.startsWith(first));
    const after = run.stdout.slice(first.length);
    assert.ok(after.length < ndjson(bigLines).length);
    assert.ok(ndjson(bigLines).startsWith(after));
    assert.ok(after === "" || after.endsWith("\n"), "whole events only");
    // The spools are gone.
    assert.deepEqual([...Deno.readDirSync(disk.dir)], []);
  },
});

Deno.test("transform --jobs 2 without a spool folder fails with status 1 and leaves no --output", async () => {
  const out = `${dir}/no-spool.ndjson`;
  const run = await runCli(
    ["transform", "--jobs", "2", "--output", out, smallPath, smallPath],
    undefined,
    { TMPDIR: `${dir}/missing` },
  );
  assert.equal(run.code, EXIT.ioError, run.stderr);
  assert.match(
    run.stderr,
    /^snowplow-analytics transform: Cannot write to a spool folder for --jobs: No such file[^\n]*\n$/,
  );
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test({
  name: "transform --jobs 2 --output FILE with the spools on a full disk leaves no file",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("128k");
    const out = `${dir}/full-spool.ndjson`;
    const run = await runCli(
      ["transform", "--jobs", "3", "--output", out, smallPath, bigPath, bigPath],
      undefined,
      { TMPDIR: disk.dir },
    );
    assert.equal(run.code, EXIT.ioError, run.stderr);
    assert.match(run.stderr, /^snowplow-analytics transform: Cannot write to \S+: No space left/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "big.tsv",
      "small.tsv",
    ]);
    assert.deepEqual([...Deno.readDirSync(disk.dir)], []);
  },
});
