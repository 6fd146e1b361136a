/**
 * `transform --jobs N`: several files at once, their output written in input order.
 *
 * The file whose turn it is streams to the output from this thread; up to N - 1 worker threads
 * (`transform_job.ts`) transform the next files meanwhile, each into spool files (NDJSON and bad
 * rows) that are copied to the output when its turn comes. Memory stays flat; the disk holds the
 * output of the files transformed ahead of their turn.
 *
 * @module
 */

import type { EventStreamOptions, StreamStats } from "../stream/mod.ts";
import { EXIT } from "./exit_codes.ts";
import { type Output, OutputError } from "./output.ts";
import type { Progress } from "./progress.ts";
import { messageOf } from "../_error_message.ts";

/** The transform options a job needs (those that can cross to a worker). */
export type JobOptions = Pick<
  EventStreamOptions,
  "geoLocation" | "nulls" | "schemaVersion" | "maxLineBytes"
>;

/** What the main thread asks a job. */
export interface JobRequest {
  /** The input file. */
  path: string;
  /** Where the NDJSON goes. */
  out: string;
  /** Where the bad rows go (NDJSON). */
  bad: string;
  options: JobOptions;
}

/** Why a file failed: the message, the exit status, and whether it was opened at all. */
export interface FileFailure {
  message: string;
  status: number;
  opened: boolean;
}

/** How many bytes a job wrote to each spool file. */
export interface SpoolBytes {
  out: number;
  bad: number;
}

/** What a job answers (`written` is absent when the spools were never opened). */
export type JobResult =
  | { type: "done"; stats: StreamStats; written: SpoolBytes }
  | (
    & { type: "failed"; stats: StreamStats | null; written?: SpoolBytes; spool?: SpoolFailure }
    & FileFailure
  );

/** A spool file that could not be written: its path and the reason. */
export interface SpoolFailure {
  output: string;
  reason: string;
}

/** Where the output of the jobs goes. */
export interface JobSinks {
  stdout: Output;
  bad: Output;
  progress: Progress;
  /** Bad rows go to stderr, where the progress line is. */
  badToStderr: boolean;
}

/**
 * Transforms `files` with up to `jobs` at once and writes their NDJSON and bad rows in the order
 * of `files`. The file whose turn it is and that no worker has started is transformed here by
 * `runHere` (streaming straight to the output), while up to `jobs - 1` workers transform the
 * files after it into spool files. Stops at the first file that fails (the files before it are
 * written whole, and what that file produced before failing); returns its message.
 *
 * @throws {OutputError} When an output, the spool folder or a spool file cannot be written.
 */
export async function transformInParallel(
  files: string[],
  jobs: number,
  options: JobOptions,
  sinks: JobSinks,
  runHere: (file: string) => Promise<FileFailure | undefined>,
): Promise<FileFailure | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "snowplow-transform-" }).catch((error) => {
    throw new OutputError("a spool folder for --jobs", error);
  });
  const workers: Worker[] = [];
  const results: Promise<JobResult>[] = [];
  let next = 1; // the first file is transformed here
  let running = 0;
  let stopped = false; // once this returns, a job that settles late starts no other
  const launch = () => {
    while (!stopped && running < jobs - 1 && next < files.length) {
      const i = next++;
      running++;
      results[i] = runWorker(files[i], { dir, index: i, options }, (worker) => workers.push(worker))
        .finally(() => {
          running--;
          launch();
        });
    }
  };
  try {
    for (let i = 0; i < files.length; i++) {
      if (results[i] === undefined) {
        next = Math.max(next, i + 1);
        launch();
        const failure = await runHere(files[i]);
        if (failure !== undefined) return failure;
        continue;
      }
      launch();
      const result = await results[i];
      if (result.stats && result.written) {
        // Exactly the bytes the job wrote: a shorter spool is an error, not a quiet loss.
        const events = await copy(spool(dir, i, "out"), result.written.out, sinks.stdout);
        if (events !== undefined) return events;
        if (sinks.badToStderr) await sinks.progress.clear();
        const badRows = await copy(spool(dir, i, "bad"), result.written.bad, sinks.bad);
        if (badRows !== undefined) return badRows;
        sinks.progress.add(result.stats);
      }
      await Promise.all(
        ["out", "bad"].map((kind) => Deno.remove(spool(dir, i, kind)).catch(() => {})),
      );
      if (result.type === "failed") {
        // A spool that could not be written fails like any output: exit 1, no summary.
        if (result.spool) {
          throw new OutputError(result.spool.output, new Error(result.spool.reason));
        }
        return { message: result.message, status: result.status, opened: result.opened };
      }
    }
    return undefined;
  } finally {
    stopped = true;
    for (const worker of workers) worker.terminate();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Transforms `file` on a new worker into the spool files of `index` in `dir`. */
function runWorker(
  file: string,
  job: { dir: string; index: number; options: JobOptions },
  started: (worker: Worker) => void,
): Promise<JobResult> {
  const { promise, resolve } = Promise.withResolvers<JobResult>();
  const worker = new Worker(new URL("./transform_job.ts", import.meta.url), { type: "module" });
  started(worker);
  const settle = (result: JobResult) => {
    worker.terminate();
    resolve(result);
  };
  worker.onmessage = (event: MessageEvent<JobResult>) => settle(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    const message = `${file}: ${event.message}`;
    settle({ type: "failed", message, status: EXIT.ioError, opened: true, stats: null });
  };
  const request: JobRequest = {
    path: file,
    out: spool(job.dir, job.index, "out"),
    bad: spool(job.dir, job.index, "bad"),
    options: job.options,
  };
  worker.postMessage(request);
  return promise;
}

function spool(dir: string, index: number, kind: string): string {
  return `${dir}/${index}.${kind}.ndjson`;
}

/**
 * Copies the first `bytes` bytes of the spool file at `path` to `output`, 1 MiB at a time.
 * Returns the failure when the spool cannot be read or holds fewer bytes; a failed write to
 * `output` throws its {@linkcode OutputError}.
 */
async function copy(path: string, bytes: number, output: Output): Promise<FileFailure | undefined> {
  const failed = (why: string) => ({
    message: `Cannot read the spool file ${path}: ${why}`,
    status: EXIT.ioError,
    opened: true,
  });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    return failed(messageOf(error));
  }
  try {
    for (let copied = 0; copied < bytes;) {
      const buffer = new Uint8Array(Math.min(1024 * 1024, bytes - copied));
      let read: number | null;
      try {
        read = await file.read(buffer);
      } catch (error) {
        return failed(messageOf(error));
      }
      if (read === null) return failed(`it holds ${copied} bytes but ${bytes} were written`);
      await output.write(buffer.subarray(0, read));
      copied += read;
    }
    return undefined;
  } finally {
    file.close();
  }
}
