import {
  type Contents,
  type JobOptions,
  type JobSettings,
  jobSettings,
  processUnit,
  type Unit,
} from "./process_object.ts";
import type { RunOutcome } from "./outcome.ts";

/**
 * The result of a job call ({@linkcode processRuns}, {@linkcode processObjects}). Counts add
 * up: `seen = alreadyDone + archived + unsealed + processed + skipped + failed + notStarted`.
 */
export interface ProcessRunsSummary {
  /** The owner name this call claimed units with. */
  owner: string;
  /** Units listed: run folders, or objects. */
  seen: number;
  /** Units the batch check found done before claiming. */
  alreadyDone: number;
  /**
   * Units not processed yet but archived (a run with one of its first 3 objects, or an object,
   * in `GLACIER` or `DEEP_ARCHIVE`), so they cannot be read without a restore; left alone.
   */
  archived: number;
  /**
   * Runs not processed yet whose folder does not hold the `sealedBy` object yet (still being
   * written); left for a later call. Always 0 without `sealedBy`, and for objects.
   */
  unsealed: number;
  /** Units processed and marked done by this call. */
  processed: number;
  /** Units another worker held or finished first. */
  skipped: number;
  /** Units whose processing failed (see {@linkcode FailedRun}). */
  failed: number;
  /** Units left alone because of `maxRuns` or `stopOnFailure`. */
  notStarted: number;
  /** Events of the processed units. */
  events: number;
  /** Bad rows of the processed units. */
  badRows: number;
  /** One outcome per unit this call tried to claim, in the order they settled. */
  runs: RunOutcome[];
}

/** The options of the listing job functions beyond {@linkcode JobOptions}. */
export interface BatchJobOptions extends JobOptions {
  /**
   * How many units this call processes at once.
   * @default {1}
   */
  concurrency?: number;
  /**
   * The most units this call claims, then it stops listing (for time-boxed workers such as edge
   * functions). Units already listed but not claimed count as `notStarted`.
   * @default {Infinity}
   */
  maxRuns?: number;
  /**
   * The order units are claimed in, within each batch of 100 listed units (batches themselves
   * go in listing order). `"shuffled"` lets workers started together spread over different
   * units (few lost claims); `"listed"` keeps listing (time) order, but workers started
   * together then walk the same units in step and collide on most of them.
   * @default {"shuffled"}
   */
  order?: "listed" | "shuffled";
  /**
   * Claim no new unit after the first failed one (units in progress finish).
   * @default {false}
   */
  stopOnFailure?: boolean;
  /** Called as each unit settles (for progress output). */
  onOutcome?: (outcome: RunOutcome) => void;
}

/** What a listing job does beyond the shared loop: where units come from, what to check. */
export interface JobPlan {
  /** The bucket the units are in. */
  bucket: string;
  /** The units, in listing order. */
  list(signal: AbortSignal | undefined): AsyncIterable<Unit>;
  /**
   * Checks a unit that is not done before it is claimed: `archived` or `unsealed` leaves it
   * alone (counted), `undefined` claims it.
   */
  check(unit: Unit, signal: AbortSignal | undefined): Promise<"archived" | "unsealed" | undefined>;
  /** Hands a claimed unit's records to the user's handler. */
  handle(unitId: string, records: Contents): unknown;
  /**
   * Called after each batch: every unit listed up to `through` (the batch's last, in listing
   * order) is decided, and `done` holds the batch's units that are done (found done, processed,
   * or finished by another worker).
   */
  settled?(through: string, done: ReadonlySet<string>): void;
}

const BATCH_SIZE = 100;

/** The checked settings of a listing job call, with the function's name for errors. */
export function batchJobSettings(
  options: BatchJobOptions,
  fn: string,
): JobSettings & { concurrency: number; maxRuns: number } {
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isSafeInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(
      `Invalid option concurrency for ${fn}(): expected a positive integer but got ${concurrency}`,
    );
  }
  const maxRuns = options.maxRuns ?? Infinity;
  if (!(maxRuns === Infinity || (Number.isSafeInteger(maxRuns) && maxRuns > 0))) {
    throw new RangeError(
      `Invalid option maxRuns for ${fn}(): expected a positive integer but got ${maxRuns}`,
    );
  }
  if (options.order !== undefined && options.order !== "listed" && options.order !== "shuffled") {
    throw new TypeError(
      `Invalid option order for ${fn}(): expected "listed" or "shuffled" but got ${
        String(options.order)
      }`,
    );
  }
  return { ...jobSettings(options, fn), concurrency, maxRuns };
}

/** One call of a listing job: list, batch-check, check, claim, process, complete. */
export class Job {
  readonly summary: ProcessRunsSummary;
  /** The units of the current batch known done: found done, processed, or done meanwhile. */
  #done = new Set<string>();
  #claimsStarted = 0;
  #stopped = false;
  #fatal: { error: unknown } | undefined;

