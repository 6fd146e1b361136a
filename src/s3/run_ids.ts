import type { AwsOptions } from "../aws/options.ts";
import { checkPositiveInteger, listPage, listPages } from "./list_objects.ts";
import { isRunFolder } from "./run_folder.ts";
import { parseS3Uri } from "./uri.ts";

/** Options of {@linkcode listRunIds}: the AWS options plus how archived runs are handled. */
export interface ListRunIdsOptions extends AwsOptions {
  /**
   * List archived runs too (no probe requests are made then).
   * @default {false}
   */
  includeArchived?: boolean;
  /**
   * The storage classes that make a run archived: objects in them cannot be read without a
   * restore. `GLACIER_IR` (instant retrieval) is readable, so it is not in the default set.
   * @default {["GLACIER", "DEEP_ARCHIVE"]}
   */
  archivedStorageClasses?: readonly string[];
  /**
   * How many of a run's first objects are probed for their storage class (one
   * ListObjectsV2 request with this `max-keys` per run), as the Python SDK does.
   * @default {3}
   */
  probeSize?: number;
  /**
   * The most probe requests in flight at once. Results keep the listing order regardless.
   * @default {8}
   */
  concurrency?: number;
  /**
   * List only sealed runs: folders that hold this object, named relative to the run folder
   * (e.g. `_SUCCESS`, or the RDB transformer's `shredding_complete.json`), which the producer
   * writes last. A folder without it is still being written and is not listed. One small
   * listing per run folder (a probe, run concurrently like the archive probes).
   */
  sealedBy?: string;
}

/**
 * The default `archivedStorageClasses` of {@linkcode listRunIds}: the storage classes whose
 * objects cannot be read without a restore.
 *
 * @example Add a class to the default set
 * ```ts
 * import { ARCHIVED_STORAGE_CLASSES } from "@snowplow/analytics-sdk/s3";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(ARCHIVED_STORAGE_CLASSES, ["GLACIER", "DEEP_ARCHIVE"]);
 * const archivedStorageClasses = [...ARCHIVED_STORAGE_CLASSES, "OUTPOSTS"];
 * assert.equal(archivedStorageClasses.length, 3);
 * ```
 */
export const ARCHIVED_STORAGE_CLASSES: readonly string[] = Object.freeze([
  "GLACIER",
  "DEEP_ARCHIVE",
]);

interface Probe {
  runId: string;
  settled: boolean;
  /** Archived, or not sealed: not listed. */
  archived: boolean;
  failed: boolean;
  error: unknown;
  done: Promise<void>;
}

/**
 * Lists the run folders under an S3 URI (`s3://`, `s3n://` or `s3a://`), as the Python SDK's
 * `list_runids` does, in listing order: the full key prefixes without the bucket, with the
 * trailing slash, e.g. `storage/enriched-archive/run=2017-01-01-00-00-00/`.
 *
 * - ListObjectsV2 with `delimiter=/` and `encoding-type=url` (keys decoded), following
 *   `NextContinuationToken` while `IsTruncated`. Results stream: the first runs come before
 *   the listing ends.
 * - A run folder is a common prefix whose last segment is exactly `run=YYYY-MM-DD-HH-mm-ss`
 *   with a valid date and time (see {@linkcode isRunFolder}); other folders are ignored.
 * - Archived runs are skipped unless `includeArchived`: a run is archived when any of its first
 *   `probeSize` objects has a storage class in `archivedStorageClasses`. A run folder with no
 *   objects is not archived. Probes run concurrently (at most `concurrency` at once).
 * - With `sealedBy`, only sealed runs are listed: a folder that does not hold that object yet
 *   (e.g. `_SUCCESS`) is still being written and is left out (one probe per run folder).
 *
 * @throws {TypeError} At once, for a URI that is not an S3 URI, or a `sealedBy` that is empty
 * or starts or ends with `/`.
 * @throws {RangeError} At once, for a `probeSize` or `concurrency` that is not a positive
 * integer.
 * @throws {S3Error} While iterating, for AWS failures (after retries) and malformed answers
 * (code `InvalidResponse`: also a listing that does not advance, or a folder outside the prefix
 * asked for, which is never yielded).
 * @throws The signal's reason when `signal` aborts.
 *
 * @example The seed's loop
 * ```ts ignore
 * import { awsOptionsFromEnv, listRunIds } from "@snowplow/analytics-sdk";
 *
 * const s3 = awsOptionsFromEnv(Deno.env.toObject(), "s3");
 * for await (const runId of listRunIds("s3://my-bucket/storage/enriched-archive/", s3)) {
 *   console.log(runId); // storage/enriched-archive/run=2017-01-01-00-00-00/
 * }
 * ```
 */
