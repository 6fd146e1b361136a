import type { AwsOptions } from "../aws/options.ts";
import { RunManifests, type RunManifestsOptions } from "../manifest/run_manifests.ts";
import type { S3Object } from "../s3/list_objects.ts";
import { checkObjectVersion, readObject } from "../s3/read_object.ts";
import { readRun, type ReadRunOptions, type RunLine } from "../s3/read_run.ts";
import { isRunFolder } from "../s3/run_folder.ts";
import { type S3ObjectLocation, toS3ObjectLocation } from "../s3/uri.ts";
import { LeaseLostError, type ProcessedRun, type RunOutcome, type SkippedRun } from "./outcome.ts";

/**
 * The records of one unit of work (a run folder or an object), handed to the handler: an async
 * iterable of its events and bad rows (each with the object key and line number, see
 * {@linkcode RunLine}), read from S3 as it is iterated. It can be iterated once.
 */
export interface UnitContents extends AsyncIterable<RunLine> {
  /**
   * The unit's id in the manifest: a run id (the run folder's key prefix, ending in `/`, e.g.
   * `enriched/archive/run=2017-01-01-00-00-00/`) or an object key (never ending in `/`).
   */
  readonly unitId: string;
  /** The unit as an S3 URI, e.g. `s3://bucket/enriched/2026-11-20-101500-0f3c.gz`. */
  readonly uri: string;
  /**
   * Aborted when the job's signal aborts or this worker lost its claim on the unit (the lease
   * ran out and another worker took it over). Pass it to your own I/O.
   */
  readonly signal: AbortSignal;
  /** Events read so far. */
  readonly events: number;
  /** Bad rows read so far. */
  readonly badRows: number;
}

/** @deprecated Use {@linkcode UnitContents}. */
export type UnitRecords = UnitContents;

/**
 * What a worker does with one unit. It should read `records` to the end; the unit is marked done
 * when the returned promise resolves (even if it stopped reading early), and released for
 * another attempt when it rejects.
 */
export type UnitHandler = (unitId: string, records: UnitContents) => unknown;

/** How each unit is read: {@linkcode ReadRunOptions} without the AWS options. */
export type ProcessRunsReadOptions = Omit<ReadRunOptions, keyof AwsOptions>;

