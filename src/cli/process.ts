/**
 * `process s3://bucket/prefix/ --table T [--out DIR]`: the whole job, safe to run on many
 * machines at once: the runs not yet in the manifest, claimed one by one, to NDJSON.
 *
 * @module
 */

import {
  type FailedRun,
  processObjects,
  processRuns,
  type ProcessRunsSummary,
  type RunOutcome,
  type UnitContents,
} from "../job/mod.ts";
import { RunManifests } from "../manifest/mod.ts";
import { PROGRAM } from "./args.ts";
import { awsOptionsFor, idleTimeoutArgument, isAwsError, reportAwsError } from "./aws_env.ts";
import { type CliIo, type ParsedArgs, UsageError } from "./command.ts";
import { EXIT } from "./exit_codes.ts";
import { openOutputFile, Output, OutputError } from "./output.ts";
import { parseS3Uri } from "../s3/mod.ts";
import { s3UriArgument, sealedByArgument } from "./runs.ts";
import { parquetErrorJson, writeParquetFile } from "./whole_file.ts";
import { messageOf } from "../_error_message.ts";

/** A thrown value's message on one line (the progress and summary lines are one line each). */
function oneLineMessage(error: unknown): string {
  return messageOf(error).replace(/\s+/g, " ");
}

const FLUSH_BYTES = 256 * 1024;

interface Settings {
  uri: string;
  /** The unit of work: run folders, or objects (S3 Loader output). */
  unit: "run" | "object";
  sealedBy?: string;
  settleMs?: number;
  table: string;
  out?: string;
  format: "ndjson" | "parquet";
  owner: string;
  leaseMs: number;
  concurrency: number;
  maxRuns?: number;
  order: "listed" | "shuffled";
  quiet: boolean;
}

function positiveInteger(args: ParsedArgs, name: string): number | undefined {
  const text = args.string(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`Invalid --${name}: expected a positive integer but got '${text}'`);
  }
  return value;
}

function readSettings(args: ParsedArgs): Settings {
  const uri = s3UriArgument(args);
  const table = args.string("table");
  if (table === undefined) {
    throw new UsageError("Invalid arguments: --table TABLE (the run manifest) missing");
  }
  const owner = args.string("owner") ?? defaultOwner();
  if (owner === "") throw new UsageError("Invalid --owner: it is empty");
  const unit = args.string("unit") ?? "run";
  if (unit !== "run" && unit !== "object") {
    throw new UsageError(`Invalid --unit: expected run or object but got '${unit}'`);
  }
  const sealedBy = sealedByArgument(args);
  if (sealedBy !== undefined && unit === "object") {
    throw new UsageError("Invalid --sealed-by: it applies to run folders, not to --unit object");
  }
  const settle = args.string("settle-seconds");
  let settleMs: number | undefined;
  if (settle !== undefined) {
    if (unit !== "object") {
      throw new UsageError("Invalid --settle-seconds: it applies to --unit object only");
    }
    if (!/^[0-9]+$/.test(settle)) {
      throw new UsageError(
        `Invalid --settle-seconds: expected 0 or a positive integer but got '${settle}'`,
      );
    }
    settleMs = Number(settle) * 1000;
  }
  const order = args.string("order") ?? "shuffled";
  if (order !== "listed" && order !== "shuffled") {
    throw new UsageError(`Invalid --order: expected shuffled or listed but got '${order}'`);
  }
  const format = args.string("format") ?? "ndjson";
  if (format !== "ndjson" && format !== "parquet") {
    throw new UsageError(`Invalid --format: expected ndjson or parquet but got '${format}'`);
  }
  const out = args.string("out");
  if (format === "parquet" && out === undefined) {
    throw new UsageError(
      "Invalid arguments: --format parquet needs --out DIR (one Parquet file per run)",
    );
  }
  return {
    uri,
    unit,
    sealedBy,
    settleMs,
    table,
    out,
    format,
    owner,
    leaseMs: (positiveInteger(args, "lease-seconds") ?? 900) * 1000,
    concurrency: positiveInteger(args, "concurrency") ?? 1,
    maxRuns: positiveInteger(args, "max-runs"),
    order,
    quiet: args.flag("quiet"),
  };
}

