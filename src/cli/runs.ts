/**
 * `runs list s3://bucket/prefix/`: the run folders under an S3 prefix, one per line.
 *
 * @module
 */

import { listRunIds, parseS3Uri } from "../s3/mod.ts";
import { awsOptionsFor, idleTimeoutArgument, isAwsError, reportAwsError } from "./aws_env.ts";
import { type CliIo, type ParsedArgs, UsageError } from "./command.ts";
import { EXIT } from "./exit_codes.ts";

const BATCH = 200;

/** Runs `runs list S3_URI`. */
export async function runRunsList(args: ParsedArgs, io: CliIo): Promise<number> {
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