/** The options every job function shares: the manifest, S3, the claim and how to read. */
export interface JobOptions {
  /**
   * The run manifest: a {@linkcode RunManifests}, or a table name (then `dynamodb` is
   * required). The table must exist (see {@linkcode RunManifests.create}).
   */
  manifests: RunManifests | string;
  /** AWS options for S3 (listing and reading). */
  s3: AwsOptions;
  /** Options of the {@linkcode RunManifests} built when `manifests` is a table name. */
  dynamodb?: RunManifestsOptions;
  /**
   * The name this worker claims units with; unique per worker (e.g. host and process id).
   * @default {`worker-${crypto.randomUUID()}`}
   */
  owner?: string;
  /**
   * How long a claim holds before another worker may take the unit over, in milliseconds.
   * While a unit makes progress its lease is renewed every `leaseMs / 3`, so a slow unit keeps
   * its claim and only the units of a crashed or hung worker are taken over.
   * @default {900000}
   */
  leaseMs?: number;
  /**
   * Renew the lease of units being processed (one conditional PutItem every `leaseMs / 3`), as
   * long as the unit makes progress: since the last renewal the handler took a record, or it is
   * waiting for the next one from S3 (bounded by the S3 options' `idleTimeoutMs`). A handler that holds a record (or runs after the last
   * one) for longer than `leaseMs / 3` stops the renewals, so a hung handler holds its unit at
   * most one lease more.
   * @default {true}
   */
  renewLease?: boolean;
  /** How units are read (transform options, download parallelism of a run). */
  read?: ProcessRunsReadOptions;
  /**
   * Stops the job: units in progress see their `records.signal` abort, are released, and the
   * call rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/** Options of {@linkcode processObject}. */
export interface ProcessObjectOptions extends JobOptions {
  /** Called with the unit's records once it is claimed; see {@linkcode UnitHandler}. */
  handle: UnitHandler;
  /**
   * The object's ETag, as a listing or an event notification gave it. When given, a body cut
   * off mid-stream is resumed only if the object is still that version. Ignored for runs.
   */
  etag?: string;
  /**
   * The object's size in bytes, as a listing or an event notification gave it: the body is
   * checked against it. Ignored for runs.
   */
  size?: number;
}

/** The checked settings of a job call. */
export interface JobSettings {
  manifests: RunManifests;
  owner: string;
  leaseMs: number;
  options: JobOptions;
}

/** One unit to claim: its bucket and id, and what a listing said about it. */
export interface Unit {
  bucket: string;
  /** The run id (ending in `/`) or the object key. */
  id: string;
  /** The listed ETag of an object. */
  etag?: string;
  /** The listed size of an object. */
  size?: number;
  /** The object as listed (for objects found by a listing). */
  object?: S3Object;
}

const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * Processes one unit of work — one object (`s3://bucket/key`, a key not ending in `/`) or one
 * run folder (`s3://bucket/…/run=…/`) — exactly as {@linkcode processRuns} does for each run:
 * claims it in the manifest (a conditional write exactly one worker wins), reads it, hands its
 * events and bad rows to `handle`, then marks it done, or releases it when the handler
 * rejects. The building block of the job functions, and what an at-least-once delivery
 * (S3 event notifications on a queue, a Lambda retry) calls once per delivery: a second call for
 * a unit already done resolves to `{ status: "skipped", reason: "done" }` without reading it.
 *
 * The item key in the manifest is the run id or the object key (without the bucket); run ids
 * end in `/`, object keys never do, so both kinds share one table.
 *
 * Expected outcomes are values: `processed`, `skipped` (`done`, or `held` by another worker
 * whose lease is running) and `failed` (what the handler threw, or a {@linkcode LeaseLostError};
 * the claim is released when possible).
 *
 * @throws {TypeError} At once, for a malformed location (a folder that is not a run folder
 * too), a missing `handle`, an empty owner, or a table name without `dynamodb` options.
 * @throws {RangeError} At once, for a `leaseMs` that is not positive, or a `size` that is not a
 * whole number of bytes.
 * @throws {AwsError} (as a rejection) When the claim request fails (after retries).
 * @throws The signal's reason (as a rejection) when `signal` aborts before the unit is done;
 * a claimed unit is released first.
 *
 * @example Process one S3 Loader file from an event notification (needs AWS)
 * ```ts ignore
 * import { awsOptionsFromEnv, processObject } from "@snowplow/analytics-sdk";
 *
 * const env = Deno.env.toObject();
 * const outcome = await processObject("s3://my-bucket/enriched/2026-11-20-101500-0f3c.gz", {
 *   manifests: "snowplow-runs",
 *   s3: awsOptionsFromEnv(env, "s3"),
 *   dynamodb: awsOptionsFromEnv(env, "dynamodb"),
 *   async handle(key, records) {
 *     for await (const record of records) {
 *       if (record.event) {
 *         // write record.event somewhere, idempotently per key
 *       }
 *     }
 *   },
 * });
 * if (outcome.status === "failed") throw outcome.error; // the delivery is retried
 * ```
 */
export function processObject(
  location: string | S3ObjectLocation,
  options: ProcessObjectOptions,
): Promise<RunOutcome> {
  const { bucket, key } = toS3ObjectLocation(location);
  if (key.endsWith("/") && !isRunFolder(key)) {
    throw new TypeError(
      `Invalid location for processObject(): s3://${bucket}/${key} is a folder but not a run ` +
        "folder (run=YYYY-MM-DD-HH-mm-ss/)",
    );
  }
  if (typeof options?.handle !== "function") {
    throw new TypeError("Invalid option handle for processObject(): expected a function");
  }
  const settings = jobSettings(options, "processObject");
  checkObjectVersion(options, "processObject");
  const unit: Unit = { bucket, id: key };
  if (options.etag !== undefined) unit.etag = options.etag;
  if (options.size !== undefined) unit.size = options.size;
  return (async () => {
    options.signal?.throwIfAborted();
    const outcome = await processUnit(unit, settings, options.handle);
    if (outcome.status === "failed") options.signal?.throwIfAborted();
    return outcome;
  })();
}

/** Checks the options every job function shares and builds the manifest. */
export function jobSettings(options: JobOptions, fn: string): JobSettings {
  const owner = options.owner ?? `worker-${crypto.randomUUID()}`;
  if (typeof owner !== "string" || owner === "") {
    throw new TypeError(`Invalid option owner for ${fn}(): expected a non-empty string`);
  }
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(typeof leaseMs === "number" && leaseMs > 0 && Number.isFinite(leaseMs))) {
    throw new RangeError(
      `Invalid option leaseMs for ${fn}(): expected a positive number of milliseconds but got ${leaseMs}`,
    );
  }
  let manifests: RunManifests;
  if (typeof options.manifests === "string") {
    if (options.dynamodb === undefined) {
      throw new TypeError(
        `Invalid options for ${fn}(): manifests is a table name, so dynamodb options are required`,
      );
    }
    manifests = new RunManifests(options.manifests, options.dynamodb);
  } else if (options.manifests instanceof RunManifests) {
    manifests = options.manifests;
  } else {
    throw new TypeError(
      `Invalid option manifests for ${fn}(): expected a RunManifests or a table name`,
    );
  }
  return { manifests, owner, leaseMs, options };
}

