import assert from "node:assert/strict";
import { gzipSync } from "npm:fflate@0.8.3";
import { EXIT_AWS } from "../../src/cli/aws_env.ts";
import { EXIT } from "../../src/cli/exit_codes.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { localOptions, startDynamoDb } from "../support/dynamodb_server.ts";
import { FakeS3 } from "../support/fake_s3.ts";
import { generateLines } from "../support/generator.ts";
import { runCliWithEnv, startLocalAws } from "../support/local_aws.ts";
import { runCliWithStdoutTo } from "../support/run_cli.ts";
import { fill, HAS_DEV_FULL, NO_TMPFS, requireTmpfs } from "../support/full_disk.ts";

const encoder = new TextEncoder();
const CLI = new URL("../../src/cli.ts", import.meta.url).pathname;
const BUCKET = "pipeline";
const URI = `s3://${BUCKET}/enriched/archive/`;
const TABLE = "snowplow-runs";
const run = (day: number) =>
  `enriched/archive/run=2026-11-${String(day).padStart(2, "0")}-00-00-00/`;

/** Puts a run of `good` events (and `bad` bad lines) as one gzip part plus `_SUCCESS`. */
function putRun(s3: FakeS3, day: number, good: number, bad: number): string[] {
  const lines = [...generateLines({ seed: day, count: good })].map((g) => g.line);
  for (let i = 0; i < bad; i++) lines.splice(1 + i, 0, `not an event ${i}`);
  s3.put(
    { bucket: BUCKET, key: `${run(day)}part-00000.gz` },
    gzipSync(encoder.encode(lines.join("\n") + "\n")),
  );
  s3.put({ bucket: BUCKET, key: `${run(day)}_SUCCESS` }, "");
  return lines;
}

async function createTable(endpoint: string): Promise<RunManifests> {
  const manifests = new RunManifests(TABLE, localOptions(endpoint));
  await manifests.create();
  return manifests;
}

Deno.test("process writes NDJSON to stdout, and a second run processes nothing", async () => {
  await using aws = await startLocalAws([BUCKET]);
  const manifests = await createTable(aws.dynamo.endpoint);
  putRun(aws.s3, 1, 5, 0);
  putRun(aws.s3, 2, 4, 2);
  aws.s3.put({ bucket: BUCKET, key: `${run(3)}part-00000.gz`, storageClass: "GLACIER" }, "x");

  const first = await runCliWithEnv(
    ["process", "--table", TABLE, "--order", "listed", URI],
    aws.env,
  );
  assert.equal(first.code, EXIT.badInput, first.stderr);
  const events = first.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.equal(events.length, 9);
  assert.ok(events.every((e) => typeof e.event_id === "string"));
  const stderr = first.stderr.trimEnd().split("\n");
  assert.equal(stderr.length, 5, first.stderr);
  const bad = stderr.slice(1, 3).map((line) => JSON.parse(line));
  assert.deepEqual(bad.map((b) => [b.run, b.key, b.line, b.raw, b.error.type]), [
    [run(2), `${run(2)}part-00000.gz`, 2, "not an event 0", "NotTSV"],
    [run(2), `${run(2)}part-00000.gz`, 3, "not an event 1", "NotTSV"],
  ]);
  assert.equal(stderr[0], `process: ${run(1)}: 5 events, 0 bad rows`);
  assert.equal(stderr[3], `process: ${run(2)}: 4 events, 2 bad rows`);
  assert.match(
    stderr[4],
    /^process: 3 runs listed: 0 already done, 1 archived, 2 processed, 0 skipped, 0 failed; 9 events, 2 bad rows in \d+\.\d\d s \(owner .+\)$/,
  );
  assert.equal(await manifests.contains(run(1)), true);
  assert.equal(await manifests.contains(run(2)), true);
  assert.equal(await manifests.contains(run(3)), false, "archived runs are not processed");

  const second = await runCliWithEnv(["process", "--table", TABLE, URI], aws.env);
  assert.equal(second.code, EXIT.ok, second.stderr);
  assert.equal(second.stdout, "");
  assert.match(
    second.stderr,
    /^process: 3 runs listed: 2 already done, 1 archived, 0 processed, .*; 0 events/,
  );
});

