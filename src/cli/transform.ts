/**
 * `transform [FILE...]`: enriched TSV files or stdin (plain or gzip) to NDJSON or CSV.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS } from "../event/mod.ts";
import {
  type BadRow,
  EventStream,
  type EventStreamOptions,
  isGzip,
  NdjsonStream,
  StreamReadError,
  type StreamStats,
} from "../stream/mod.ts";
import { PROGRAM } from "./args.ts";
import { type CliIo, type ParsedArgs, UsageError } from "./command.ts";
import { EXIT } from "./exit_codes.ts";
import { fileSource } from "./file_source.ts";
import { nativeGunzip } from "./native_gunzip.ts";
import { badRowJson } from "./bad_row_json.ts";
import { openOutputFile, type Output } from "./output.ts";
import { Progress } from "./progress.ts";
import { didYouMean } from "./suggest.ts";
import {
  THREADED_GUNZIP_MIN_BYTES,
  type ThreadedGunzip,
  threadedGunzip,
} from "./threaded_gunzip.ts";
import { transformOnThreads } from "./transform_threads.ts";
import { openWholeFile } from "./whole_file.ts";
import { transformToParquet } from "./parquet_output.ts";
import { messageOf } from "../_error_message.ts";

/** What the options of one run say. */
interface Settings {
  files: string[];
  streamOptions: EventStreamOptions;
  badPath?: string;
  fields?: string[];
  format: "ndjson" | "csv" | "parquet";
  /** `--output`: the file written instead of stdout. */
  outputPath?: string;
  quiet: boolean;
  /** Threads that transform (`--jobs`; 1: everything on this thread). */
  jobs: number;
}

/** Where each kind of output goes, for one input. */
interface Sinks {
  stdout: Output;
  bad: Output;
  progress: Progress;
  /** Bad rows go to stderr, where the progress line is: clear it before writing one. */
  badToStderr: boolean;
}

const NOT_OUTPUT = new Set(["contexts", "derived_contexts", "unstruct_event"]);
const KNOWN_FIELDS = new Set([
  "geo_location",
  ...ENRICHED_EVENT_FIELDS.map((f) => f.name).filter((name) => !NOT_OUTPUT.has(name)),
]);
const SHREDDED_FIELD = /^(contexts|unstruct_event)_[a-z0-9_]+_[0-9]+$/;
const CSV_BATCH = 500;

function readSettings(args: ParsedArgs, io: CliIo): Settings {
  const format = args.string("format") ?? "ndjson";
  if (format !== "ndjson" && format !== "csv" && format !== "parquet") {
    throw new UsageError(`Invalid --format: expected ndjson, csv or parquet but got '${format}'`);
  }
  const outputPath = args.string("output");
  if (outputPath === "") throw new UsageError("Invalid --output: it is empty");
  if (format === "parquet" && outputPath === undefined) {
    throw new UsageError(
      "Invalid arguments: --format parquet needs --output FILE (Parquet is not written to stdout)",
    );
  }
  const fieldList = args.string("fields");
  const fields = fieldList === undefined ? undefined : parseFields(fieldList);
  if (format === "csv" && !fields) {
    throw new UsageError("Invalid arguments: --format csv needs --fields");
  }
  let maxLineBytes: number | undefined;
  const maxText = args.string("max-line-bytes");
  if (maxText !== undefined) {
    maxLineBytes = Number(maxText);
    if (!/^[0-9]+$/.test(maxText) || !Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new UsageError(
        `Invalid --max-line-bytes: expected a positive integer but got '${maxText}'`,
      );
    }
  }
  const jobsText = args.string("jobs");
  const jobs = jobsText === undefined ? defaultJobs() : Number(jobsText);
  if (
    jobsText !== undefined &&
    (!/^[0-9]+$/.test(jobsText) || !Number.isSafeInteger(jobs) || jobs < 1)
  ) {
    throw new UsageError(`Invalid --jobs: expected a positive integer but got '${jobsText}'`);
  }
  const files = args.positionals.length > 0 ? [...args.positionals] : ["-"];
  if (files.filter((f) => f === "-").length > 1) {
    throw new UsageError("Invalid arguments: stdin ('-') can be read only once");
  }
  if (files.includes("-") && io.stdinIsTerminal) {
    throw new UsageError(
      "Cannot read stdin from a terminal: give FILE arguments or pipe enriched events into stdin",
    );
  }
  return {
    files,
    streamOptions: {
      geoLocation: !args.flag("no-geo-location"),
      nulls: args.flag("nulls"),
      schemaVersion: args.flag("schema-version"),
      maxLineBytes,
      gunzip: nativeGunzip,
    },
    badPath: args.string("bad"),
    fields,
    format,
    outputPath,
    quiet: args.flag("quiet"),
    jobs,
  };
}