export function listRunIds(s3Uri: string, options: ListRunIdsOptions): AsyncIterable<string> {
  const { bucket, prefix } = parseS3Uri(s3Uri);
  const probeSize = checkPositiveInteger(options.probeSize ?? 3, "probeSize");
  const concurrency = checkPositiveInteger(options.concurrency ?? 8, "concurrency");
  const archivedClasses = new Set(options.archivedStorageClasses ?? ARCHIVED_STORAGE_CLASSES);
  const skipArchived = options.includeArchived !== true && archivedClasses.size > 0;
  const sealedBy = options.sealedBy;
  if (sealedBy !== undefined) checkSealName(sealedBy, "listRunIds");

  return (async function* (): AsyncGenerator<string> {
    // Probes are aborted when the caller stops early or a probe fails. One options object for
    // every request of the call, so what the transport learns (clock skew) is shared.
    const stop = new AbortController();
    const requestOptions: AwsOptions = {
      ...options,
      signal: options.signal === undefined
        ? stop.signal
        : AbortSignal.any([options.signal, stop.signal]),
    };
    const folders = listPages({ bucket, prefix, delimiter: "/" }, requestOptions);
    if (!skipArchived && sealedBy === undefined) {
      for await (const page of folders) yield* page.commonPrefixes.filter(isRunFolder);
      return;
    }
    const start = (runId: string): Probe => {
      const probe: Probe = {
        runId,
        settled: false,
        archived: false,
        failed: false,
        error: undefined,
        done: Promise.resolve(),
      };
      const probing = async (): Promise<boolean> => {
        if (sealedBy !== undefined && !(await isSealed(bucket, runId, sealedBy, requestOptions))) {
          return true;
        }
        if (!skipArchived) return false;
        return await isArchivedRun(bucket, runId, { probeSize, archivedClasses }, requestOptions);
      };
      probe.done = probing().then(
        (left) => {
          probe.archived = left;
          probe.settled = true;
        },
        (error) => {
          probe.failed = true;
          probe.error = error;
          probe.settled = true;
        },
      );
      return probe;
    };
    const queue: Probe[] = [];
    async function* settle(probe: Probe): AsyncGenerator<string> {
      await probe.done;
      if (probe.failed) throw probe.error;
      if (!probe.archived) yield probe.runId;
    }
    try {
      for await (const page of folders) {
        for (const runId of page.commonPrefixes) {
          if (!isRunFolder(runId)) continue;
          queue.push(start(runId));
          while (queue.length > 0 && (queue[0].settled || queue.length >= concurrency)) {
            yield* settle(queue.shift()!);
          }
        }
      }
      while (queue.length > 0) yield* settle(queue.shift()!);
    } finally {
      stop.abort();
      await Promise.all(queue.map((probe) => probe.done));
    }
  })();
}

/** How {@linkcode isArchivedRun} probes: the first `probeSize` objects, against these classes. */
export interface ArchiveProbe {
  /** How many of the run's first objects are looked at. */
  probeSize: number;
  /** Storage classes that need a restore before a GET. */
  archivedClasses: ReadonlySet<string>;
}

/**
 * Whether a run folder is archived: one ListObjectsV2 of its first `probeSize` objects, any of
 * which has a storage class in `archivedClasses`. The one archive probe of the module
 * (`listRunIds` and `processRuns` both call it).
 */
export async function isArchivedRun(
  bucket: string,
  runId: string,
  probe: ArchiveProbe,
  options: AwsOptions,
): Promise<boolean> {
  const page = await listPage({ bucket, prefix: runId, maxKeys: probe.probeSize }, options);
  return page.objects.some((object) => probe.archivedClasses.has(object.storageClass));
}

/**
 * Whether a run folder holds its seal object (`runId` + `sealedBy`): one ListObjectsV2 of at
 * most one key, with the seal's full key as the prefix.
 */
export async function isSealed(
  bucket: string,
  runId: string,
  sealedBy: string,
  options: AwsOptions,
): Promise<boolean> {
  const key = `${runId}${sealedBy}`;
  const page = await listPage({ bucket, prefix: key, maxKeys: 1 }, options);
  return page.objects.some((object) => object.key === key);
}

/** Refuses a `sealedBy` name that cannot name an object inside a run folder. */
export function checkSealName(sealedBy: unknown, fn: string): void {
  if (
    typeof sealedBy !== "string" || sealedBy === "" || sealedBy.startsWith("/") ||
    sealedBy.endsWith("/")
  ) {
    throw new TypeError(
      `Invalid option sealedBy for ${fn}(): expected an object name relative to the run ` +
        `folder, such as "_SUCCESS", but got ${JSON.stringify(sealedBy)}`,
    );
  }
}
