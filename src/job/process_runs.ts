import {
  ARCHIVED_STORAGE_CLASSES,
  type ArchiveProbe,
  checkSealName,
  isArchivedRun,
  isSealed,
  listRunIds,
} from "../s3/run_ids.ts";
import { parseS3Uri } from "../s3/uri.ts";
import {
  type BatchJobOptions,
  batchJobSettings,
  Job,
  type JobPlan,
  type ProcessRunsSummary,
} from "./job.ts";
import type { Unit, UnitContents } from "./process_object.ts";

/**
 * The records of one run, handed to {@linkcode ProcessRunsOptions.handleRun}: an async iterable
 * of its events and bad rows (each with the object key and line number, see
 * {@linkcode RunLine}), read from S3 as it is iterated. It can be iterated once.
 */
export interface RunContents extends UnitContents {
  /** The run id: the run folder's key prefix, e.g. `enriched/archive/run=2017-01-01-00-00-00/`. */
  readonly runId: string;
}

/** @deprecated Use {@linkcode RunContents}. */
export type RunRecords = RunContents;

/**
 * What a worker does with one run. It should read `records` to the end; the run is marked done
 * when the returned promise resolves (even if it stopped reading early), and released for
 * another attempt when it rejects.
 */
export type RunHandler = (runId: string, records: RunContents) => unknown;

/** Options of {@linkcode processRuns}. */
export interface ProcessRunsOptions extends BatchJobOptions {
  /** Called once per claimed run with its records; see {@linkcode RunHandler}. */
  handleRun: RunHandler;
  /**
   * Only runs whose folder holds this object are claimed: the name of the object a producer
   * writes last to seal a complete run, relative to the run folder, e.g. `_SUCCESS` or
   * `shredding_complete.json`. Runs not done and not sealed are left for a later call (counted
   * as `unsealed`). Checked only for runs that are not done (one small listing each).
   */
  sealedBy?: string;
}

/** `listRunIds`' default probe: the first 3 objects, against `ARCHIVED_STORAGE_CLASSES`. */
const ARCHIVE_PROBE: ArchiveProbe = {
  probeSize: 3,
  archivedClasses: new Set(ARCHIVED_STORAGE_CLASSES),
};

/**
 * The whole job in one call, safe to run from any number of places at once: lists the runs
 * under `s3Uri`, keeps those the manifest does not hold as done (one BatchGetItem per 100
 * runs), skips the archived ones (probed only then, as `listRunIds` does: one small listing per
 * run not done), claims each (a conditional write that exactly one worker wins; runs another
 * worker holds are skipped), hands its events and bad rows to `handleRun`, then marks it done. A run whose handler throws is released at once so a later call (here or
 * elsewhere) processes it; a crashed worker's runs are taken over when their lease ends.
 *
 * Per-run failures are values: they are in the summary (`failed`, `runs`) and the job goes on
 * with the other runs. Failures of the job itself (listing, the batch check, a claim request
 * failing after retries) reject the call, after the runs in progress have settled.
 *
 * Delivery is at least once: a handler that succeeded may run again if marking the run done
 * failed, or if this worker lost its lease while processing (reported as a failed run with a
 * {@linkcode LeaseLostError}). Make the handler's output idempotent per run (e.g. overwrite one
 * file per run) for exactly-once results.
 *
 * @throws {TypeError} At once, for a malformed S3 URI, a missing `handleRun`, an empty owner,
 * or a table name without `dynamodb` options.
 * @throws {RangeError} At once, for a `leaseMs`, `concurrency` or `maxRuns` that is not
 * positive.
 * @throws {AwsError} (as a rejection) When listing, the batch check or a claim fails.
 * @throws The signal's reason (as a rejection) when `signal` aborts.
 *
 * @example Count the events of every new run, from several machines at once (needs AWS)
 * ```ts ignore
 * import { awsOptionsFromEnv, processRuns } from "@snowplow/analytics-sdk";
 *
 * const env = Deno.env.toObject();
 * const summary = await processRuns("s3://my-bucket/enriched/archive/", {
 *   manifests: "snowplow-runs",
 *   s3: awsOptionsFromEnv(env, "s3"),
 *   dynamodb: awsOptionsFromEnv(env, "dynamodb"),
 *   owner: `${Deno.hostname()}-${Deno.pid}`,
 *   async handleRun(runId, records) {
 *     const byType = new Map<string, number>();
 *     for await (const record of records) {
 *       if (record.event) {
 *         const type = String(record.event.event ?? "unknown");
 *         byType.set(type, (byType.get(type) ?? 0) + 1);
 *       }
 *     }
 *     console.log(runId, Object.fromEntries(byType), `${records.badRows} bad rows`);
 *   },
 * });
 * console.log(`${summary.processed} runs processed, ${summary.failed} failed`);
 * ```
 */
export function processRuns(
  s3Uri: string,
  options: ProcessRunsOptions,
): Promise<ProcessRunsSummary> {
  const { bucket } = parseS3Uri(s3Uri);
  if (typeof options?.handleRun !== "function") {
    throw new TypeError("Invalid option handleRun for processRuns(): expected a function");
  }
  const sealedBy = options.sealedBy;
  if (sealedBy !== undefined) checkSealName(sealedBy, "processRuns");
  const settings = batchJobSettings(options, "processRuns");
  const s3 = options.s3;
  const plan: JobPlan = {
    bucket,
    // Archived runs and seals are probed only when not done (check), not for every listed run.
    list: (signal) =>
      map(
        listRunIds(s3Uri, { ...s3, includeArchived: true, signal }),
        (runId): Unit => ({ bucket, id: runId }),
      ),
    async check(unit, signal) {
      if (
        sealedBy !== undefined && !(await isSealed(bucket, unit.id, sealedBy, { ...s3, signal }))
      ) {
        return "unsealed";
      }
      return (await isArchivedRun(bucket, unit.id, ARCHIVE_PROBE, { ...s3, signal }))
        ? "archived"
        : undefined;
    },
    handle: (runId, records) => options.handleRun(runId, records),
  };
  return new Job(settings, options, plan).run();
}

async function* map<T, U>(items: AsyncIterable<T>, fn: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield fn(item);
}