/**
 * The number of cores, at most {@linkcode MAX_DEFAULT_JOBS}: one thread decompresses and cuts the
 * text for all the transform threads (530–870 MB of text a second with `node:zlib` on the project
 * VM, where one transform thread converts about 310 MB a second), so more are not started unless
 * `--jobs` asks for them.
 */
function defaultJobs(): number {
  return Math.min(MAX_DEFAULT_JOBS, Math.max(1, navigator.hardwareConcurrency || 1));
}

const MAX_DEFAULT_JOBS = 4;

function parseFields(list: string): string[] {
  const fields = list.split(",").map((f) => f.trim());
  for (const field of fields) {
    if (field === "") throw new UsageError(`Invalid --fields: an empty name in '${list}'`);
    if (NOT_OUTPUT.has(field)) {
      const prefix = field === "unstruct_event" ? "unstruct_event" : "contexts";
      throw new UsageError(
        `Invalid --fields: '${field}' is not an output key: the flat form replaces it with its shredded ` +
          `keys, ${prefix}_<vendor>_<name>_<model> (e.g. ${prefix}_com_acme_${
            prefix === "contexts" ? "user" : "link_click"
          }_1)`,
      );
    }
    if (!KNOWN_FIELDS.has(field) && !SHREDDED_FIELD.test(field)) {
      throw new UsageError(
        `Invalid --fields: '${field}' is not an output key (an enriched event field, geo_location, ` +
          `contexts_<vendor>_<name>_<model> or unstruct_event_<vendor>_<name>_<model>)` +
          didYouMean(field, KNOWN_FIELDS),
      );
    }
  }
  if (new Set(fields).size !== fields.length) {
    throw new UsageError(`Invalid --fields: a key named twice in '${list}'`);
  }
  return fields;
}

/** Runs `transform [FILE...]`. */
export async function runTransform(args: ParsedArgs, io: CliIo): Promise<number> {
  const settings = readSettings(args, io);
  const progress = new Progress(io.stderr, io.stderrIsTerminal && !settings.quiet);
  let bad = io.stderr;
  if (settings.badPath !== undefined) {
    try {
      bad = await openOutputFile(settings.badPath);
    } catch (error) {
      return await fail(io, `Cannot open --bad ${settings.badPath}: ${messageOf(error)}`, error);
    }
  }
  const sinks: Sinks = { stdout: io.stdout, bad, progress, badToStderr: bad === io.stderr };
  let status: number = EXIT.ok;
  let summary = !settings.quiet;
  const report = (failure: Failure): Promise<number> => {
    // A summary after an input that could not even be opened would only repeat zeros.
    if (!failure.opened) summary = false;
    return reportFailure(io, sinks, failure);
  };
  if (settings.format === "parquet") {
    const failure = await transformToParquet(settings, {
      // A large gzip file is decompressed on the gunzip thread (plain text comes out, which
      // ParquetStream's gzip detection reads as such).
      open: (file) => openInput(file, io, settings.streamOptions.gzip !== true),
      badRow: (file, row) => writeBadRow(file, row, sinks),
      badLine: (line) => writeBadLine(line, sinks),
      progress: sinks.progress,
      statusOf,
      isIoError,
    });
    if (failure !== undefined) status = await report(failure);
  } else {
    let outputStatus: number = EXIT.ioError;
    const output = settings.outputPath === undefined
      ? undefined
      : await openWholeFile(settings.outputPath).catch(async (error) => {
        const message = `Cannot open --output ${settings.outputPath}: ${messageOf(error)}`;
        outputStatus = await fail(io, message, error);
        return null;
      });
    if (output === null) {
      if (bad !== io.stderr) await bad.close();
      return outputStatus;
    }
    if (output) sinks.stdout = output.output;
    if (settings.format === "csv") {
      const { stringify } = await loadCsv();
      await sinks.stdout.write(stringify([settings.fields!], { record_delimiter: "windows" }));
    }
    try {
      if (onThreads(settings)) {
        const { geoLocation, nulls, schemaVersion, maxLineBytes } = settings.streamOptions;
        const options = { geoLocation, nulls, schemaVersion, maxLineBytes };
        const failure = await transformOnThreads(
          settings.files,
          settings.jobs,
          options,
          (file) => openInput(file, io),
          {
            stdout: sinks.stdout,
            progress: sinks.progress,
            badRow: (file, row) => writeBadRow(file, row, sinks),
          },
        );
        if (failure !== undefined) status = await report(failure);
      } else {
        for (const file of settings.files) {
          const failure = await transformFile(file, settings, io, sinks);
          if (failure !== undefined) {
            status = await report(failure);
            break;
          }
        }
      }
    } catch (error) {
      await output?.abandon(); // a failed write (reported by `main`): no partial file left
      throw error;
    }
    if (status === EXIT.ok) {
      const committed = await output?.commit().then(() => undefined, (error) => error);
      if (committed !== undefined) {
        const message = `${settings.outputPath}: ${messageOf(committed)}`;
        status = await report({ message, status: statusOf(committed), opened: true });
      }
    } else await output?.abandon();
  }
  await progress.clear();
  if (bad !== io.stderr) await bad.close();
  if (summary) await io.stderr.write(progress.summary() + "\n");
  if (status !== EXIT.ok) return status;
  return progress.totals.badRows > 0 ? EXIT.badInput : EXIT.ok;
}