  constructor(
    readonly settings: JobSettings & { concurrency: number; maxRuns: number },
    readonly options: BatchJobOptions,
    readonly plan: JobPlan,
  ) {
    this.summary = {
      owner: settings.owner,
      seen: 0,
      alreadyDone: 0,
      archived: 0,
      unsealed: 0,
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
    this.options.signal?.throwIfAborted();
    let batch: Unit[] = [];
    for await (const unit of this.plan.list(this.s3Signal())) {
      this.summary.seen++;
      batch.push(unit);
      if (batch.length >= BATCH_SIZE) {
        await this.#processBatch(batch);
        batch = [];
        if (this.#stopped) break;
      }
    }
    if (batch.length > 0) await this.#processBatch(batch);
    return this.summary;
  }

  /** The S3 signal: the job's, plus the S3 options' own. */
  s3Signal(): AbortSignal | undefined {
    const signals = [this.options.s3.signal, this.options.signal].filter((s) => s !== undefined);
    return signals.length === 0 ? undefined : AbortSignal.any(signals);
  }

  async #unprocessed(units: Unit[]): Promise<Unit[]> {
    const left = new Set(await this.settings.manifests.filterUnprocessed(units.map((u) => u.id)));
    const kept: Unit[] = [];
    for (const unit of units) {
      if (left.has(unit.id)) kept.push(unit);
      else this.#done.add(unit.id);
    }
    return kept;
  }

  async #processBatch(batch: Unit[]): Promise<void> {
    const through = batch[batch.length - 1].id;
    this.#done = new Set();
    let todo = this.#stopped ? batch : await this.#unprocessed(batch);
    if (!this.#stopped) this.summary.alreadyDone += batch.length - todo.length;
    if (this.options.order !== "listed") shuffle(todo);
    let next = 0;
    // A claim lost to a unit done meanwhile means other workers are through part of this batch:
    // before the next claim, the rest of the batch is checked again (one BatchGetItem per 100
    // units), dropping the units they finished, rather than failing one claim (two requests)
    // each.
    let stale = false;
    let refreshing: Promise<void> | undefined;
    const refresh = async (): Promise<void> => {
      const rest = todo.slice(next);
      const kept = await this.#unprocessed(rest);
      if (this.#stopped) return; // the rest is counted as not started
      this.summary.alreadyDone += rest.length - kept.length;
      todo = kept;
      next = 0;
    };
    const take = async (): Promise<Unit | undefined> => {
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
        for (let unit = await take(); unit !== undefined; unit = await take()) {
          if (this.#stopped || this.#claimsStarted >= this.settings.maxRuns) {
            this.summary.notStarted++;
            continue;
          }
          const left = await this.plan.check(unit, this.s3Signal());
          if (left !== undefined) {
            this.summary[left]++;
            continue;
          }
          // Other workers may have started claims while this one was checking the unit.
          if (this.#stopped || this.#claimsStarted >= this.settings.maxRuns) {
            this.summary.notStarted++;
            continue;
          }
          this.#claimsStarted++;
          if ((await this.#process(unit)) === "done") stale = true;
        }
      } catch (error) {
        this.#fatal ??= { error };
        this.#stopped = true;
        // The units no worker will take any more.
        this.summary.notStarted += Math.max(0, todo.length - next);
        next = todo.length;
      }
    };
    const workers = Math.min(this.settings.concurrency, todo.length);
    await Promise.all(Array.from({ length: workers }, worker));
    if (this.#claimsStarted >= this.settings.maxRuns) this.#stopped = true;
    if (this.#fatal !== undefined) throw this.#fatal.error;
    this.options.signal?.throwIfAborted();
    this.plan.settled?.(through, this.#done);
  }

  /** Processes one unit and settles its outcome; returns `"done"` when it was done meanwhile. */
  async #process(unit: Unit): Promise<"done" | undefined> {
    const outcome = await processUnit(unit, this.settings, this.plan.handle);
    if (outcome.status === "skipped") this.#claimsStarted--;
    if (outcome.status === "processed") {
      this.summary.events += outcome.events;
      this.summary.badRows += outcome.badRows;
    }
    if (
      outcome.status === "processed" || (outcome.status === "skipped" && outcome.reason === "done")
    ) {
      this.#done.add(unit.id);
    }
    this.summary[outcome.status]++;
    this.summary.runs.push(outcome);
    this.options.onOutcome?.(outcome);
    if (outcome.status === "failed" && this.options.stopOnFailure) this.#stopped = true;
    return outcome.status === "skipped" && outcome.reason === "done" ? "done" : undefined;
  }
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
