/**
 * Local AWS for command-line tests: dynalite and the fake S3 on 127.0.0.1, and running the
 * command line as a subprocess with the standard AWS environment variables pointing at them.
 *
 * @module
 */

import { type DynamoDbServer, startDynamoDb } from "./dynamodb_server.ts";
import { FakeS3 } from "./fake_s3.ts";
import type { CliRun } from "./run_cli.ts";

const CLI = new URL("../../src/cli.ts", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Both servers, and the environment that points the command line at them. */
export interface LocalAws extends AsyncDisposable {
  s3: FakeS3;
  dynamo: DynamoDbServer;
  /** AWS_* variables: the fake S3's credentials and region, both endpoints. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts dynalite and the fake S3 (with `buckets`) on free ports of 127.0.0.1. */
export async function startLocalAws(buckets: string[] = []): Promise<LocalAws> {
  const s3 = await FakeS3.start({ buckets });
  const dynamo = await startDynamoDb();
  const close = async () => {
    await dynamo.close();
    await s3.close();
  };
  return {
    s3,
    dynamo,
    env: {
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AWS_REGION: s3.region,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Runs `deno run -A src/cli.ts ...args` with `env` added to a few inherited variables (the
 * AWS ones of this process are not passed on).
 */
export async function runCliWithEnv(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<CliRun> {
  const inherited: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) inherited[name] = value;
  }
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: options.cwd,
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
