/**
 * `manifest create|add|contains TABLE [RUN_ID]`: the run manifest in DynamoDB.
 *
 * @module
 */

import { RunManifests } from "../manifest/mod.ts";
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

/** The exit status of `manifest contains` for a run that is not in the manifest (like grep). */
export const EXIT_NOT_CONTAINED: number = EXIT.notContained;

const OPTIONS: Record<string, OptionSpec> = {
  endpoint: ENDPOINT_OPTION,
  "idle-timeout": IDLE_TIMEOUT_OPTION,
};

const FAILURES = `${EXIT_AWS} an AWS failure (one line on stderr with the code, HTTP status and ` +
  "request id),\n64 a usage error.";

/** The `manifest create` command. */
export const manifestCreateCommand: Command = {
  name: "manifest create",
  summary: "create the run manifest table in DynamoDB (an existing one is fine)",
  usage: "[options] TABLE",
  description: [
    "Creates the DynamoDB table of the run manifest (hash key RunId, on-demand capacity), the",
    "table the Python and Scala Snowplow SDKs use. A table that already exists is success. In",
    "both cases waits until the table is ACTIVE, then prints 'created TABLE' or",
    "'TABLE already exists' on stdout.",
    "",
    AWS_ENV_HELP,
  ].join("\n"),
  options: OPTIONS,
  epilog: [
    `Exit status: 0 the table is ACTIVE (created or already there), ${FAILURES}`,
    "",
    "Example:",
    "  snowplow-analytics manifest create snowplow-runs",
  ].join("\n"),
  run: (args, io) =>
    withManifest(args, io, "manifest create", 1, async (manifests) => {
      const { created } = await manifests.create();
      await io.stdout.write(
        created ? `created ${manifests.tableName}\n` : `${manifests.tableName} already exists\n`,
      );
      return EXIT.ok;
    }),
};

/** The `manifest add` command. */
export const manifestAddCommand: Command = {
  name: "manifest add",
  summary: "record a run as processed in the run manifest",
  usage: "[options] TABLE RUN_ID",
  description: [
    "Records RUN_ID (a run folder's key prefix, as 'runs list' prints it) as processed in the",
    "run manifest TABLE, overwriting any claim. Prints nothing.",
    "",
    AWS_ENV_HELP,
  ].join("\n"),
  options: OPTIONS,
  epilog: [
    `Exit status: 0 recorded, ${FAILURES}`,
    "",
    "Example:",
    "  snowplow-analytics manifest add snowplow-runs enriched/archive/run=2017-01-01-00-00-00/",
  ].join("\n"),
  run: (args, io) =>
    withManifest(args, io, "manifest add", 2, async (manifests, runId) => {
      await manifests.add(runId);
      return EXIT.ok;
    }),
};

/** The `manifest contains` command. */
export const manifestContainsCommand: Command = {
  name: "manifest contains",
  summary: "tell whether a run is recorded as processed (true/false)",
  usage: "[options] TABLE RUN_ID",
  description: [
    "Prints 'true' when RUN_ID is recorded as processed in the run manifest TABLE, else",
    "'false' (a run another worker has only claimed is not processed yet), and says the same",
    "with the exit status, so it works in shell conditions.",
    "",
    AWS_ENV_HELP,
  ].join("\n"),
  options: OPTIONS,
  epilog: [
    `Exit status: 0 contained (true), ${EXIT_NOT_CONTAINED} not contained (false), ${FAILURES}`,
    "",
    "Example:",
    '  if snowplow-analytics manifest contains snowplow-runs "$RUN" >/dev/null; then …; fi',
  ].join("\n"),
  run: (args, io) =>
    withManifest(args, io, "manifest contains", 2, async (manifests, runId) => {
      const contained = await manifests.contains(runId);
      await io.stdout.write(`${contained}\n`);
      return contained ? EXIT.ok : EXIT_NOT_CONTAINED;
    }),
};

/** Every `manifest` subcommand. */
export const MANIFEST_COMMANDS: readonly Command[] = [
  manifestCreateCommand,
  manifestAddCommand,
  manifestContainsCommand,
];

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