/** `host-pid-random`: unique per process, readable in the manifest. */
function defaultOwner(): string {
  let host = "worker";
  try {
    host = Deno.hostname();
  } catch {
    // No --allow-sys: the pid and the random part keep it unique.
  }
  return `${host}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * The output path of a unit below `--out`, without extension: `run=2017-01-01-00-00-00` for a
 * run; for an object, its key below the prefix without `.gz` (partition folders kept, so names
 * cannot collide; `.` and `..` segments escaped).
 */
function outputBase(unitId: string, prefix: string): string {
  if (unitId.endsWith("/")) {
    const segments = unitId.split("/").filter((s) => s !== "");
    return segments[segments.length - 1] ?? "run";
  }
  const relative = unitId.startsWith(prefix) ? unitId.slice(prefix.length) : unitId;
  return relative.replace(/\.gz$/, "").split("/")
    .map((s) => s === "" ? "%" : s === "." || s === ".." ? s.replaceAll(".", "%2E") : s)
    .join("/");
}

/** Buffers lines and writes them in large chunks. */
class LineBuffer {
  #parts: string[] = [];
  #size = 0;
  constructor(readonly output: Output) {}

  async push(line: string): Promise<void> {
    this.#parts.push(line);
    this.#size += line.length;
    if (this.#size >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join("");
    this.#parts = [];
    this.#size = 0;
    await this.output.write(text);
  }
}

/**
 * Where one run's events and bad rows go; `finish` publishes them, `abandon` drops them (also
 * after a `finish` that failed part-way).
 */
interface RunSink {
  events: LineBuffer;
  badRow(line: string): Promise<void>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * One unit's files in `dir`: `….ndjson` (and `….bad.ndjson` when there are bad rows), written
 * as `.partial` files and renamed once every byte is on the disk. Any failure to write, flush
 * or rename fails the unit, and no file of it is left looking finished. Without `ndjson`, only
 * its bad rows (the events go to Parquet).
 */
async function fileSink(
  dir: string,
  unitId: string,
  prefix: string,
  ndjson = true,
): Promise<RunSink> {
  const base = await outputPath(dir, unitId, prefix);
  const events = new LineBuffer(
    ndjson ? await openOutputFile(`${base}.ndjson.partial`) : new Output(new WritableStream()),
  );
  let bad: LineBuffer | undefined;
  let badRenamed = false;
  return {
    events,
    async badRow(line) {
      bad ??= new LineBuffer(await openOutputFile(`${base}.bad.ndjson.partial`));
      await bad.push(line);
    },
    async finish() {
      // Every byte of both files written and flushed (`close` checks) before any is renamed;
      // the events file, whose name says the run is complete, last.
      await events.flush();
      await events.output.close();
      if (bad) {
        await bad.flush();
        await bad.output.close();
        await Deno.rename(`${base}.bad.ndjson.partial`, `${base}.bad.ndjson`);
        badRenamed = true;
      } else {
        await Deno.remove(`${base}.bad.ndjson`).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
      }
      if (ndjson) await Deno.rename(`${base}.ndjson.partial`, `${base}.ndjson`);
    },
    async abandon() {
      await events.output.abort();
      await bad?.output.abort();
      if (ndjson) await Deno.remove(`${base}.ndjson.partial`).catch(() => {});
      if (bad) await Deno.remove(`${base}.bad.ndjson.partial`).catch(() => {});
      if (badRenamed) await Deno.remove(`${base}.bad.ndjson`).catch(() => {});
    },
  };
}

function streamSink(io: CliIo): RunSink {
  const events = new LineBuffer(io.stdout);
  return {
    events,
    badRow: (line) => io.stderr.write(line),
    finish: () => events.flush(),
    abandon: () => events.flush().catch(() => {}),
  };
}

/** `DIR/` + {@linkcode outputBase}, its folders made. */
async function outputPath(dir: string, unitId: string, prefix: string): Promise<string> {
  const relative = outputBase(unitId, prefix);
  const base = `${dir}/${relative}`;
  if (relative.includes("/")) {
    await Deno.mkdir(base.slice(0, base.lastIndexOf("/")), { recursive: true });
  }
  return base;
}

/** Where a record came from, for a bad row: the run and key, or the key of an object. */
function origin(unitId: string, key: string): { run?: string; key: string } {
  return unitId.endsWith("/") ? { run: unitId, key } : { key };
}

/**
 * One unit as `DIR/….parquet` (published whole, or not at all when the unit fails), its bad
 * rows as in the NDJSON case. An event the file cannot hold becomes a bad row with the event
 * and `{"type":"ParquetUnwritable","message":…}`.
 */
async function parquetUnit(
  unitId: string,
  records: UnitContents,
  dir: string,
  prefix: string,
): Promise<void> {
  const base = await outputPath(dir, unitId, prefix);
  const sink = await fileSink(dir, unitId, prefix, false);
  const where = { key: "", line: 0 };
  const pending: Promise<void>[] = [];
  async function* events(): AsyncGenerator<Record<string, unknown>> {
    for await (const record of records) {
      if (record.event) {
        where.key = record.key;
        where.line = record.line;
        yield record.event;
        if (pending.length > 0) await Promise.all(pending.splice(0));
      } else {
        const { key, badRow } = record;
        await sink.badRow(`${JSON.stringify({ ...origin(unitId, key), ...badRow })}\n`);
      }
    }
  }
  try {
    await writeParquetFile(`${base}.parquet`, events(), {
      onInvalid(event, error) {
        const row = {
          ...origin(unitId, where.key),
          line: where.line,
          event,
          error: parquetErrorJson(error),
        };
        pending.push(sink.badRow(`${JSON.stringify(row)}\n`));
      },
    });
    await Promise.all(pending);
  } catch (error) {
    await Promise.all(pending).catch(() => {});
    await sink.abandon();
    await Deno.remove(`${base}.parquet`).catch(() => {});
    throw error;
  }
  try {
    await sink.finish();
  } catch (error) {
    // The bad rows could not be written: the run fails, and its Parquet file goes too.
    await sink.abandon();
    await Deno.remove(`${base}.parquet`).catch(() => {});
    throw error;
  }
}

async function handleUnit(
  runId: string,
  records: UnitContents,
  settings: Settings,
  io: CliIo,
): Promise<void> {
  const prefix = parseS3Uri(settings.uri).prefix;
  if (settings.format === "parquet") {
    return await parquetUnit(runId, records, settings.out!, prefix);
  }
  const sink = settings.out === undefined
    ? streamSink(io)
    : await fileSink(settings.out, runId, prefix);
  try {
    for await (const record of records) {
      if (record.event) {
        await sink.events.push(`${JSON.stringify(record.event)}\n`);
      } else {
        const { key, badRow } = record;
        await sink.badRow(`${JSON.stringify({ ...origin(runId, key), ...badRow })}\n`);
      }
    }
    await sink.finish();
  } catch (error) {
    await sink.abandon();
    throw error;
  }
}

function describe(outcome: RunOutcome): string {
  switch (outcome.status) {
    case "processed":
      return `${count(outcome.events, "event")}, ${count(outcome.badRows, "bad row")}` +
        (outcome.tookOverFrom ? ` (taken over from ${outcome.tookOverFrom})` : "");
    case "skipped":
      return outcome.reason === "done"
        ? "skipped: processed meanwhile"
        : `skipped: held by ${outcome.heldBy ?? "another worker"}`;
    case "failed":
      return `FAILED (${outcome.released ? "released" : "not released"}): ${
        oneLineMessage((outcome as FailedRun).error)
      }`;
  }
}

/** Runs `process`: the command's whole work (see its help in `commands.ts`). */
export async function runProcess(args: ParsedArgs, io: CliIo): Promise<number> {
  const settings = readSettings(args);
  const endpoint = args.string("endpoint");
  const idle = idleTimeoutArgument(args);
  const s3 = { ...awsOptionsFor("s3", args.string("s3-endpoint") ?? endpoint), ...idle };
  const dynamodb = {
    ...awsOptionsFor("dynamodb", args.string("dynamodb-endpoint") ?? endpoint),
    ...idle,
  };
  let manifests: RunManifests;
  try {
    manifests = new RunManifests(settings.table, dynamodb);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new UsageError(`${error.message} (--table)`);
    }
    throw error;
  }
  if (settings.out !== undefined) {
    try {
      await Deno.mkdir(settings.out, { recursive: true });
    } catch (error) {
      await io.stderr.write(
        `${PROGRAM} process: Cannot create --out ${settings.out}: ${oneLineMessage(error)}\n`,
      );
      return error instanceof Deno.errors.NotCapable ? EXIT.permission : EXIT.ioError;
    }
  }
  const progress: Promise<void>[] = [];
  const controller = new AbortController();
  const interrupted = new Error("interrupted");
  const onInterrupt = () => controller.abort(interrupted);
  Deno.addSignalListener("SIGINT", onInterrupt);
  const start = performance.now();
  try {
    const options = {
      manifests,
      s3,
      owner: settings.owner,
      leaseMs: settings.leaseMs,
      concurrency: settings.concurrency,
      maxRuns: settings.maxRuns,
      order: settings.order,
      signal: controller.signal,
      onOutcome: (outcome: RunOutcome) => {
        if (!settings.quiet) {
          progress.push(io.stderr.write(`process: ${outcome.runId}: ${describe(outcome)}\n`));
        }
      },
    };
    const handle = (unitId: string, records: UnitContents) =>
      handleUnit(unitId, records, settings, io).catch((error) => {
        // stdout or stderr failed (a full disk): every later unit would fail too. The job
        // stops; the units in progress are released.
        if (error instanceof OutputError && settings.out === undefined) controller.abort(error);
        throw error;
      });
    const summary: ProcessRunsSummary = settings.unit === "object"
      ? await processObjects(settings.uri, {
        ...options,
        handleObject: handle,
        ...(settings.settleMs === undefined ? {} : { settleMs: settings.settleMs }),
      })
      : await processRuns(settings.uri, {
        ...options,
        handleRun: handle,
        ...(settings.sealedBy === undefined ? {} : { sealedBy: settings.sealedBy }),
      });
    await Promise.all(progress);
    if (!settings.quiet) {
      const seconds = ((performance.now() - start) / 1000).toFixed(2);
      await io.stderr.write(
        `process: ${count(summary.seen, settings.unit)} listed: ${summary.alreadyDone} already ` +
          `done, ${summary.archived} archived, ` +
          (settings.sealedBy === undefined ? "" : `${summary.unsealed} unsealed, `) +
          `${summary.processed} processed, ${summary.skipped} skipped, ${summary.failed} failed` +
          (summary.notStarted > 0 ? `, ${summary.notStarted} not started` : "") +
          `; ${count(summary.events, "event")}, ${count(summary.badRows, "bad row")} in ` +
          `${seconds} s (owner ${summary.owner})\n`,
      );
    }
    if (summary.failed > 0) return EXIT.ioError;
    return summary.badRows > 0 ? EXIT.badInput : EXIT.ok;
  } catch (error) {
    await Promise.all(progress);
    if (error === interrupted) {
      await io.stderr.write("process: interrupted; the runs in progress were released\n");
      return EXIT.interrupted;
    }
    if (isAwsError(error)) return await reportAwsError(io, "process", error);
    throw error; // an OutputError is reported by `main`: status 1
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
