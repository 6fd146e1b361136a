/**
 * The list of commands: each one's name, help and options, and its `run`, whose modules are
 * loaded only when that command runs (a run of `transform` does not load the AWS client, and
 * `--help` loads nothing but this list). Add a command by writing `src/cli/<name>.ts` with its
 * `run…` function, and its entry here.
 *
 * @module
 */

import type { CliIo, Command, OptionSpec, ParsedArgs } from "./command.ts";
import { EXIT } from "./exit_codes.ts";

/** A command's `run`, loaded on its first call by `load`. */
function lazy(
  load: () => Promise<(args: ParsedArgs, io: CliIo) => Promise<number>>,
): Command["run"] {
  return async (args, io) => (await load())(args, io);
}

/** The help paragraph on where credentials come from. */
const AWS_ENV_HELP = [
  "Credentials and region come from the standard environment variables: AWS_ACCESS_KEY_ID,",
  "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION), and the",
  "endpoint from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL unless",
  "--endpoint is given.",
].join("\n");

/** The `--endpoint` option of every AWS command. */
const ENDPOINT_OPTION: OptionSpec = {
  type: "string",
  value: "URL",
  description: "a local or S3-compatible endpoint (path-style), e.g. http://127.0.0.1:9000",
};

/** The `--idle-timeout` option of every AWS command. */
const IDLE_TIMEOUT_OPTION: OptionSpec = {
  type: "string",
  value: "SECONDS",
  description: "give up on a request that gets no answer or bytes for this long, then retry " +
    "(default 60)",
};

const MANIFEST_OPTIONS: Record<string, OptionSpec> = {
  endpoint: ENDPOINT_OPTION,
  "idle-timeout": IDLE_TIMEOUT_OPTION,
};

const MANIFEST_FAILURES = `${EXIT.aws} an AWS failure (one line on stderr with the code, ` +
  "HTTP status and request id),\n64 a usage error.";

/** The `transform` command. */
export const transformCommand: Command = {
  name: "transform",
  summary: "turn enriched TSV files (plain or gzip) into NDJSON, CSV or Parquet",
  usage: "[options] [FILE...]",
  description: [
    "Turns Snowplow enriched events (TSV, one per line) into JSON, one event per line",
    "(NDJSON) on stdout or --output FILE, or into CSV or one Parquet file (--format).",
    "Reads each FILE in turn, or stdin when there is no FILE or FILE",
    "is '-'. Gzip input is detected by its first bytes; concatenated .gz files are read",
    "whole. Lines that are not valid events are written as bad rows (NDJSON with file,",
    "line, raw line and error) to stderr or --bad FILE. A summary goes to stderr.",
  ].join("\n"),
  options: {
    bad: { type: "string", value: "FILE", description: "write bad rows to FILE, not stderr" },
    fields: {
      type: "string",
      value: "LIST",
      description: "output only these comma-separated keys, in this order",
    },
    format: {
      type: "string",
      value: "FORMAT",
      description: "ndjson (default), csv (RFC 4180 with a header; needs --fields), or " +
        "parquet (one typed file of all inputs; needs --output)",
    },
    output: {
      type: "string",
      short: "o",
      value: "FILE",
      description: "write to FILE (as FILE.partial, renamed when complete) instead of stdout",
    },
    "no-geo-location": { type: "boolean", description: "do not add the geo_location key" },
    nulls: { type: "boolean", description: "write null for every empty field" },
    "schema-version": {
      type: "boolean",
      description: "add _schema_version to each context object",
    },
    "max-line-bytes": {
      type: "string",
      value: "N",
      description: "lines longer than N bytes are bad rows (default 4194304)",
    },
    quiet: { type: "boolean", short: "q", description: "no summary or progress on stderr" },
    jobs: {
      type: "string",
      value: "N",
      description: "transform on N threads, output in input order (default: cores, at most 4)",
    },
  },
  epilog: [
    "Exit status: 0 every line was an event (or empty), 2 some lines were bad rows,",
    "1 an input or output failed (missing file, corrupt gzip, a full disk), 64 a usage error.",
    "",
    "Examples:",
    "  snowplow-analytics transform run/part-*.gz > events.ndjson",
    "  zcat events.tsv.gz | snowplow-analytics transform --bad bad.ndjson",
    "  snowplow-analytics transform --format csv --fields event_id,app_id,collector_tstamp x.tsv",
    "  snowplow-analytics transform --format parquet -o events.parquet run/part-*.gz",
  ].join("\n"),
  run: lazy(() => import("./transform.ts").then((m) => m.runTransform)),
};

/** `--sealed-by NAME`: only run folders holding that object. */
const SEALED_BY_OPTION: OptionSpec = {
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
    `Exit status: 0 listed (even none), ${EXIT.aws} an AWS failure (one line on stderr with the`,
    "code, HTTP status and request id), 64 a usage error.",
    "",
    "Examples:",
    "  snowplow-analytics runs list s3://my-bucket/enriched/archive/",
    "  snowplow-analytics runs list --sealed-by _SUCCESS s3://my-bucket/shredded/good/",
    "  snowplow-analytics runs list --endpoint http://127.0.0.1:9000 s3://local/archive/",
  ].join("\n"),
  run: lazy(() => import("./runs.ts").then((m) => m.runRunsList)),
};

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
  options: MANIFEST_OPTIONS,
  epilog: [
    `Exit status: 0 the table is ACTIVE (created or already there), ${MANIFEST_FAILURES}`,
    "",
    "Example:",
    "  snowplow-analytics manifest create snowplow-runs",
  ].join("\n"),
  run: lazy(() => import("./manifest.ts").then((m) => m.runManifestCreate)),
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
  options: MANIFEST_OPTIONS,
  epilog: [
    `Exit status: 0 recorded, ${MANIFEST_FAILURES}`,
    "",
    "Example:",
    "  snowplow-analytics manifest add snowplow-runs enriched/archive/run=2017-01-01-00-00-00/",
  ].join("\n"),
  run: lazy(() => import("./manifest.ts").then((m) => m.runManifestAdd)),
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
  options: MANIFEST_OPTIONS,
  epilog: [
    `Exit status: 0 contained (true), ${EXIT.notContained} not contained (false), ${MANIFEST_FAILURES}`,
    "",
    "Example:",
    '  if snowplow-analytics manifest contains snowplow-runs "$RUN" >/dev/null; then …; fi',
  ].join("\n"),
  run: lazy(() => import("./manifest.ts").then((m) => m.runManifestContains)),
};

