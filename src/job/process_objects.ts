import { listPages, type S3Object } from "../s3/list_objects.ts";
import { isMarkerObject } from "../s3/read_run.ts";
import { isRunFolder } from "../s3/run_folder.ts";
import { ARCHIVED_STORAGE_CLASSES } from "../s3/run_ids.ts";
import { parseS3Uri } from "../s3/uri.ts";
import {
  type BatchJobOptions,
  batchJobSettings,
  Job,
  type JobPlan,
  type ProcessRunsSummary,
} from "./job.ts";
import type { UnitContents } from "./process_object.ts";

/**
 * The records of one object, handed to {@linkcode ProcessObjectsOptions.handleObject}: its
 * events and bad rows, read from S3 as they are iterated (once).
 */
export interface ObjectRecords extends UnitContents {
  /** The object key (the unit id), e.g. `enriched/2026/11/20/10/2026-11-20-101500-0f3c….gz`. */
  readonly key: string;
  /** The object as listed: size, last modified, storage class, ETag. */
  readonly object: S3Object;
}

/**
 * What a worker does with one object. It should read `records` to the end; the object is
 * marked done when the returned promise resolves, and released for another attempt when it
 * rejects.
 */
export type ObjectHandler = (key: string, records: ObjectRecords) => unknown;

/** Options of {@linkcode processObjects}. */
export interface ProcessObjectsOptions extends BatchJobOptions {
  /** Called once per claimed object with its records; see {@linkcode ObjectHandler}. */
  handleObject: ObjectHandler;
  /**
   * How old (by its `LastModified`) an object must be before the cursor may move past it, in
   * milliseconds. Several loaders write at once and their clocks differ, so an object named
   * for an earlier time can arrive after a later one: the margin must exceed the longest delay
   * between the time in an object's name and its upload, plus the clock differences.
   * @default {600000}
   */
  settleMs?: number;
  /**
   * Keep a cursor in the manifest so that each call lists only the keys after the ones already
   * done and settled. `false` lists the whole prefix every call (for prefixes whose new keys do
   * not sort after the old ones).
   * @default {true}
   */
  cursor?: boolean;
  /**
   * Which listed objects are units of work, after markers (`_SUCCESS`, `…_$folder$`, empty
   * objects) and the objects inside `run=…/` folders are left out. Return `false` to leave an
   * object out (like those, it holds the cursor back only until it is settled).
   * @default {() => true}
   */
  filter?: (object: S3Object) => boolean;
  /**
   * The clock the settle margin is measured with, in epoch milliseconds.
   * @default {Date.now}
   */
  now?: () => number;
}

/** The manifest item name of the cursor of a prefix. */
export function cursorName(bucket: string, prefix: string): string {
  return `cursor#s3://${bucket}/${prefix}`;
}

const ARCHIVED: ReadonlySet<string> = new Set(ARCHIVED_STORAGE_CLASSES);
const DEFAULT_SETTLE_MS = 10 * 60_000;

/**
 * The job for S3 Loader output, file by file, safe to run from any number of places at once:
 * lists the objects under `s3Uri` (every key below the prefix, partitions such as
 * `yyyy/MM/dd/HH/` included), keeps those the manifest does not hold as done (one
 * BatchGetItem per 100 objects), claims each (the object key is the item key; a conditional
 * write exactly one worker wins), hands its events and bad rows to `handleObject`, then marks
 * it done. Same summary, options and failure rules as {@linkcode processRuns}, same table: run
 * ids end in `/`, object keys never do.
 *
 * Markers (`_SUCCESS`, `…_$folder$`, empty objects) and objects inside `run=…/` folders are
 * not units (the latter belong to {@linkcode processRuns}, so both jobs can share a prefix).
 * Objects in `GLACIER` or `DEEP_ARCHIVE` are counted as `archived` and left alone.
 *
 * **The cursor**: a per-prefix item in the manifest (`cursor#s3://bucket/prefix/`) holding a
 * key. Each call lists from `StartAfter` = the cursor, and at the end moves the cursor past
 * the keys that are all done and older than `settleMs` (by `LastModified`), stopping at the
 * first key that is not. S3 Loader names start with the write time, so new objects sort after
 * old ones and a bucket of millions of done objects costs one short listing per call.
 *
 * @throws {TypeError} At once, for a malformed S3 URI, a missing `handleObject`, an empty
 * owner, or a table name without `dynamodb` options.
 * @throws {RangeError} At once, for a `leaseMs`, `concurrency`, `maxRuns` that is not
 * positive, or a negative `settleMs`.
 * @throws {AwsError} (as a rejection) When listing, the batch check, a claim or the cursor
 * fails.
 * @throws The signal's reason (as a rejection) when `signal` aborts.
 *
 * @example Every new S3 Loader file, once (needs AWS)
 * ```ts ignore
 * import { awsOptionsFromEnv, processObjects } from "@snowplow/analytics-sdk";
 *
 * const env = Deno.env.toObject();
 * const summary = await processObjects("s3://my-bucket/enriched/", {
 *   manifests: "snowplow-runs",
 *   s3: awsOptionsFromEnv(env, "s3"),
 *   dynamodb: awsOptionsFromEnv(env, "dynamodb"),
 *   async handleObject(key, records) {
 *     for await (const record of records) {
 *       if (record.event) {
 *         // write record.event, idempotently per key
 *       }
 *     }
 *   },
 * });
 * console.log(`${summary.processed} objects processed, ${summary.alreadyDone} already done`);
 * ```
 */