Deno.test("process --out writes one file per run, and workers at once share the runs", async () => {
  await using aws = await startLocalAws([BUCKET]);
  await createTable(aws.dynamo.endpoint);
  const expected = new Map<string, number>();
  for (let day = 1; day <= 8; day++) {
    putRun(aws.s3, day, 3 + day, day === 4 ? 1 : 0);
    expected.set(`run=2026-11-${String(day).padStart(2, "0")}-00-00-00`, 3 + day);
  }
  const out = await Deno.makeTempDir();
  try {
    const workers = await Promise.all([1, 2, 3].map((w) =>
      runCliWithEnv(
        ["process", "--table", TABLE, "--out", out, "--owner", `worker-${w}`, URI],
        aws.env,
      )
    ));
    for (const worker of workers) {
      assert.ok([EXIT.ok, EXIT.badInput].includes(worker.code as 0 | 2), worker.stderr);
      assert.equal(worker.stdout, "");
    }
    const processed = workers.map((w) =>
      Number(/, (\d+) processed,/.exec(w.stderr)?.[1] ?? Number.NaN)
    );
    assert.equal(processed.reduce((a, b) => a + b, 0), 8, "each run processed once in all");
    const files = [];
    for await (const entry of Deno.readDir(out)) files.push(entry.name);
    const names = [...expected.keys()];
    assert.deepEqual(
      files.sort(),
      [...names.map((n) => `${n}.ndjson`), "run=2026-11-04-00-00-00.bad.ndjson"].sort(),
    );
    for (const [name, count] of expected) {
      const text = await Deno.readTextFile(`${out}/${name}.ndjson`);
      assert.equal(text.trimEnd().split("\n").length, count);
    }
    const bad = JSON.parse(await Deno.readTextFile(`${out}/run=2026-11-04-00-00-00.bad.ndjson`));
    assert.equal(bad.raw, "not an event 0");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("process --unit object --out writes one file per S3 Loader object, once", async () => {
  await using aws = await startLocalAws([BUCKET]);
  const manifests = await createTable(aws.dynamo.endpoint);
  const prefix = "enriched/good/";
  const old = new Date(Date.now() - 86_400_000);
  const keys = [
    `${prefix}2026-11-20-101500-0f3c2c1e-8a4b-4c61-9d1e-3c3f0e6a7b21.gz`,
    `${prefix}2026/11/20/10/2026-11-20-103000-5b1d2e4f-1111-4c61-9d1e-3c3f0e6a7b21-49650000000000000000000000000000000000000000000000000001-49650000000000000000000000000000000000000000000000000002.gz`,
  ];
  keys.forEach((key, i) => {
    const lines = [...generateLines({ seed: 40 + i, count: 3 + i })].map((g) => g.line);
    if (i === 1) lines.push("not an event");
    aws.s3.put(
      { bucket: BUCKET, key, lastModified: old },
      gzipSync(encoder.encode(lines.join("\n") + "\n")),
    );
  });
  aws.s3.put({ bucket: BUCKET, key: `${run(1)}part-00000.gz` }, "x\n");
  const out = await Deno.makeTempDir();
  try {
    const uri = `s3://${BUCKET}/${prefix}`;
    const first = await runCliWithEnv(
      ["process", "--table", TABLE, "--unit", "object", "--out", out, uri],
      aws.env,
    );
    assert.equal(first.code, EXIT.badInput, first.stderr);
    assert.match(
      first.stderr,
      /process: 2 objects listed: 0 already done, 0 archived, 2 processed/,
    );
    const flat = `${out}/2026-11-20-101500-0f3c2c1e-8a4b-4c61-9d1e-3c3f0e6a7b21`;
    const nested = `${out}/${keys[1].slice(prefix.length, -".gz".length)}`;
    assert.equal((await Deno.readTextFile(`${flat}.ndjson`)).trimEnd().split("\n").length, 3);
    assert.equal((await Deno.readTextFile(`${nested}.ndjson`)).trimEnd().split("\n").length, 4);
    const bad = JSON.parse(await Deno.readTextFile(`${nested}.bad.ndjson`));
    assert.deepEqual([bad.key, bad.line, bad.raw, bad.run], [
      keys[1],
      5,
      "not an event",
      undefined,
    ]);
    assert.deepEqual(await manifests.filterUnprocessed(keys), []);

    const second = await runCliWithEnv(
      ["process", "--table", TABLE, "--unit", "object", "--out", out, uri],
      aws.env,
    );
    assert.equal(second.code, EXIT.ok, second.stderr);
    assert.match(second.stderr, /process: 0 objects listed/, "the cursor is past both");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("process --sealed-by leaves unsealed runs for later", async () => {
  await using aws = await startLocalAws([BUCKET]);
  const manifests = await createTable(aws.dynamo.endpoint);
  putRun(aws.s3, 1, 2, 0);
  aws.s3.put(
    { bucket: BUCKET, key: `${run(2)}part-00000.gz` },
    gzipSync(encoder.encode(generateLines({ seed: 2, count: 1 }).next().value!.line + "\n")),
  );
  const result = await runCliWithEnv(
    ["process", "--table", TABLE, "--sealed-by", "_SUCCESS", URI],
    aws.env,
  );
  assert.equal(result.code, EXIT.ok, result.stderr);
  assert.match(result.stderr, /2 runs listed: 0 already done, 0 archived, 1 unsealed, 1 processed/);
  assert.equal(await manifests.contains(run(1)), true);
  assert.equal(await manifests.get(run(2)), undefined);
});

Deno.test("process reports failed runs and AWS failures with their statuses", async (t) => {
  await using aws = await startLocalAws([BUCKET]);
  putRun(aws.s3, 1, 2, 0);
  await t.step("a missing table stops the job: status 3, one line", async () => {
    const result = await runCliWithEnv(["process", "--table", TABLE, URI], aws.env);
    assert.equal(result.code, EXIT_AWS);
    assert.match(
      result.stderr,
      /^snowplow-analytics process: DynamoDB BatchGetItem failed: 400 ResourceNotFoundException.*\n$/,
    );
  });
  const manifests = await createTable(aws.dynamo.endpoint);
  await t.step("an unreadable run fails, is released, status 1", async () => {
    putRun(aws.s3, 2, 2, 0);
    for (let i = 1; i <= 3; i++) {
      aws.s3.put({
        bucket: BUCKET,
        key: `${run(2)}part-0000${i}`,
        storageClass: i === 3 ? "GLACIER" : "STANDARD",
      }, "x\n");
    }
    const out = await Deno.makeTempDir();
    try {
      const result = await runCliWithEnv(["process", "--table", TABLE, "--out", out, URI], aws.env);
      assert.equal(result.code, EXIT.ioError, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `process: ${run(2)}: FAILED \\(released\\): S3 GetObject failed: 403 InvalidObjectState`,
        ),
      );
      assert.match(result.stderr, /1 processed, 0 skipped, 1 failed/);
      assert.equal(await manifests.get(run(2)), undefined, "released");
      const files = [];
      for await (const entry of Deno.readDir(out)) files.push(entry.name);
      assert.deepEqual(files, ["run=2026-11-01-00-00-00.ndjson"], "no partial file left");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });
});

Deno.test("process releases the run in progress on Ctrl-C and exits 130", async () => {
  // GetObject hangs, so the run stays in progress until the signal.
  await using s3 = await FakeS3.start({
    buckets: [BUCKET],
    faults: (_i, request) =>
      request.method === "GET" && /part-/.test(request.url) ? "hang" : undefined,
  });
  const dynamo = await startDynamoDb();
  try {
    const manifests = await createTable(dynamo.endpoint);
    putRun(s3, 1, 3, 0);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "process", "--table", TABLE, "--owner", "worker-1", URI],
      env: {
        NO_COLOR: "1",
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        AWS_REGION: s3.region,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Wait until the run is claimed (however long the start takes on a busy machine), unless
    // the command ended; 5 minutes is only a safety net.
    let exited = false;
    child.status.then(() => exited = true);
    let record;
    const deadline = Date.now() + 300_000;
    while (record?.state !== "claimed" && !exited && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      record = await manifests.get(run(1));
    }
    assert.deepEqual([record?.state, record?.owner], ["claimed", "worker-1"]);
    child.kill("SIGINT");
    const { code, stderr } = await child.output();
    assert.equal(code, 130);
    assert.match(
      new TextDecoder().decode(stderr),
      /process: interrupted; the runs in progress were released\n$/,
    );
    assert.equal(await manifests.get(run(1)), undefined, "released");
  } finally {
    await dynamo.close();
  }
});

Deno.test("process rejects wrong arguments with the usage", async (t) => {
  const env = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" };
  const cases: [string, string[], RegExp][] = [
    ["no --table", [URI], /Invalid arguments: --table TABLE \(the run manifest\) missing/],
    ["no URI", ["--table", TABLE], /Invalid arguments: the S3 URI is missing/],
    [
      "a bad lease",
      ["--table", TABLE, "--lease-seconds", "0", URI],
      /Invalid --lease-seconds: expected a positive integer but got '0'/,
    ],
    [
      "a bad concurrency",
      ["--table", TABLE, "--concurrency", "two", URI],
      /Invalid --concurrency: expected a positive integer/,
    ],
    [
      "an invalid table",
      ["--table", "x", URI],
      /Invalid run manifest table name "x": expected 3 to 255 characters.* \(--table\)\n/,
    ],
    [
      "a flag without its value",
      ["--table", TABLE, URI, "--out"],
      /Invalid option --out: expected a value/,
    ],
    [
      "a bad unit",
      ["--table", TABLE, "--unit", "file", URI],
      /Invalid --unit: expected run or object/,
    ],
    [
      "--sealed-by with objects",
      ["--table", TABLE, "--unit", "object", "--sealed-by", "_SUCCESS", URI],
      /Invalid --sealed-by: it applies to run folders/,
    ],
    [
      "--settle-seconds with runs",
      ["--table", TABLE, "--settle-seconds", "5", URI],
      /Invalid --settle-seconds: it applies to --unit object only/,
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      const result = await runCliWithEnv(["process", ...args], env);
      assert.equal(result.code, EXIT.usage, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage: snowplow-analytics process \[options\] --table TABLE/);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    });
  }
  await t.step("--help", async () => {
    const result = await runCliWithEnv(["process", "--help"], {});
    assert.equal(result.code, EXIT.ok);
    assert.match(result.stdout, /--out DIR/);
    assert.match(result.stdout, /Exit status: 0 every claimed run/);
  });
});

async function filesIn(dir: string): Promise<string[]> {
  const files = [];
  for await (const entry of Deno.readDir(dir)) files.push(entry.name);
  return files.sort();
}

Deno.test({
  name: "process --out on a full disk fails the run: released, not done, no finished file",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("256k");
    await using aws = await startLocalAws([BUCKET]);
    const manifests = await createTable(aws.dynamo.endpoint);
    putRun(aws.s3, 1, 300, 2); // about 1 MB of NDJSON
    const full = await runCliWithEnv(
      ["process", "--table", TABLE, "--out", disk.dir, "--owner", "worker-1", URI],
      aws.env,
    );
    assert.equal(full.code, EXIT.ioError, full.stderr);
    assert.match(
      full.stderr,
      new RegExp(
        `^process: ${run(1)}: FAILED \\(released\\): Cannot write to ${disk.dir}/` +
          `run=2026-11-01-00-00-00\\.(bad\\.)?ndjson\\.partial: No space left on device`,
      ),
    );
    assert.match(full.stderr, /0 processed, 0 skipped, 1 failed/);
    assert.doesNotMatch(full.stderr, /\n\s+at /);
    assert.deepEqual(await filesIn(disk.dir), [], "no file of the run is left");
    assert.equal(await manifests.get(run(1)), undefined, "released, not done");

    // Released at once: another worker with room processes it now.
    const out = await Deno.makeTempDir();
    try {
      const next = await runCliWithEnv(
        ["process", "--table", TABLE, "--out", out, "--owner", "worker-2", URI],
        aws.env,
      );
      assert.equal(next.code, EXIT.badInput, next.stderr);
      assert.match(next.stderr, /1 processed, 0 skipped, 0 failed/);
      assert.deepEqual(await filesIn(out), [
        "run=2026-11-01-00-00-00.bad.ndjson",
        "run=2026-11-01-00-00-00.ndjson",
      ]);
      const text = await Deno.readTextFile(`${out}/run=2026-11-01-00-00-00.ndjson`);
      assert.equal(text.trimEnd().split("\n").length, 300);
      assert.equal(await manifests.contains(run(1)), true);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "process stops with status 1 and one line when stdout cannot be written",
  ignore: !HAS_DEV_FULL,
  async fn() {
    await using aws = await startLocalAws([BUCKET]);
    const manifests = await createTable(aws.dynamo.endpoint);
    putRun(aws.s3, 1, 5, 0);
    putRun(aws.s3, 2, 5, 0);
    const result = await runCliWithStdoutTo(
      "/dev/full",
      ["process", "--table", TABLE, "--order", "listed", "--concurrency", "1", URI],
      aws.env,
    );
    assert.equal(result.code, EXIT.ioError, result.stderr);
    assert.match(
      result.stderr,
      /snowplow-analytics process: Cannot write to stdout: No space left on device \(os error 28\)\n$/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(await manifests.get(run(1)), undefined, "released, not done");
    assert.equal(await manifests.get(run(2)), undefined, "not started");
  },
});

Deno.test({
  name: "process --out on a disk already full fails the run and leaves no empty file",
  ignore: NO_TMPFS !== undefined,
  async fn() {
    await using disk = await requireTmpfs("64k");
    await fill(disk.dir);
    await using aws = await startLocalAws([BUCKET]);
    const manifests = await createTable(aws.dynamo.endpoint);
    putRun(aws.s3, 1, 3, 0); // a few KB: written only when the run ends
    const result = await runCliWithEnv(
      ["process", "--table", TABLE, "--out", disk.dir, URI],
      aws.env,
    );
    assert.equal(result.code, EXIT.ioError, result.stderr);
    assert.match(result.stderr, /FAILED \(released\): Cannot write to .*: No space left on device/);
    assert.deepEqual(await filesIn(disk.dir), ["filler"]);
    assert.equal(await manifests.get(run(1)), undefined, "released, not done");
  },
});

Deno.test("process --idle-timeout fails a run whose object stalls, releases it, exits 1", async () => {
  await using s3 = await FakeS3.start({
    buckets: [BUCKET],
    faults: (_i, request) =>
      request.method === "GET" && /part-/.test(request.url) ? "stall" : undefined,
  });
  const dynamo = await startDynamoDb();
  try {
    const manifests = await createTable(dynamo.endpoint);
    putRun(s3, 1, 40, 0);
    const result = await runCliWithEnv(
      ["process", "--table", TABLE, "--idle-timeout", "0.3", URI],
      {
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        AWS_REGION: s3.region,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      },
    );
    assert.equal(result.code, EXIT.ioError, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`process: ${run(1)}: FAILED \\(released\\): S3 GetObject failed: RequestTimeout`),
    );
    assert.match(result.stderr, /0 processed, 0 skipped, 1 failed/);
    assert.equal(await manifests.get(run(1)), undefined, "released, not done");
  } finally {
    await dynamo.close();
  }
});
