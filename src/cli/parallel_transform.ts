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
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";

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

/** What a job answers. */
export type JobResult =
  | { type: "done"; stats: StreamStats }
  | ({ type: "failed"; stats: StreamStats | null } & FileFailure);

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
 */
export async function transformInParallel(
  files: string[],
  jobs: number,
  options: JobOptions,
  sinks: JobSinks,
  runHere: (file: string) => Promise<FileFailure | undefined>,
): Promise<FileFailure | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "snowplow-transform-" });
  const workers: Worker[] = [];
  const results: Promise<JobResult>[] = [];
  let next = 1; // the first file is transformed here
  let running = 0;
  const launch = () => {
    while (running < jobs - 1 && next < files.length) {
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
      if (result.stats) {
        await copy(spool(dir, i, "out"), sinks.stdout);
        if (sinks.badToStderr) await sinks.progress.clear();
        await copy(spool(dir, i, "bad"), sinks.bad);
        sinks.progress.add(result.stats);
      }
      await Promise.all(
        ["out", "bad"].map((kind) => Deno.remove(spool(dir, i, kind)).catch(() => {})),
      );
      if (result.type === "failed") {
        return { message: result.message, status: result.status, opened: result.opened };
      }
    }
    return undefined;
  } finally {
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

/** Copies the file at `path` to `output`, 1 MiB at a time. */
async function copy(path: string, output: Output): Promise<void> {
  using file = await Deno.open(path);
  for (;;) {
    const buffer = new Uint8Array(1024 * 1024);
    const read = await file.read(buffer);
    if (read === null) return;
    await output.write(buffer.subarray(0, read));
  }
}