export function processObjects(
  s3Uri: string,
  options: ProcessObjectsOptions,
): Promise<ProcessRunsSummary> {
  const { bucket, prefix } = parseS3Uri(s3Uri);
  if (typeof options?.handleObject !== "function") {
    throw new TypeError("Invalid option handleObject for processObjects(): expected a function");
  }
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  if (!(typeof settleMs === "number" && settleMs >= 0 && Number.isFinite(settleMs))) {
    throw new RangeError(
      `Invalid option settleMs for processObjects(): expected a number of milliseconds, 0 or more, but got ${settleMs}`,
    );
  }
  const settings = batchJobSettings(options, "processObjects");
  const now = options.now ?? Date.now;
  const filter = options.filter ?? (() => true);
  const useCursor = options.cursor !== false;
  const name = cursorName(bucket, prefix);
  const isUnit = (object: S3Object): boolean =>
    !object.key.endsWith("/") && !isMarkerObject(object) && !inRunFolder(prefix, object.key) &&
    filter(object);

  return (async () => {
    options.signal?.throwIfAborted();
    const startAfter = useCursor ? await settings.manifests.getCursor(name) : undefined;
    const cursor = new CursorWalk(startAfter, now() - settleMs);
    const plan: JobPlan = {
      bucket,
      async *list(signal) {
        const pages = listPages({ bucket, prefix, startAfter }, { ...options.s3, signal });
        for await (const page of pages) {
          for (const object of page.objects) {
            const unit = isUnit(object);
            cursor.listed(object, unit);
            if (unit) {
              yield { bucket, id: object.key, etag: object.etag, size: object.size, object };
            }
          }
        }
      },
      check: (unit) =>
        Promise.resolve(ARCHIVED.has(unit.object?.storageClass ?? "") ? "archived" : undefined),
      handle: (key, records) => options.handleObject(key, records as ObjectRecords),
      settled: (through, done) => cursor.decided(through, done),
    };
    const summary = await new Job(settings, options, plan).run();
    cursor.decided(undefined, new Set());
    if (useCursor && cursor.key !== undefined && cursor.key !== startAfter) {
      await settings.manifests.moveCursor(name, cursor.key);
    }
    return summary;
  })();
}

/** Whether a key lies inside a `run=…/` folder below the prefix. */
function inRunFolder(prefix: string, key: string): boolean {
  const segments = key.slice(prefix.length).split("/");
  return segments.slice(0, -1).some((segment) => isRunFolder(segment));
}

/**
 * Walks the listing behind the job: the cursor moves past each listed object, in order, while
 * it is settled (older than the margin) and either not a unit or done; it stops for good at
 * the first object that is not.
 */
class CursorWalk {
  #pending: { object: S3Object; unit: boolean }[] = [];
  #done = new Set<string>();
  #blocked = false;

  constructor(public key: string | undefined, readonly settledBefore: number) {}

  /** An object the listing yielded or passed over, in listing order. */
  listed(object: S3Object, unit: boolean): void {
    if (!this.#blocked) this.#pending.push({ object, unit });
  }

  /**
   * The units up to `through` (in listing order) are decided, those in `done` are done; with
   * `through` undefined, everything listed is decided. Moves past what is done and settled.
   */
  decided(through: string | undefined, done: ReadonlySet<string>): void {
    if (this.#blocked) return;
    for (const key of done) this.#done.add(key);
    let passed = through === undefined;
    let i = 0;
    for (; i < this.#pending.length; i++) {
      const { object, unit } = this.#pending[i];
      if (unit && passed && through !== undefined) break; // a later batch decides it
      const settled = object.lastModified.getTime() < this.settledBefore; // NaN: not settled
      if (!settled || (unit && !this.#done.has(object.key))) {
        this.#blocked = true;
        break;
      }
      this.key = object.key;
      if (unit) {
        this.#done.delete(object.key);
        if (object.key === through) passed = true;
      }
    }
    this.#pending = this.#blocked ? [] : this.#pending.slice(i);
    if (this.#blocked) this.#done.clear();
  }
}
