import type { AwsOptions } from "../aws/options.ts";
import { RunManifests, type RunManifestsOptions } from "../manifest/run_manifests.ts";
import { readRun, type ReadRunOptions, type RunResult } from "../s3/read_run.ts";
import { listObjects } from "../s3/list_objects.ts";
import { ARCHIVED_STORAGE_CLASSES, listRunIds } from "../s3/run_ids.ts";
import { parseS3Uri } from "../s3/uri.ts";

/**
 * The records of one run, handed to {@linkcode ProcessRunsOptions.handleRun}: an async iterable
 * of its events and bad rows (each with the object key and line number, see
 * {@linkcode RunResult}), read from S3 as it is iterated. It can be iterated once.
 */
export interface RunRecords extends AsyncIterable<RunResult> {
  /** The run id: the run folder's key prefix, e.g. `enriched/archive/run=2017-01-01-00-00-00/`. */
  readonly runId: string;
  /** The run folder as an S3 URI, e.g. `s3://bucket/enriched/archive/run=2017-01-01-00-00-00/`. */
  readonly uri: string;
  /**
   * Aborted when the job's signal aborts or this worker lost its claim on the run (the lease
   * ran out and another worker took the run over). Pass it to your own I/O.
   */
  readonly signal: AbortSignal;
  /** Events read so far. */
  readonly events: number;
  /** Bad rows read so far. */
  readonly badRows: number;
}

/**
 * What a worker does with one run. It should read `records` to the end; the run is marked done
 * when the returned promise resolves (even if it stopped reading early), and released for
 * another attempt when it rejects.
 */
export type RunHandler = (runId: string, records: RunRecords) => unknown;

/** A run this call processed: the handler succeeded and the run is marked done. */
export interface ProcessedRun {
  /** Always `"processed"`. */
  status: "processed";
  /** The run id. */
  runId: string;
  /** Events the handler read. */
  events: number;
  /** Bad rows the handler read. */
  badRows: number;
  /** The worker whose expired claim this worker took over, if any. */
  tookOverFrom?: string;
}

/** A run this call did not claim: it was done meanwhile, or another worker holds it. */
export interface SkippedRun {
  /** Always `"skipped"`. */
  status: "skipped";
  /** The run id. */
  runId: string;
  /** `done`: processed meanwhile; `held`: another worker's lease is running. */
  reason: "done" | "held";
  /** The worker holding the run (for `held`, when known). */
  heldBy?: string;
}

/** A run whose handler (or reading, or completion) failed; it was given back when possible. */
export interface FailedRun {
  /** Always `"failed"`. */
  status: "failed";
  /** The run id. */
  runId: string;
  /**
   * Why: what the handler threw (an `S3Error` when reading failed), or a
   * {@linkcode LeaseLostError} when another worker took the run over.
   */
  error: unknown;
  /** Events the handler read before the failure. */
  events: number;
  /** Bad rows the handler read before the failure. */
  badRows: number;
  /**
   * Whether the claim was released, so another call can process the run at once. When `false`
   * (the claim was lost, or releasing failed) the run is free again when its lease ends.
   */
  released: boolean;
}

/** What happened to one run that this call tried to claim. */
export type RunOutcome = ProcessedRun | SkippedRun | FailedRun;

/**
 * The result of {@linkcode processRuns}. Counts add up:
 * `seen = alreadyDone + archived + processed + skipped + failed + notStarted`.
 */
export interface ProcessRunsSummary {
  /** The owner name this call claimed runs with. */
  owner: string;
  /** Run folders listed. */
  seen: number;
  /** Runs the batch check found done before claiming. */
  alreadyDone: number;
  /**
   * Runs not processed yet but archived (one of their first 3 objects is in `GLACIER` or
   * `DEEP_ARCHIVE`), so they cannot be read without a restore; left alone.
   */
  archived: number;
  /** Runs processed and marked done by this call. */
  processed: number;
  /** Runs another worker held or finished first. */
  skipped: number;
  /** Runs whose processing failed (see {@linkcode FailedRun}). */
  failed: number;
  /** Runs left alone because of `maxRuns` or `stopOnFailure`. */
  notStarted: number;
  /** Events of the processed runs. */
  events: number;
  /** Bad rows of the processed runs. */
  badRows: number;
  /** One outcome per run this call tried to claim, in the order they settled. */
  runs: RunOutcome[];
}

