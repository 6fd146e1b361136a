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
}

/**
 * The default `archivedStorageClasses` of {@linkcode listRunIds}: the storage classes whose
 * objects cannot be read without a restore.
 *
 * @example Add a class to the default set
 * ```ts
 * import { ARCHIVED_STORAGE_CLASSES } from "@snowplow/analytics-sdk";
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
 *
 * @throws {TypeError} At once, for a URI that is not an S3 URI.
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
    if (!skipArchived) {
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
      probe.done = listPage({ bucket, prefix: runId, maxKeys: probeSize }, requestOptions).then(
        (page) => {
          probe.archived = page.objects.some((o) => archivedClasses.has(o.storageClass));
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