/**
 * Whether the inputs are transformed on `--jobs` threads (`transform_threads.ts`): more than
 * one job, NDJSON of whole events. (`--fields` and CSV build event objects on this thread.)
 */
function onThreads(settings: Settings): boolean {
  return settings.jobs > 1 && !settings.fields;
}

/** Why an input or the output failed: the message, the exit status, and whether it was opened. */
interface Failure {
  message: string;
  status: number;
  opened: boolean;
}

async function reportFailure(io: CliIo, sinks: Sinks, failure: Failure): Promise<number> {
  await sinks.progress.clear();
  await io.stderr.write(`${PROGRAM} transform: ${failure.message}\n`);
  return failure.status;
}

/** Opens one input; says why when it cannot. */
async function openInput(
  file: string,
  io: CliIo,
  allowThread = false,
): Promise<
  { source: ReadableStream<Uint8Array>; size?: number; threaded?: ThreadedGunzip } | Failure
> {
  if (file === "-") return { source: io.stdin() };
  try {
    const handle = await Deno.open(file);
    const info = await handle.stat();
    if (info.isDirectory) {
      handle.close();
      return { message: `Cannot read ${file}: it is a directory`, ...NOT_OPENED };
    }
    if (allowThread && info.size >= THREADED_GUNZIP_MIN_BYTES && await startsWithGzip(handle)) {
      // Decompressed on a second thread (plain text comes out), see threaded_gunzip.ts.
      handle.close();
      const threaded = threadedGunzip(file);
      return { source: threaded.readable, size: info.size, threaded };
    }
    return { source: fileSource(handle), size: info.size };
  } catch (error) {
    const message = `Cannot open ${file}: ${messageOf(error)}`;
    return { message, ...NOT_OPENED, status: statusOf(error) };
  }
}

/** Transforms one input; says why when it failed. */
async function transformFile(
  file: string,
  settings: Settings,
  io: CliIo,
  sinks: Sinks,
): Promise<Failure | undefined> {
  // With one job everything runs on this thread; with more (and `--fields`), a large gzip file
  // is decompressed on a second one.
  const input = await openInput(file, io, settings.jobs > 1);
  if (!("source" in input)) return input;
  const { source, size, threaded } = input;
  // A gzip file decompressed on the gunzip thread comes as plain text.
  const streamOptions = threaded
    ? { ...settings.streamOptions, gzip: false }
    : settings.streamOptions;
  let stats: StreamStats | undefined;
  try {
    if (settings.fields) {
      const events = new EventStream(source, streamOptions);
      stats = events.stats;
      await writeSelected(events, file, size, settings, sinks);
    } else {
      const ndjson = new NdjsonStream(source, streamOptions);
      stats = ndjson.stats;
      const counted = ndjson.stats;
      const progressStats = threaded
        ? () => ({ ...counted, gzip: true, sourceBytes: threaded.compressed })
        : () => counted;
      await writeBoth(ndjson, file, size, sinks, progressStats);
    }
    return undefined;
  } catch (error) {
    if (error instanceof StreamReadError) {
      return { message: `${file}: ${error.message}`, ...READ_FAILED };
    }
    if (error instanceof Deno.errors.BrokenPipe || !isIoError(error)) throw error;
    return { message: `${file}: ${messageOf(error)}`, status: statusOf(error), opened: true };
  } finally {
    if (stats) {
      sinks.progress.add(
        threaded ? { ...stats, gzip: true, sourceBytes: threaded.compressed } : stats,
      );
    }
  }
}

/** Whether the file starts with the gzip magic bytes (it is read again from its start). */
async function startsWithGzip(handle: Deno.FsFile): Promise<boolean> {
  const head = new Uint8Array(2);
  let read = 0;
  while (read < 2) {
    const n = await handle.read(head.subarray(read));
    if (n === null) break;
    read += n;
  }
  await handle.seek(0, Deno.SeekMode.Start);
  return isGzip(head.subarray(0, read));
}