/** How {@linkcode processRuns} reads each run: {@linkcode ReadRunOptions} without the AWS options. */
export type ProcessRunsReadOptions = Omit<ReadRunOptions, keyof AwsOptions>;

/** Options of {@linkcode processRuns}. */
export interface ProcessRunsOptions {
  /**
   * The run manifest: a {@linkcode RunManifests}, or a table name (then `dynamodb` is
   * required). The table must exist (see {@linkcode RunManifests.create}).
   */
  manifests: RunManifests | string;
  /** AWS options for S3 (listing and reading runs). */
  s3: AwsOptions;
  /** Options of the {@linkcode RunManifests} built when `manifests` is a table name. */
  dynamodb?: RunManifestsOptions;
  /** Called once per claimed run with its records; see {@linkcode RunHandler}. */
  handleRun: RunHandler;
  /**
   * The name this worker claims runs with; unique per worker (e.g. host and process id).
   * @default {`worker-${crypto.randomUUID()}`}
   */
  owner?: string;
  /**
   * How long a claim holds before another worker may take the run over, in milliseconds.
   * While a run makes progress its lease is renewed every `leaseMs / 3`, so a slow run keeps
   * its claim and only the runs of a crashed or hung worker are taken over.
   * @default {900000}
   */
  leaseMs?: number;
  /**
   * Renew the lease of runs being processed (one conditional PutItem every `leaseMs / 3`), as
   * long as the run makes progress: since the last renewal the handler took a record, or it is
   * waiting for the next one from S3 (bounded by the S3 options' `idleTimeoutMs`). A handler
   * that holds a record (or runs after the last one) for longer than `leaseMs / 3` stops the
   * renewals, so a hung handler holds its run at most one lease more.
   * @default {true}
   */
  renewLease?: boolean;
  /**
   * How many runs this call processes at once.
   * @default {1}
   */
  concurrency?: number;
  /**
   * The most runs this call claims, then it stops listing (for time-boxed workers such as edge
   * functions). Runs already listed but not claimed count as `notStarted`.
   * @default {Infinity}
   */
  maxRuns?: number;
  /**
   * The order runs are claimed in, within each batch of 100 listed runs (batches themselves go
   * in listing order). `"shuffled"` lets workers started together spread over different runs
   * (few lost claims); `"listed"` keeps listing (time) order, but workers started together then
   * walk the same runs in step and collide on most of them.
   * @default {"shuffled"}
   */
  order?: "listed" | "shuffled";
  /**
   * Claim no new run after the first failed one (runs in progress finish).
   * @default {false}
   */
  stopOnFailure?: boolean;
  /** How runs are read (transform options, download parallelism). */
  read?: ProcessRunsReadOptions;
  /** Called as each run settles (for progress output). */
  onOutcome?: (outcome: RunOutcome) => void;
  /**
   * Stops the job: runs in progress see their `records.signal` abort, are released, and the call
   * rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * Another worker took over a run this worker was processing (its lease ran out without being
 * renewed, e.g. the worker was paused), so this worker must not mark it done.
 *
 * @example Tell a lost claim from other failures
 * ```ts
 * import { LeaseLostError } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const error = new LeaseLostError("archive/run=2017-01-01-00-00-00/", "worker-b");
 * assert.equal(error.runId, "archive/run=2017-01-01-00-00-00/");
 * assert.equal(error.heldBy, "worker-b");
 * assert.equal(
 *   error.message,
 *   "Lost the claim on run archive/run=2017-01-01-00-00-00/: worker-b took it over",
 * );
 * ```
 */
export class LeaseLostError extends Error {
  /** The run whose claim was lost. */
  readonly runId: string;
  /** The worker that holds it now, when known. */
  readonly heldBy: string | undefined;

