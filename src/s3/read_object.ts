import type { AwsOptions } from "../aws/options.ts";
import { EventStream, type EventStreamOptions } from "../stream/event_stream.ts";
import { checkEventStreamOptions, objectBody, objectReadError, type RunLine } from "./read_run.ts";
import { type S3ObjectLocation, toS3ObjectLocation } from "./uri.ts";

/** Options of {@linkcode readObject}: AWS options and event stream options. */
export interface ReadObjectOptions extends AwsOptions, EventStreamOptions {
  /**
   * The object's ETag as a listing gave it, quotes included. When given, a body cut off
   * mid-stream is resumed only if the object is still that version (`If-Match`).
   */
  etag?: string;
  /**
   * The object's size in bytes as a listing or an event notification gave it. When given, the
   * body is checked against it; otherwise the first answer's `Content-Length` is used.
   */
  size?: number;
}

/**
 * Streams the enriched events of one object (`s3://bucket/key`, or `{ bucket, key }`), such as
 * one file the S3 Loader wrote: a single signed GET, no listing. The body is gunzipped when it
 * starts with the gzip magic bytes (multi-member too), split into lines and transformed; each
 * non-empty line becomes an event or a bad row with the object key and its 1-based line number.
 * A body cut off mid-stream is resumed with a `Range` request, within the retry budget.
 *
 * @throws {TypeError} At once, for a malformed URI or location, or an `etag` that is not a
 * string.
 * @throws {RangeError} At once, for a `size` that is not a whole number of bytes.
 * @throws {S3Error} While iterating, for AWS failures (after retries), e.g. `NoSuchKey`.
 * @throws {StreamReadError} While iterating, for an object that is not valid gzip.
 * @throws The signal's reason when `signal` aborts.
 *
 * @example Count the events of one S3 Loader file
 * ```ts ignore
 * import { awsOptionsFromEnv, readObject } from "@snowplow/analytics-sdk";
 *
 * const s3 = awsOptionsFromEnv(Deno.env.toObject(), "s3");
 * let events = 0;
 * for await (const result of readObject("s3://my-bucket/enriched/2026-11-20-101500-0f3c.gz", s3)) {
 *   if (result.event) events++;
 *   else console.error(result.line, JSON.stringify(result.badRow.error));
 * }
 * console.log(events);
 * ```
 */
export function readObject(
  location: string | S3ObjectLocation,
  options: ReadObjectOptions,
): AsyncIterable<RunLine> {
  const { bucket, key } = toS3ObjectLocation(location);
  checkEventStreamOptions(options);
  checkObjectVersion(options, "readObject");
  return (async function* (): AsyncGenerator<RunLine> {
    const stop = new AbortController();
    const signal = options.signal === undefined
      ? stop.signal
      : AbortSignal.any([options.signal, stop.signal]);
    const object = {
      key,
      size: options.size ?? Number.NaN,
      storageClass: "STANDARD",
      lastModified: new Date(Number.NaN),
      etag: options.etag ?? "",
    };
    const body = objectBody(bucket, object, { ...options, signal });
    try {
      for await (const result of new EventStream(body, options)) {
        yield { key, ...result } as RunLine;
      }
    } catch (error) {
      throw objectReadError(error, signal, bucket, key);
    } finally {
      stop.abort();
      await body.cancel().catch(() => {});
    }
  })();
}

/** Refuses an `etag` or `size` option of the wrong kind, naming the function. */
export function checkObjectVersion(options: { etag?: unknown; size?: unknown }, fn: string): void {
  if (options.etag !== undefined && typeof options.etag !== "string") {
    throw new TypeError(`Invalid option etag for ${fn}(): expected a string`);
  }
  const size = options.size;
  if (
    size !== undefined && !(typeof size === "number" && Number.isSafeInteger(size) && size >= 0)
  ) {
    throw new RangeError(
      `Invalid option size for ${fn}(): expected a whole number of bytes but got ${String(size)}`,
    );
  }
}