/** Size of the buffer NDJSON is read into before it is written to stdout: 1 MiB. */
const OUTPUT_CHUNK_BYTES = 1024 * 1024;

/**
 * Writes the NDJSON and the bad rows, and returns only once both are written: when the input
 * fails, each stream first delivers what was converted before the failure, and all of it is
 * written before the error is reported (and the process exits). When a write fails, the
 * input is cancelled so that the other side ends too.
 */
async function writeBoth(
  ndjson: NdjsonStream,
  file: string,
  size: number | undefined,
  sinks: Sinks,
  progressStats: () => StreamStats,
): Promise<void> {
  const reader = ndjson.getReader({ mode: "byob" });
  const stop = (error: unknown) => reader.cancel(error).catch(() => {});
  const results = await Promise.allSettled([
    writeNdjson(reader, progressStats, file, size, sinks).catch(async (error) => {
      await stop(error);
      throw error;
    }),
    writeBadRows(ndjson.badRows, file, sinks).catch(async (error) => {
      await stop(error);
      throw error;
    }),
  ]);
  reader.releaseLock();
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

async function writeNdjson(
  reader: ReadableStreamBYOBReader,
  progressStats: () => StreamStats,
  file: string,
  size: number | undefined,
  sinks: Sinks,
): Promise<void> {
  // One buffer, read into again once its bytes are written: no new buffer per chunk.
  let buffer = new ArrayBuffer(OUTPUT_CHUNK_BYTES);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done || value === undefined) break;
    await sinks.stdout.write(value);
    buffer = value.buffer;
    await sinks.progress.tick(progressStats(), file, size);
  }
}

async function writeBadRows(rows: ReadableStream<BadRow>, file: string, sinks: Sinks) {
  for await (const row of rows) await writeBadRow(file, row, sinks);
}

async function writeBadRow(file: string, row: BadRow, sinks: Sinks): Promise<void> {
  await writeBadLine(badRowJson(file, row), sinks);
}

async function writeBadLine(line: string, sinks: Sinks): Promise<void> {
  if (sinks.badToStderr) await sinks.progress.clear();
  await sinks.bad.write(line);
}

/** Events with only `settings.fields`, as NDJSON or CSV rows. */
async function writeSelected(
  events: EventStream<boolean>,
  file: string,
  size: number | undefined,
  settings: Settings,
  sinks: Sinks,
): Promise<void> {
  const fields = settings.fields!;
  const nulls = settings.streamOptions.nulls === true;
  const csv = settings.format === "csv";
  let batch: string[] = [];
  let rows: unknown[][] = [];
  const flush = async () => {
    if (rows.length > 0) {
      batch.push((await loadCsv()).stringify(rows, CSV_OPTIONS));
      rows = [];
    }
    if (batch.length > 0) await sinks.stdout.write(batch.join(""));
    batch = [];
    await sinks.progress.tick(events.stats, file, size);
  };
  for await (const result of events) {
    if (result.badRow) {
      await writeBadRow(file, result.badRow, sinks);
      continue;
    }
    const event: Record<string, unknown> = result.event;
    if (csv) {
      rows.push(fields.map((f) => event[f]));
    } else {
      const picked: Record<string, unknown> = {};
      for (const f of fields) {
        if (f in event) picked[f] = event[f];
        else if (nulls) picked[f] = null;
      }
      batch.push(`${JSON.stringify(picked)}\n`);
    }
    if (rows.length + batch.length >= CSV_BATCH) await flush();
  }
  await flush();
}

/**
 * csv-stringify, loaded only for `--format csv`: loading it takes about 0.1 s of every start
 * (measured on the project VM), which NDJSON output does not need.
 */
function loadCsv(): Promise<typeof import("../_deps/csv_stringify.ts")> {
  return import("../_deps/csv_stringify.ts");
}

/** RFC 4180: CRLF records, quotes only where needed; JSON for nested values. */
const CSV_OPTIONS = {
  record_delimiter: "windows",
  cast: {
    boolean: (value: boolean) => (value ? "true" : "false"),
    object: (value: Record<string, unknown>) => JSON.stringify(value),
  },
} as const;

const NOT_OPENED = { status: EXIT.ioError, opened: false } as const;
const READ_FAILED = { status: EXIT.ioError, opened: true } as const;

/** The exit status of a failed file operation: a missing Deno permission has its own. */
function statusOf(error: unknown): number {
  return error instanceof Deno.errors.NotCapable ? EXIT.permission : EXIT.ioError;
}

async function fail(io: CliIo, message: string, error: unknown): Promise<number> {
  await io.stderr.write(`${PROGRAM} transform: ${message}\n`);
  return statusOf(error);
}

function isIoError(error: unknown): boolean {
  return Object.values(Deno.errors).some((type) => error instanceof type);
}