  /** Builds the error for `runId`, now held by `heldBy` (or done). */
  constructor(runId: string, heldBy?: string) {
    super(
      `Lost the claim on run ${runId}: ${
        heldBy === undefined ? "another worker took it over" : `${heldBy} took it over`
      }`,
    );
    this.name = "LeaseLostError";
    this.runId = runId;
    this.heldBy = heldBy;
  }
}

const BATCH_SIZE = 100;
const PROBE_SIZE = 3;
const ARCHIVED: ReadonlySet<string> = new Set(ARCHIVED_STORAGE_CLASSES);
const DEFAULT_LEASE_MS = 15 * 60_000;

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
  if (typeof options.handleRun !== "function") {
    throw new TypeError("Invalid option handleRun for processRuns(): expected a function");
  }
  const owner = options.owner ?? `worker-${crypto.randomUUID()}`;
  if (typeof owner !== "string" || owner === "") {
    throw new TypeError("Invalid option owner for processRuns(): expected a non-empty string");
  }
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(typeof leaseMs === "number" && leaseMs > 0 && Number.isFinite(leaseMs))) {
    throw new RangeError(
      `Invalid option leaseMs for processRuns(): expected a positive number of milliseconds but got ${leaseMs}`,
    );
  }
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isSafeInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(
      `Invalid option concurrency for processRuns(): expected a positive integer but got ${concurrency}`,
    );
  }
  const maxRuns = options.maxRuns ?? Infinity;
  if (!(maxRuns === Infinity || (Number.isSafeInteger(maxRuns) && maxRuns > 0))) {
    throw new RangeError(
      `Invalid option maxRuns for processRuns(): expected a positive integer but got ${maxRuns}`,
    );
  }
  if (options.order !== undefined && options.order !== "listed" && options.order !== "shuffled") {
    throw new TypeError(
      `Invalid option order for processRuns(): expected "listed" or "shuffled" but got ${
        String(options.order)
      }`,
    );
  }
  let manifests: RunManifests;
  if (typeof options.manifests === "string") {
    if (options.dynamodb === undefined) {
      throw new TypeError(
        "Invalid options for processRuns(): manifests is a table name, so dynamodb options are required",
      );
    }
    manifests = new RunManifests(options.manifests, options.dynamodb);
  } else if (options.manifests instanceof RunManifests) {
    manifests = options.manifests;
  } else {
    throw new TypeError(
      "Invalid option manifests for processRuns(): expected a RunManifests or a table name",
    );
  }
  return new Job(s3Uri, bucket, manifests, owner, leaseMs, concurrency, maxRuns, options).run();
}

/** One call of {@linkcode processRuns}. */
class Job {
  readonly #summary: ProcessRunsSummary;
  #claimsStarted = 0;
  #stopped = false;
  #fatal: { error: unknown } | undefined;

