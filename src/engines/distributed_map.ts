/**
 * A Lambda handler for the item batches of a Step Functions Distributed Map over an S3
 * listing (backfills): each listed object is processed once with `processObject`.
 *
 * @module
 */

import { notDoneError } from "./lambda.ts";
import {
  type ObjectBatchOptions,
  objectBatchSettings,
  objectId,
  settleObjects,
} from "./object_batch.ts";
import type { RunOutcome } from "../job/mod.ts";

/** One item of a Distributed Map over an S3 listing (`ItemReader` `s3:listObjectsV2`). */
export interface DistributedMapItem {
  /** The object key (not encoded). */
  Key: string;
  /** The size in bytes. */
  Size?: number;
  /** The entity tag, quotes included. */
  Etag?: string;
  /** Seconds since the epoch. */
  LastModified?: number;
  /** E.g. `STANDARD`. */
  StorageClass?: string;
}

/** The input of one child execution with an `ItemBatcher`. */
export interface DistributedMapBatch {
  /** The items of the batch. */
  Items: DistributedMapItem[];
  /** The `ItemBatcher`'s `BatchInput`: may name the bucket as `bucket` or `Bucket`. */
  BatchInput?: Record<string, unknown>;
}

/** Options of {@linkcode distributedMapHandler}. */
export interface DistributedMapHandlerOptions extends ObjectBatchOptions {
  /** The bucket the map lists; else the batch's `BatchInput.bucket` (or `Bucket`). */
  bucket?: string;
}

/** What one batch became, as the child execution's output. */
export interface DistributedMapResult {
  /** Objects processed by this call. */
  processed: number;
  /** Objects done before (or filtered out). */
  alreadyDone: number;
  /** Events of the processed objects. */
  events: number;
  /** Bad rows of the processed objects. */
  badRows: number;
}

/** What {@linkcode distributedMapHandler} returns: a Lambda handler. */
export type DistributedMapLambdaHandler = (
  batch: DistributedMapBatch,
) => Promise<DistributedMapResult>;

/**
 * A Lambda handler for a Step Functions Distributed Map that lists an S3 prefix and batches
 * its items (`Items` of `{ Key, Size, Etag, … }`): each object is processed with
 * `processObject`, so an object already done (by this map's earlier attempt, or by the
 * notification pipeline) is skipped, and the counts are the child execution's output. When an
 * object is not done (it failed, or another worker holds it), the handler rejects naming the
 * objects, so the map's `Retry` runs the batch again (done objects are skipped then) or counts
 * it toward its tolerated failures.
 *
 * @throws {TypeError} At once, for a missing `handle`; the handler rejects for a batch without
 * `Items` or with no bucket.
 *
 * @example The function of a backfill map (needs AWS)
 * ```ts ignore
 * import { awsOptionsFromEnv } from "@snowplow/analytics-sdk";
 * import { distributedMapHandler } from "@snowplow/analytics-sdk/engines";
 *
 * const env = process.env as Record<string, string>;
 * export const handler = distributedMapHandler({
 *   bucket: "my-enriched-bucket",
 *   manifests: "snowplow-objects",
 *   s3: awsOptionsFromEnv(env, "s3"),
 *   dynamodb: awsOptionsFromEnv(env, "dynamodb"),
 *   async handle(key, records) {
 *     for await (const record of records) {
 *       // load record.event somewhere, idempotently per key
 *     }
 *   },
 * });
 * ```
 */
export function distributedMapHandler(
  options: DistributedMapHandlerOptions,
): DistributedMapLambdaHandler {
  const settings = objectBatchSettings(options, "distributedMapHandler");
  return async (batch) => {
    if (!Array.isArray(batch?.Items)) {
      throw new TypeError("Invalid Distributed Map batch: expected an object with an Items array");
    }
    const fromInput = batch.BatchInput?.bucket ?? batch.BatchInput?.Bucket;
    const bucket = options.bucket ?? fromInput;
    if (typeof bucket !== "string" || bucket === "") {
      throw new TypeError(
        "Invalid Distributed Map batch: no bucket (set the bucket option or BatchInput.bucket)",
      );
    }
    const objects = batch.Items.map((item, i) => {
      if (typeof item?.Key !== "string" || item.Key === "") {
        throw new TypeError(`Invalid Distributed Map batch at Items[${i}].Key: expected a key`);
      }
      const object: { bucket: string; key: string; size?: number; etag?: string } = {
        bucket,
        key: item.Key,
      };
      if (typeof item.Size === "number") object.size = item.Size;
      if (typeof item.Etag === "string") object.etag = item.Etag.replaceAll('"', "");
      return object;
    });
    const results = await settleObjects(objects, settings);
    const failed = [...new Set(results.values())].filter((result) => !result.ok);
    if (failed.length > 0) throw notDoneError(failed, new Set(results.values()).size);
    const result: DistributedMapResult = { processed: 0, alreadyDone: 0, events: 0, badRows: 0 };
    for (const object of objects) {
      const outcome: RunOutcome | undefined = results.get(objectId(object))?.outcome;
      if (outcome?.status === "processed") {
        result.processed++;
        result.events += outcome.events;
        result.badRows += outcome.badRows;
      } else {
        result.alreadyDone++;
      }
    }
    return result;
  };
}
