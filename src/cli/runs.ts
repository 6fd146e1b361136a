/**
 * `runs list s3://bucket/prefix/`: the run folders under an S3 prefix, one per line.
 *
 * @module
 */

import { listRunIds, parseS3Uri } from "../s3/mod.ts";
import {
  AWS_ENV_HELP,
  awsOptionsFor,
  ENDPOINT_OPTION,
  EXIT_AWS,
  IDLE_TIMEOUT_OPTION,
  idleTimeoutArgument,
  isAwsError,
  reportAwsError,
} from "./aws_env.ts";
import {
  type CliIo,
  type Command,
  type OptionSpec,
  type ParsedArgs,
  UsageError,
} from "./command.ts";
import { EXIT } from "./exit_codes.ts";

const BATCH = 200;

/** `--sealed-by NAME`: only run folders holding that object. */
export const SEALED_BY_OPTION: OptionSpec = {
  type: "string",
  value: "NAME",
  description: "only run folders holding the object NAME (e.g. _SUCCESS)",
};

/** The `runs list` command. */
export const runsListCommand: Command = {
  name: "runs list",
  summary: "list the run folders (run=YYYY-MM-DD-HH-mm-ss/) under an S3 prefix",
  usage: "[options] s3://bucket/prefix/",
  description: [
    "Lists the run folders under an S3 prefix (s3://, s3n:// or s3a://), one run id per line",
    "on stdout, in listing order: the folder's key prefix without the bucket, with the trailing",
    "slash, e.g. enriched/archive/run=2017-01-01-00-00-00/ (the run ids of the manifest).",
    "Runs whose first objects are in GLACIER or DEEP_ARCHIVE are left out unless",
    "--include-archived. With --sealed-by NAME, only folders holding the object NAME (written",
    "last by the producer, e.g. _SUCCESS or shredding_complete.json) are listed.",
    "",
    AWS_ENV_HELP,
  ].join("\n"),
  options: {
    "include-archived": { type: "boolean", description: "list archived runs too" },
    "sealed-by": SEALED_BY_OPTION,
    endpoint: ENDPOINT_OPTION,
    "idle-timeout": IDLE_TIMEOUT_OPTION,
  },
  epilog: [
    `Exit status: 0 listed (even none), ${EXIT_AWS} an AWS failure (one line on stderr with the`,
    "code, HTTP status and request id), 64 a usage error.",
    "",
    "Examples:",
    "  snowplow-analytics runs list s3://my-bucket/enriched/archive/",
    "  snowplow-analytics runs list --sealed-by _SUCCESS s3://my-bucket/shredded/good/",
    "  snowplow-analytics runs list --endpoint http://127.0.0.1:9000 s3://local/archive/",
  ].join("\n"),
  run: runRunsList,
};

async function runRunsList(args: ParsedArgs, io: CliIo): Promise<number> {
  const uri = s3UriArgument(args);
  const options = { ...awsOptionsFor("s3", args.string("endpoint")), ...idleTimeoutArgument(args) };
  let lines: string[] = [];
  try {
    const runs = listRunIds(uri, {
      ...options,
      includeArchived: args.flag("include-archived"),
      sealedBy: sealedByArgument(args),
    });
    for await (const runId of runs) {
      lines.push(runId);
      if (lines.length >= BATCH) {
        await io.stdout.write(lines.join("\n") + "\n");
        lines = [];
      }
    }
  } catch (error) {
    if (lines.length > 0) await io.stdout.write(lines.join("\n") + "\n");
    if (isAwsError(error)) return await reportAwsError(io, "runs list", error);
    throw error;
  }
  if (lines.length > 0) await io.stdout.write(lines.join("\n") + "\n");
  return EXIT.ok;
}

/** The `--sealed-by` value, checked. */
export function sealedByArgument(args: ParsedArgs): string | undefined {
  const name = args.string("sealed-by");
  if (name === undefined) return undefined;
  if (name === "" || name.startsWith("/") || name.endsWith("/")) {
    throw new UsageError(
      `Invalid --sealed-by: expected an object inside the run folder, such as _SUCCESS, but got '${name}'`,
    );
  }
  return name;
}

/** The one S3 URI positional, checked. */
export function s3UriArgument(args: ParsedArgs): string {
  if (args.positionals.length === 0) {
    throw new UsageError("Invalid arguments: the S3 URI is missing");
  }
  if (args.positionals.length > 1) {
    throw new UsageError(
      `Invalid arguments: expected one S3 URI but got ${args.positionals.length}`,
    );
  }
  const uri = args.positionals[0];
  try {
    parseS3Uri(uri);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  return uri;
}