  constructor(
    readonly s3Uri: string,
    readonly bucket: string,
    readonly manifests: RunManifests,
    readonly owner: string,
    readonly leaseMs: number,
    readonly concurrency: number,
    readonly maxRuns: number,
    readonly options: ProcessRunsOptions,
  ) {
    this.#summary = {
      owner,
      seen: 0,
      alreadyDone: 0,
      archived: 0,
      processed: 0,
      skipped: 0,
      failed: 0,
      notStarted: 0,
      events: 0,
      badRows: 0,
      runs: [],
    };
  }

  async run(): Promise<ProcessRunsSummary> {
    const { signal } = this.options;
    signal?.throwIfAborted();
    // Archived runs are probed only when not done (below), not for every listed run.
    const listing = listRunIds(this.s3Uri, {
      ...this.options.s3,
      includeArchived: true,
      signal: this.#s3Signal(),
    });
    let batch: string[] = [];
    for await (const runId of listing) {
      this.#summary.seen++;
      batch.push(runId);
      if (batch.length >= BATCH_SIZE) {
        await this.#processBatch(batch);
        batch = [];
        if (this.#stopped) break;
      }
    }
    if (batch.length > 0) await this.#processBatch(batch);
    return this.#summary;
  }

  /** The S3 signal: the job's, plus the S3 options' own. */
  #s3Signal(): AbortSignal | undefined {
    const signals = [this.options.s3.signal, this.options.signal].filter((s) => s !== undefined);
    return signals.length === 0 ? undefined : AbortSignal.any(signals);
  }

  async #processBatch(batch: string[]): Promise<void> {
    let todo = this.#stopped ? batch : await this.manifests.filterUnprocessed(batch);
    if (!this.#stopped) this.#summary.alreadyDone += batch.length - todo.length;
    if (this.options.order !== "listed") shuffle(todo);
    let next = 0;
    // A claim lost to a run done meanwhile means other workers are through part of this batch:
    // before the next claim, the rest of the batch is checked again (one BatchGetItem per 100
    // runs), dropping the runs they finished, rather than failing one claim (two requests) each.
    let stale = false;
    let refreshing: Promise<void> | undefined;
    const refresh = async (): Promise<void> => {
      const rest = todo.slice(next);
      const left = new Set(await this.manifests.filterUnprocessed(rest));
      if (this.#stopped) return; // the rest is counted as not started
      const kept = rest.filter((runId) => left.has(runId));
      this.#summary.alreadyDone += rest.length - kept.length;
      todo = kept;
      next = 0;
    };
    const take = async (): Promise<string | undefined> => {
      for (;;) {
        if (refreshing !== undefined) {
          await refreshing;
          continue;
        }
        if (stale && !this.#stopped && next < todo.length) {
          stale = false;
          refreshing = refresh().finally(() => refreshing = undefined);
          continue;
        }
        return next < todo.length ? todo[next++] : undefined;
      }
    };
    const worker = async (): Promise<void> => {
      try {
        for (let runId = await take(); runId !== undefined; runId = await take()) {
          if (this.#stopped || this.#claimsStarted >= this.maxRuns) {
            this.#summary.notStarted++;
            continue;
          }
          if (await this.#isArchived(runId)) {
            this.#summary.archived++;
            continue;
          }
          this.#claimsStarted++;
          if ((await this.#processRun(runId)) === "done") stale = true;
        }
      } catch (error) {
        this.#fatal ??= { error };
        this.#stopped = true;
        // The runs no worker will take any more.
        this.#summary.notStarted += Math.max(0, todo.length - next);
        next = todo.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, todo.length) }, worker));
    if (this.#claimsStarted >= this.maxRuns) this.#stopped = true;
    if (this.#fatal !== undefined) throw this.#fatal.error;
    this.options.signal?.throwIfAborted();
  }

  /** Whether any of the run's first 3 objects needs a restore (as `listRunIds` probes). */
  async #isArchived(runId: string): Promise<boolean> {
    let probed = 0;
    const objects = listObjects({ bucket: this.bucket, prefix: runId }, {
      ...this.options.s3,
      pageSize: PROBE_SIZE,
      signal: this.#s3Signal(),
    });
    for await (const object of objects) {
      if (ARCHIVED.has(object.storageClass)) return true;
      if (++probed >= PROBE_SIZE) break;
    }
    return false;
  }

  /**
   * Claims, processes and completes (or releases) one run; returns what happened to the claim
   * (`"done"` or `"held"` when it was not won). Throws only job failures.
   */
  async #processRun(runId: string): Promise<"claimed" | "done" | "held"> {
    const { signal } = this.options;
    signal?.throwIfAborted();
    const claim = await this.manifests.claim(runId, { owner: this.owner, leaseMs: this.leaseMs });
    if (!claim.claimed) {
      this.#claimsStarted--;
      const skipped: SkippedRun = { status: "skipped", runId, reason: claim.reason };
      if (claim.heldBy !== undefined) skipped.heldBy = claim.heldBy;
      this.#settle(skipped);
      return claim.reason;
    }
    const lost = new AbortController();
    const runSignal = signal === undefined ? lost.signal : AbortSignal.any([signal, lost.signal]);
    const records = new Records(
      runId,
      `s3://${this.bucket}/${runId}`,
      runSignal,
      () =>
        readRun({ bucket: this.bucket, prefix: runId }, {
          ...this.options.read,
          ...this.options.s3,
          signal: this.options.s3.signal === undefined
            ? runSignal
            : AbortSignal.any([this.options.s3.signal, runSignal]),
        }),
    );
    const renewal = this.options.renewLease === false ? undefined : new LeaseRenewal(
      this.manifests,
      runId,
      this.owner,
      this.leaseMs,
      () => records.progressed(),
      (heldBy) => lost.abort(new LeaseLostError(runId, heldBy)),
    );
    let failure: { error: unknown } | undefined;
    try {
      await this.options.handleRun(runId, records);
      runSignal.throwIfAborted();
    } catch (error) {
      failure = { error: lost.signal.aborted ? lost.signal.reason : error };
    }
    await renewal?.stop();
    if (failure === undefined) {
      try {
        if (await this.manifests.complete(runId, this.owner)) {
          const processed: ProcessedRun = {
            status: "processed",
            runId,
            events: records.events,
            badRows: records.badRows,
          };
          if (claim.tookOverFrom !== undefined) processed.tookOverFrom = claim.tookOverFrom;
          this.#summary.events += records.events;
          this.#summary.badRows += records.badRows;
          this.#settle(processed);
          return "claimed";
        }
        const current = await this.manifests.get(runId).catch(() => undefined);
        failure = {
          error: new LeaseLostError(
            runId,
            current?.state === "claimed" ? current.owner : undefined,
          ),
        };
      } catch (error) {
        failure = { error };
      }
    }
    const released = failure.error instanceof LeaseLostError
      ? false
      : await this.manifests.release(runId, this.owner).catch(() => false);
    this.#settle({
      status: "failed",
      runId,
      error: failure.error,
      events: records.events,
      badRows: records.badRows,
      released,
    });
    if (this.options.stopOnFailure) this.#stopped = true;
    return "claimed";
  }

  #settle(outcome: RunOutcome): void {
    this.#summary[outcome.status]++;
    this.#summary.runs.push(outcome);
    this.options.onOutcome?.(outcome);
  }
}