/**
 * Claims, reads, hands over and completes (or releases) one unit; returns its outcome. Throws
 * only failures of the job itself (the claim request).
 */
export async function processUnit(
  unit: Unit,
  settings: JobSettings,
  handle: (unitId: string, records: Contents) => unknown,
): Promise<RunOutcome> {
  const { manifests, owner, leaseMs, options } = settings;
  const { signal } = options;
  const unitId = unit.id;
  signal?.throwIfAborted();
  const claim = await manifests.claim(unitId, { owner, leaseMs });
  if (!claim.claimed) {
    const skipped: SkippedRun = { status: "skipped", runId: unitId, reason: claim.reason };
    if (claim.heldBy !== undefined) skipped.heldBy = claim.heldBy;
    return skipped;
  }
  const lost = new AbortController();
  const unitSignal = signal === undefined ? lost.signal : AbortSignal.any([signal, lost.signal]);
  const records = new Contents(unit, unitSignal, () => readUnit(unit, options, unitSignal));
  const renewal = options.renewLease === false ? undefined : new LeaseRenewal(
    manifests,
    unitId,
    owner,
    leaseMs,
    () => records.progressed(),
    (heldBy) => lost.abort(new LeaseLostError(unitId, heldBy)),
  );
  let failure: { error: unknown } | undefined;
  try {
    await handle(unitId, records);
    unitSignal.throwIfAborted();
  } catch (error) {
    failure = { error: lost.signal.aborted ? lost.signal.reason : error };
  }
  await renewal?.stop();
  if (failure === undefined) {
    try {
      if (await manifests.complete(unitId, owner)) {
        const processed: ProcessedRun = {
          status: "processed",
          runId: unitId,
          events: records.events,
          badRows: records.badRows,
        };
        if (claim.tookOverFrom !== undefined) processed.tookOverFrom = claim.tookOverFrom;
        return processed;
      }
      const current = await manifests.get(unitId).catch(() => undefined);
      failure = {
        error: new LeaseLostError(unitId, current?.state === "claimed" ? current.owner : undefined),
      };
    } catch (error) {
      failure = { error };
    }
  }
  const released = failure.error instanceof LeaseLostError
    ? false
    : await manifests.release(unitId, owner).catch(() => false);
  return {
    status: "failed",
    runId: unitId,
    error: failure.error,
    events: records.events,
    badRows: records.badRows,
    released,
  };
}

/** The events of a unit: every object of a run folder, or the one object. */
function readUnit(unit: Unit, options: JobOptions, signal: AbortSignal): AsyncIterable<RunLine> {
  const s3Signal = options.s3.signal === undefined
    ? signal
    : AbortSignal.any([options.s3.signal, signal]);
  if (unit.id.endsWith("/")) {
    return readRun({ bucket: unit.bucket, prefix: unit.id }, {
      ...options.read,
      ...options.s3,
      signal: s3Signal,
    });
  }
  return readObject({ bucket: unit.bucket, key: unit.id }, {
    ...options.read,
    ...options.s3,
    ...(unit.etag === undefined ? {} : { etag: unit.etag }),
    ...(unit.size === undefined ? {} : { size: unit.size }),
    signal: s3Signal,
  });
}

/** The records of one unit: reads it on first iteration, counting. */
export class Contents implements UnitContents {
  events = 0;
  badRows = 0;
  readonly unitId: string;
  readonly uri: string;
  /** The object as listed, for objects a listing found. */
  readonly object: S3Object | undefined;
  #read: (() => AsyncIterable<RunLine>) | undefined;
  #waiting = false;
  #seen = 0;

  constructor(unit: Unit, readonly signal: AbortSignal, read: () => AsyncIterable<RunLine>) {
    this.unitId = unit.id;
    this.uri = `s3://${unit.bucket}/${unit.id}`;
    this.object = unit.object;
    this.#read = read;
  }

  /** The run id (the unit id), for run handlers. */
  get runId(): string {
    return this.unitId;
  }

  /** The object key (the unit id), for object handlers. */
  get key(): string {
    return this.unitId;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RunLine> {
    const read = this.#read;
    if (read === undefined) {
      throw new TypeError(`Cannot iterate the records of ${this.uri} twice: they are read once`);
    }
    this.#read = undefined;
    const results = read()[Symbol.asyncIterator]();
    try {
      for (;;) {
        this.#waiting = true;
        let next: IteratorResult<RunLine>;
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
   * Whether the unit moved since the last call: a record was taken, or the handler is waiting
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
 * Renews a claim every `leaseMs / 3` while the unit makes progress, until stopped; reports a
 * lost claim once.
 */
class LeaseRenewal {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    readonly manifests: RunManifests,
    readonly unitId: string,
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
      // unit over then); renew again if the unit moves before that.
      if (!this.progressed()) return this.#schedule();
      this.#pending = this.manifests.claim(this.unitId, {
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
