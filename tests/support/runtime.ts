/**
 * Running the runtime self-test (`tests/runtimes/selftest.ts`) in other JavaScript runtimes:
 * bundle it with the public module, start local AWS endpoints for it, start a runtime as a
 * child process on 127.0.0.1 and stop it by its process id, and check its report.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@1.0.20";
import { type DynamoDbServer, startDynamoDb } from "./dynamodb_server.ts";
import { FakeS3 } from "./fake_s3.ts";
import {
  expectedReport,
  gzip,
  sampleFile,
  type SelfTestEnv,
  type SelfTestReport,
} from "../runtimes/selftest.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const WORKER = new URL("../runtimes/worker.ts", import.meta.url).pathname;
const decoder = new TextDecoder();
/** How long a runtime may take to start listening (a cold start included). */
const READY_MS = 30_000;
/** How long the self-test may take in a runtime before the test gives up (it takes ~1 s). */
const SELFTEST_MS = 60_000;

/** The project's root folder (absolute path, with a trailing slash). */
export const PROJECT_ROOT: string = ROOT;

/** What a finished command printed. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end in the project root. */
export async function runCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Runs `deno <args>` (the Deno running the tests) in the project root. */
export function runDeno(args: string[]): Promise<CommandResult> {
  return runCommand(Deno.execPath(), args);
}

/**
 * Bundles a Worker module with everything it imports into one ES module for browsers and edge
 * runtimes (`deno bundle --platform browser --format esm`): every dependency is inlined, so the
 * bundle imports nothing. Returns the bundle's path in a new temporary folder (named `prefix`…),
 * which the caller removes.
 */
export async function bundleWorker(
  entry: string,
  prefix: string,
): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix });
  const path = `${dir}/worker.mjs`;
  const result = await runDeno([
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--format",
    "esm",
    "-o",
    path,
    entry,
  ]);
  assert.equal(result.code, 0, `deno bundle failed:\n${result.stderr}`);
  const code = await Deno.readTextFile(path);
  assert.doesNotMatch(code, /^\s*import\s.*\sfrom\s/m, "the bundle still imports modules");
  return { dir, path };
}

/**
 * Bundles the self-test Worker (`tests/runtimes/worker.ts`) with the public module (see
 * {@linkcode bundleWorker}); its only export is the default fetch handler.
 */
export function bundleSelfTest(): Promise<{ dir: string; path: string }> {
  return bundleWorker(WORKER, "selftest-bundle-");
}

/** dynalite and the fake S3 with a small run archive, and the self-test's view of them. */
export interface LocalAws extends AsyncDisposable {
  readonly env: SelfTestEnv;
  readonly s3: FakeS3;
  close(): Promise<void>;
}

/**
 * Starts dynalite and the fake S3 (which verifies SigV4) on 127.0.0.1 and puts a run archive
 * in the bucket: an archived run (GLACIER), a run with a gzip object, a plain object and a
 * `_SUCCESS` marker, a second run, and a folder that is not a run.
 */