/** The records of one run: reads it on first iteration, counting. */
class Records implements RunRecords {
  events = 0;
  badRows = 0;
  #read: (() => AsyncIterable<RunResult>) | undefined;
  #waiting = false;
  #seen = 0;

  constructor(
    readonly runId: string,
    readonly uri: string,
    readonly signal: AbortSignal,
    read: () => AsyncIterable<RunResult>,
  ) {
    this.#read = read;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RunResult> {
    const read = this.#read;
    if (read === undefined) {
      throw new TypeError(`The records of run ${this.runId} can be iterated only once`);
    }
    this.#read = undefined;
    const results = read()[Symbol.asyncIterator]();
    try {
      for (;;) {
        this.#waiting = true;
        let next: IteratorResult<RunResult>;
        try {
          next = await results.next();
        } finally {
          this.#waiting = false;
        }
        if (next.done) return;
        if (next.value.event) this.events++;
        else this.badRows++;
        yield next.value;
      }
    } finally {
      await results.return?.();
    }
  }

  /**
   * Whether the run moved since the last call: a record was taken, or the handler is waiting
   * for the next one (a read from S3, which the idle timeout bounds).
   */
  progressed(): boolean {
    const taken = this.events + this.badRows;
    const moved = taken !== this.#seen || this.#waiting;
    this.#seen = taken;
    return moved;
  }
}

/**
 * Renews a claim every `leaseMs / 3` while the run makes progress, until stopped; reports a
 * lost claim once.
 */
class LeaseRenewal {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    readonly manifests: RunManifests,
    readonly runId: string,
    readonly owner: string,
    readonly leaseMs: number,
    readonly progressed: () => boolean,
    readonly onLost: (heldBy: string | undefined) => void,
  ) {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      // No progress for a whole period: let the lease run out (another worker may take the
      // run over then); renew again if the run moves before that.
      if (!this.progressed()) return this.#schedule();
      this.#pending = this.manifests.claim(this.runId, {
        owner: this.owner,
        leaseMs: this.leaseMs,
      }).then(
        (claim) => {
          if (claim.claimed) this.#schedule();
          else this.onLost(claim.heldBy);
        },
        // A failed renewal is tried again; the lease may well still hold.
        () => this.#schedule(),
      );
    }, Math.max(1, this.leaseMs / 3));
  }

  /** Stops renewing and waits for a renewal in flight (so it cannot recreate a released claim). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pending;
  }
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