/** The `process` command. */
export const processCommand: Command = {
  name: "process",
  summary: "process the runs (or objects) not in the manifest to NDJSON (safe on many machines)",
  usage: "[options] --table TABLE s3://bucket/prefix/",
  description: [
    "Lists the run folders under the S3 prefix (archived runs skipped), keeps those the run",
    "manifest TABLE does not hold as processed, and for each: claims it (a conditional write",
    "only one worker wins; runs another worker holds are skipped), writes its events as NDJSON,",
    "and records it as processed. A run that fails is released for the next attempt. Any",
    "number of copies of this command can run at once, on any machines: the claims share the",
    "work, and a crashed worker's runs are taken over when their lease ends.",
    "",
    "--unit object processes S3 Loader output file by file instead: every object under the",
    "prefix (partitions too; markers and run=… folders left out) is one unit, its key the item",
    "key in the same table. A cursor in the table makes each call list only the keys after the",
    "ones done and older than --settle-seconds. With --sealed-by NAME, only run folders",
    "holding the object NAME are processed (--unit run).",
    "",
    "Output: NDJSON events on stdout, or with --out DIR one file per run, DIR/run=….ndjson",
    "(per object: DIR/<key below the prefix, .gz dropped>.ndjson), written to a .partial file",
    "and renamed when the unit succeeded (so each file appears once, whole). Bad rows (JSON",
    "with run, key, line, raw, error) go to stderr, or with --out to DIR/….bad.ndjson. With",
    "--format parquet, each unit is one typed Parquet file, DIR/….parquet, written the same",
    "way. One progress line per unit and a summary go to stderr.",
    "",
    AWS_ENV_HELP,
  ].join("\n"),
  options: {
    table: { type: "string", value: "TABLE", description: "the run manifest table (required)" },
    out: { type: "string", value: "DIR", description: "write one NDJSON file per unit into DIR" },
    format: {
      type: "string",
      value: "FORMAT",
      description: "ndjson (default) or parquet (DIR/….parquet per unit; needs --out)",
    },
    unit: {
      type: "string",
      value: "UNIT",
      description: "run (default: run=… folders) or object (S3 Loader files, one by one)",
    },
    "sealed-by": SEALED_BY_OPTION,
    "settle-seconds": {
      type: "string",
      value: "N",
      description: "--unit object: the cursor passes objects older than N seconds (default 600)",
    },
    owner: {
      type: "string",
      value: "NAME",
      description: "this worker's name in claims (default host-pid-random)",
    },
    "lease-seconds": {
      type: "string",
      value: "N",
      description: "claims expire after N seconds unless renewed (default 900)",
    },
    concurrency: { type: "string", value: "N", description: "runs processed at once (default 1)" },
    "max-runs": { type: "string", value: "N", description: "stop after claiming N runs" },
    order: {
      type: "string",
      value: "ORDER",
      description: "shuffled (default: workers spread out) or listed (time order)",
    },
    endpoint: {
      type: "string",
      value: "URL",
      description: "a local endpoint for both S3 and DynamoDB",
    },
    "s3-endpoint": { type: "string", value: "URL", description: "a local or S3-compatible S3" },
    "dynamodb-endpoint": { type: "string", value: "URL", description: "a local DynamoDB" },
    "idle-timeout": IDLE_TIMEOUT_OPTION,
    quiet: { type: "boolean", short: "q", description: "no progress lines or summary" },
  },
  epilog: [
    "Exit status: 0 every claimed run was processed and had no bad rows, 2 some bad rows,",
    "1 some runs failed (they were released; a full disk fails a run) or stdout failed,",
    `${EXIT.aws} an AWS failure stopped the job (one line with the code, HTTP status and request`,
    "id), 64 a usage error, 130 interrupted (Ctrl-C: the runs in progress are released).",
    "",
    "Examples:",
    "  snowplow-analytics process --table snowplow-runs s3://my-bucket/enriched/archive/ > e.ndjson",
    "  snowplow-analytics process --table snowplow-runs --out events/ s3://my-bucket/archive/",
    "  snowplow-analytics process --table runs --format parquet --out lake/ s3://my-bucket/archive/",
    "  snowplow-analytics process --table snowplow-runs --unit object --out events/ \\",
    "    s3://my-bucket/enriched/good/",
  ].join("\n"),
  run: lazy(() => import("./process.ts").then((m) => m.runProcess)),
};

/** Every command, in the order the top-level help lists them. */
export const COMMANDS: readonly Command[] = [
  transformCommand,
  runsListCommand,
  manifestCreateCommand,
  manifestAddCommand,
  manifestContainsCommand,
  processCommand,
];
