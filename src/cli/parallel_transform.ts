/**
 * `transform --jobs N`: several files at once, each on its own worker thread
 * (`transform_job.ts`), their output written in input order.
 *
 * Each job spools its NDJSON and bad rows to temporary files; once every file before it has been
 * written, its spool is copied to the output. Memory stays flat; the disk holds the output of the
 * files finished ahead of their turn.
 *
 * @module
 */

import type { EventStreamOptions, StreamStats } from "../stream/mod.ts";
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

/** What a job answers. */
export type JobResult =
  | { type: "done"; stats: StreamStats }
  | { type: "failed"; message: string; stats: StreamStats | null };

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
 * of `files`. Stops at the first file that fails (the files before it are written whole, and
 * what that file produced before failing); returns its message.
 */
export async function transformInParallel(
  files: string[],
  jobs: number,
  options: JobOptions,
  sinks: JobSinks,
): Promise<string | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "snowplow-transform-" });
  const workers: Worker[] = [];
  const results = files.map(() => Promise.withResolvers<JobResult>());
  let next = 0;
  let running = 0;
  const launch = () => {
    while (running < jobs && next < files.length) {
      const i = next++;
      running++;
      const worker = new Worker(new URL("./transform_job.ts", import.meta.url), {
        type: "module",
      });
      workers[i] = worker;
      const settle = (result: JobResult) => {
        worker.terminate();
        running--;
        results[i].resolve(result);
        launch();
      };
      worker.onmessage = (event: MessageEvent<JobResult>) => settle(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        settle({ type: "failed", message: `${files[i]}: ${event.message}`, stats: null });
      };
      worker.postMessage(
        {
          path: files[i],
          out: spool(dir, i, "out"),
          bad: spool(dir, i, "bad"),
          options,
        } satisfies JobRequest,
      );
    }
  };
  try {
    launch();
    for (let i = 0; i < files.length; i++) {
      const result = await results[i].promise;
      if (result.stats) {
        await copy(spool(dir, i, "out"), sinks.stdout);
        if (sinks.badToStderr) await sinks.progress.clear();
        await copy(spool(dir, i, "bad"), sinks.bad);
        sinks.progress.add(result.stats);
      }
      await Promise.all(
        ["out", "bad"].map((kind) => Deno.remove(spool(dir, i, kind)).catch(() => {})),
      );
      if (result.type === "failed") return result.message;
    }
    return undefined;
  } finally {
    for (const worker of workers) worker?.terminate();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
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
