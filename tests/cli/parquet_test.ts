import assert from "node:assert/strict";
import { gzipSync } from "npm:fflate@0.8.3";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { localOptions } from "../support/dynamodb_server.ts";
import { generateLines } from "../support/generator.ts";
import { readWithDuckDb } from "../support/duckdb.ts";
import { runCliWithEnv, startLocalAws } from "../support/local_aws.ts";
import { runInProcess } from "../support/run_cli.ts";

const encoder = new TextEncoder();

/** A temporary folder with two inputs: gzip and plain, each with a bad line. */
async function inputs(): Promise<{ dir: string; gz: string; tsv: string; lines: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "parquet-cli-" });
  const lines = [...generateLines({ seed: 21, count: 1_200 })].map((g) => g.line);
  const gz = `${dir}/a.tsv.gz`;
  const tsv = `${dir}/b.tsv`;
  await Deno.writeFile(gz, gzipSync(encoder.encode(lines.slice(0, 700).join("\n") + "\nbad\n")));
  await Deno.writeTextFile(tsv, lines.slice(700).join("\n") + "\nnot an event\n");
  return { dir, gz, tsv, lines };
}

async function files(dir: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("transform --format parquet -o writes every input's events, as the NDJSON has them", async () => {
  const { dir, gz, tsv } = await inputs();
  try {
    const out = `${dir}/events.parquet`;
    const parquet = await runInProcess([
      "transform",
      "--format",
      "parquet",
      "-o",
      out,
      "--bad",
      `${dir}/bad.ndjson`,
      gz,
      tsv,
    ]);
    assert.equal(parquet.code, EXIT.badInput, parquet.stderr);
    assert.equal(parquet.stdout, "");
    assert.match(parquet.stderr, /^transform: 1202 lines, 1200 events, 2 bad rows/);
    const bad = (await Deno.readTextFile(`${dir}/bad.ndjson`)).trimEnd().split("\n");
    assert.deepEqual(bad.map((line) => JSON.parse(line).raw), ["bad", "not an event"]);
    const ndjson = await runInProcess(["transform", "-q", "--bad", "/dev/null", gz, tsv]);
    const expected = ndjson.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    const file = await readWithDuckDb(out);
    assert.equal(file.rows.length, expected.length);
    const webPage = "contexts_com_snowplowanalytics_snowplow_web_page_1";
    assert.equal(file.columns.find((c) => c.name === webPage)?.type, "JSON");
    assert.equal(
      file.columns.find((c) => c.name === "collector_tstamp")?.type,
      "TIMESTAMP WITH TIME ZONE",
    );
    for (let i = 0; i < expected.length; i++) {
      assert.equal(file.rows[i].event_id, expected[i].event_id);
      assert.equal(file.rows[i].br_viewwidth, expected[i].br_viewwidth ?? null);
      assert.equal(
        file.rows[i].collector_tstamp,
        BigInt(Date.parse(expected[i].collector_tstamp)) * 1000n,
      );
      const context = file.rows[i][webPage];
      assert.deepEqual(
        context === null ? undefined : JSON.parse(context as string),
        expected[i][webPage],
      );
    }
    assert.deepEqual(await files(dir), ["a.tsv.gz", "b.tsv", "bad.ndjson", "events.parquet"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform --format parquet --fields keeps only those columns, in that order", async () => {
  const { dir, tsv } = await inputs();
  try {
    const out = `${dir}/x.parquet`;
    const fields = ["event_id", "unstruct_event_com_acme_nothing_1", "app_id", "dvce_screenwidth"];
    const run = await runInProcess([
      "transform",
      "-q",
      "--bad",
      "/dev/null",
      "--format",
      "parquet",
      "--output",
      out,
      "--fields",
      fields.join(","),
      tsv,
    ]);
    assert.equal(run.code, EXIT.badInput, run.stderr);
    const file = await readWithDuckDb(out);
    assert.deepEqual(file.columns, [
      { name: "event_id", type: "VARCHAR" },
      { name: "unstruct_event_com_acme_nothing_1", type: "JSON" },
      { name: "app_id", type: "VARCHAR" },
      { name: "dvce_screenwidth", type: "INTEGER" },
    ]);
    assert.equal(file.rows.length, 500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform -o writes NDJSON and CSV to the file, the same as stdout", async () => {
  const { dir, tsv } = await inputs();
  try {
    for (const format of [[], ["--format", "csv", "--fields", "event_id,app_id"]]) {
      const common = ["transform", "-q", "--bad", "/dev/null", ...format, tsv];
      const toStdout = await runInProcess(common);
      const toFile = await runInProcess([...common, "-o", `${dir}/out`]);
      assert.equal(toFile.code, toStdout.code);
      assert.equal(toFile.stdout, "");
      assert.equal(await Deno.readTextFile(`${dir}/out`), toStdout.stdout);
    }
    assert.deepEqual(await files(dir), ["a.tsv.gz", "b.tsv", "out"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform -o leaves no file when an input fails", async () => {
  const { dir, gz, tsv } = await inputs();
  try {
    const truncated = `${dir}/truncated.gz`;
    const bytes = await Deno.readFile(gz);
    await Deno.writeFile(truncated, bytes.subarray(0, bytes.length >> 1));
    for (const format of [["--format", "parquet"], []]) {
      for (const bad of [`${dir}/missing.tsv`, truncated]) {
        const out = `${dir}/out.file`;
        const run = await runInProcess([
          "transform",
          "-q",
          "--bad",
          "/dev/null",
          ...format,
          "-o",
          out,
          tsv,
          bad,
        ]);
        assert.equal(run.code, EXIT.ioError, run.stderr);
        assert.match(
          run.stderr,
          bad === truncated ? /truncated\.gz: Cannot read/ : /Cannot open .*missing\.tsv/,
        );
        assert.deepEqual(
          await files(dir),
          ["a.tsv.gz", "b.tsv", "truncated.gz"],
          `${format} ${bad}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform --format parquet makes an event the file cannot hold a bad row", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parquet-cli-" });
  try {
    const [line] = [...generateLines({ seed: 3, count: 1 })].map((g) => g.line);
    const fields = line.split("\t");
    fields[7] = "3000000000"; // txn_id: a valid event, beyond INT32
    const input = `${dir}/in.tsv`;
    await Deno.writeTextFile(input, `${line}\n${fields.join("\t")}\n${line}\n`);
    const run = await runInProcess([
      "transform",
      "--format",
      "parquet",
      "-o",
      `${dir}/o.parquet`,
      input,
    ]);
    assert.equal(run.code, EXIT.badInput, run.stderr);
    const [badLine, summary] = run.stderr.trimEnd().split("\n");
    const bad = JSON.parse(badLine);
    assert.deepEqual([bad.file, bad.line, bad.event.txn_id, bad.error], [input, 2, 3000000000, {
      type: "ParquetUnwritable",
      message: "txn_id 3000000000 does not fit INT32",
    }]);
    assert.match(summary, /^transform: 3 lines, 2 events, 1 bad row,/);
    assert.equal((await readWithDuckDb(`${dir}/o.parquet`)).rows.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform --format parquet needs --output; --format rejects other names", async () => {
  const run = await runInProcess(["transform", "--format", "parquet", "x.tsv"]);
  assert.equal(run.code, EXIT.usage);
  assert.match(run.stderr, /Invalid arguments: --format parquet needs --output FILE/);
  const other = await runInProcess(["transform", "--format", "avro", "x.tsv"]);
  assert.equal(other.code, EXIT.usage);
  assert.match(other.stderr, /Invalid --format: expected ndjson, csv or parquet but got 'avro'/);
});

Deno.test("process --format parquet --out writes run=….parquet per run, bad rows beside it", async () => {
  await using aws = await startLocalAws(["pipeline"]);
  await new RunManifests("runs", localOptions(aws.dynamo.endpoint)).create();
  const run = "enriched/archive/run=2026-11-01-00-00-00/";
  const lines = [...generateLines({ seed: 8, count: 40 })].map((g) => g.line);
  lines.splice(5, 0, "not an event");
  aws.s3.put(
    { bucket: "pipeline", key: `${run}part-00000.gz` },
    gzipSync(encoder.encode(lines.join("\n"))),
  );
  const out = await Deno.makeTempDir({ prefix: "parquet-process-" });
  try {
    const usage = await runCliWithEnv([
      "process",
      "--table",
      "runs",
      "--format",
      "parquet",
      "s3://pipeline/enriched/archive/",
    ], aws.env);
    assert.equal(usage.code, EXIT.usage);
    const result = await runCliWithEnv(
      [
        "process",
        "--table",
        "runs",
        "--format",
        "parquet",
        "--out",
        out,
        "s3://pipeline/enriched/archive/",
      ],
      aws.env,
    );
    assert.equal(result.code, EXIT.badInput, result.stderr);
    assert.deepEqual(await files(out), [
      "run=2026-11-01-00-00-00.bad.ndjson",
      "run=2026-11-01-00-00-00.parquet",
    ]);
    const file = await readWithDuckDb(`${out}/run=2026-11-01-00-00-00.parquet`);
    assert.equal(file.rows.length, 40);
    const bad = JSON.parse(await Deno.readTextFile(`${out}/run=2026-11-01-00-00-00.bad.ndjson`));
    assert.deepEqual([bad.run, bad.line, bad.raw], [run, 6, "not an event"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("process --unit object --format parquet writes one Parquet file per S3 Loader object", async () => {
  await using aws = await startLocalAws(["pipeline"]);
  await new RunManifests("runs", localOptions(aws.dynamo.endpoint)).create();
  const key = "enriched/good/2026/11/20/10/2026-11-20-101500-0f3c2c1e.gz";
  const lines = [...generateLines({ seed: 9, count: 12 })].map((g) => g.line);
  lines.splice(2, 0, "not an event");
  aws.s3.put(
    { bucket: "pipeline", key, lastModified: new Date(Date.now() - 86_400_000) },
    gzipSync(encoder.encode(lines.join("\n"))),
  );
  const out = await Deno.makeTempDir({ prefix: "parquet-objects-" });
  try {
    const result = await runCliWithEnv(
      [
        "process",
        "--table",
        "runs",
        "--unit",
        "object",
        "--format",
        "parquet",
        "--out",
        out,
        "s3://pipeline/enriched/good/",
      ],
      aws.env,
    );
    assert.equal(result.code, EXIT.badInput, result.stderr);
    const base = `${out}/2026/11/20/10/2026-11-20-101500-0f3c2c1e`;
    const file = await readWithDuckDb(`${base}.parquet`);
    assert.equal(file.rows.length, 12);
    const bad = JSON.parse(await Deno.readTextFile(`${base}.bad.ndjson`));
    assert.deepEqual([bad.run, bad.key, bad.line, bad.raw], [undefined, key, 3, "not an event"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
