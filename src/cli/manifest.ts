/**
 * `manifest create|add|contains TABLE [RUN_ID]`: the run manifest in DynamoDB.
 *
 * @module
 */

import { RunManifests } from "../manifest/mod.ts";
import { awsOptionsFor, idleTimeoutArgument, isAwsError, reportAwsError } from "./aws_env.ts";
import { type CliIo, type ParsedArgs, UsageError } from "./command.ts";
import { EXIT } from "./exit_codes.ts";

/** The exit status of `manifest contains` for a run that is not in the manifest (like grep). */
export const EXIT_NOT_CONTAINED: number = EXIT.notContained;

/** Runs `manifest create TABLE`. */
export function runManifestCreate(args: ParsedArgs, io: CliIo): Promise<number> {
  return withManifest(args, io, "manifest create", 1, async (manifests) => {
    const { created } = await manifests.create();
    await io.stdout.write(
      created ? `created ${manifests.tableName}\n` : `${manifests.tableName} already exists\n`,
    );
    return EXIT.ok;
  });
}

/** Runs `manifest add TABLE RUN_ID`. */
export function runManifestAdd(args: ParsedArgs, io: CliIo): Promise<number> {
  return withManifest(args, io, "manifest add", 2, async (manifests, runId) => {
    await manifests.add(runId);
    return EXIT.ok;
  });
}

/** Runs `manifest contains TABLE RUN_ID`. */
export function runManifestContains(args: ParsedArgs, io: CliIo): Promise<number> {
  return withManifest(args, io, "manifest contains", 2, async (manifests, runId) => {
    const contained = await manifests.contains(runId);
    await io.stdout.write(`${contained}\n`);
    return contained ? EXIT.ok : EXIT_NOT_CONTAINED;
  });
}

/** Checks the positionals, builds the manifest, runs `action`, reports AWS failures. */
async function withManifest(
  args: ParsedArgs,
  io: CliIo,
  command: string,
  arity: 1 | 2,
  action: (manifests: RunManifests, runId: string) => Promise<number>,
): Promise<number> {
  const names = arity === 1 ? "TABLE" : "TABLE and RUN_ID";
  if (args.positionals.length < arity) {
    throw new UsageError(
      `Invalid arguments: ${args.positionals.length === 0 ? names : "RUN_ID"} missing`,
    );
  }
  if (args.positionals.length > arity) {
    throw new UsageError(
      `Invalid arguments: expected ${names} but got ${args.positionals.length} arguments`,
    );
  }
  const [table, runId = ""] = args.positionals;
  if (arity === 2 && runId === "") throw new UsageError("Invalid RUN_ID: it is empty");
  const options = {
    ...awsOptionsFor("dynamodb", args.string("endpoint")),
    ...idleTimeoutArgument(args),
  };
  let manifests: RunManifests;
  try {
    manifests = new RunManifests(table, options);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  try {
    return await action(manifests, runId);
  } catch (error) {
    if (isAwsError(error)) return await reportAwsError(io, command, error);
    throw error;
  }
}