export async function startLocalAws(): Promise<LocalAws> {
  let dynamo: DynamoDbServer | undefined;
  const s3 = await FakeS3.start({ buckets: ["sp-archive"] });
  try {
    dynamo = await startDynamoDb();
    const archive = "enriched/archive/";
    // Uploaded over HTTP with signed PUTs, like any S3 client would.
    const client = new AwsClient({
      ...s3.credentials,
      region: s3.region,
      service: "s3",
      retries: 0,
    });
    const put = async (
      key: string,
      body: string | Uint8Array<ArrayBuffer>,
      storageClass?: string,
    ) => {
      const headers: Record<string, string> = storageClass
        ? { "x-amz-storage-class": storageClass }
        : {};
      const url = `${s3.endpoint}/sp-archive/${archive}${key}`;
      const response = await client.fetch(url, { method: "PUT", body, headers });
      await response.body?.cancel();
      assert.equal(response.status, 200, `PUT ${key}`);
    };
    await put("run=2020-12-31-00-00-00/part-00000", sampleFile("archived", 1), "GLACIER");
    await put("run=2021-01-01-00-00-00/_SUCCESS", "");
    await put("run=2021-01-01-00-00-00/part-00000.gz", await gzip(sampleFile("first", 3)));
    await put("run=2021-01-01-00-00-00/part-00001", sampleFile("second", 2));
    await put("run=2021-01-02-00-00-00/part-00000", sampleFile("third", 1));
    await put("tmp/part-00000", sampleFile("not-a-run", 1));
    const env: SelfTestEnv = {
      dynamodbEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      region: s3.region,
      s3Credentials: {
        accessKeyId: s3.credentials.accessKeyId,
        secretAccessKey: s3.credentials.secretAccessKey,
      },
      archive: `s3://sp-archive/${archive}`,
      table: "selftest-runs",
    };
    const servers = dynamo;
    const close = async () => {
      await Promise.all([servers.close(), s3.close()]);
    };
    return { env, s3, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await Promise.all([dynamo?.close(), s3.close()]);
    throw error;
  }
}

/** POSTs the environment to a self-test fetch handler and returns its report. */
export async function requestSelfTest(url: string, env: SelfTestEnv): Promise<SelfTestReport> {
  const response = await fetch(url, {
    method: "POST",
    body: JSON.stringify(env),
    signal: AbortSignal.timeout(SELFTEST_MS),
  });
  const body = await response.json();
  assert.equal(response.status, 200, `the self-test failed: ${JSON.stringify(body, null, 2)}`);
  return body as SelfTestReport;
}

/** Asserts that a report comes from `runtime` and shows everything working. */
export function assertReport(report: SelfTestReport, env: SelfTestEnv, runtime: string): void {
  assert.equal(report.runtime, runtime, `ran in ${report.runtime} ${report.version}`);
  const { runtime: _r, version: _v, compressionStream: _c, ...observed } = report;
  assert.deepEqual(observed, expectedReport(env));
}

/** A runtime started as a child process, serving HTTP on 127.0.0.1. */
export interface RuntimeServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** The child's process id. */
  readonly pid: number;
  /** Stops the child by its process id (SIGTERM) and waits for it to exit. */
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Starts `command args…` in the project root and waits for the first line it prints on
 * stdout, `{"port":N}` (the port it listens on, on 127.0.0.1). Its stderr is kept for the
 * error message if it exits early.
 */
export async function startRuntimeServer(
  command: string,
  args: string[],
): Promise<RuntimeServer> {
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stop = async (): Promise<Deno.CommandStatus> => {
    try {
      Deno.kill(child.pid, "SIGTERM");
    } catch {
      // It has already exited.
    }
    await reader.cancel().catch(() => {});
    const status = await child.status;
    await stderr;
    return status;
  };
  // A runtime that never gets to listen must not hang the test: give up after a generous while.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${command} did not print its port within ${READY_MS} ms`)),
      READY_MS,
    );
  });
  let port: number;
  try {
    let buffer = "";
    while (!buffer.includes("\n")) {
      const { value, done } = await Promise.race([reader.read(), timeout]);
      if (done) {
        const status = await child.status;
        throw new Error(`${command} exited (${status.code}) before listening:\n${await stderr}`);
      }
      buffer += value;
    }
    const line = buffer.slice(0, buffer.indexOf("\n"));
    port = (JSON.parse(line) as { port: number }).port;
    assert.ok(Number.isInteger(port) && port > 0, `${command} printed ${line}`);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

/** The server script that serves a bundle's fetch handler in Node or Bun. */
export const SERVE_SCRIPT: string = new URL("../runtimes/serve.mjs", import.meta.url).pathname;

/** The pinned Bun version, installed from npm into `.tools/bun/`. */
export const BUN_VERSION = "1.4.5";

/**
 * The path of the pinned Bun binary: `.tools/bun/node_modules/.bin/bun` (an ignored folder),
 * installed there with `npm install` when it is missing or another version.
 */
export async function bunBinary(): Promise<string> {
  const prefix = `${ROOT}.tools/bun`;
  const bun = `${prefix}/node_modules/.bin/bun`;
  const version = await runCommand(bun, ["--version"]).catch(() => undefined);
  if (version?.code === 0 && version.stdout.trim() === BUN_VERSION) return bun;
  const install = await runCommand("npm", [
    "install",
    "--prefix",
    prefix,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `bun@${BUN_VERSION}`,
  ]);
  assert.equal(install.code, 0, `npm install bun@${BUN_VERSION} failed:\n${install.stderr}`);
  return bun;
}

/**
 * The whole round for a runtime run as a child process: bundles the self-test, starts the local
 * AWS endpoints, starts `command` with `args(bundle)` (it must serve the bundle on 127.0.0.1,
 * see `serve.mjs`), posts the endpoints, checks that the report comes from `runtime` and is the
 * expected one, and stops everything. Returns the report for further checks.
 */
export async function selfTestInChild(
  runtime: string,
  command: string,
  args: (bundle: { dir: string; path: string }) => string[],
): Promise<SelfTestReport> {
  const bundle = await bundleSelfTest();
  try {
    await using aws = await startLocalAws();
    await using server = await startRuntimeServer(command, args(bundle));
    const report = await requestSelfTest(server.url, aws.env);
    assertReport(report, aws.env, runtime);
    return report;
  } finally {
    await Deno.remove(bundle.dir, { recursive: true });
  }
}
