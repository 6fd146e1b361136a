import { AwsError, S3Error } from "../aws/error.ts";
import type { AwsOptions } from "../aws/options.ts";
import { openAwsRequest } from "../aws/request.ts";
import {
  type BadRowLine,
  type EventLine,
  EventStream,
  type EventStreamOptions,
} from "../stream/event_stream.ts";
import { StreamReadError } from "../stream/stream_read_error.ts";
import type { StreamStats } from "../stream/stream_stats.ts";
import { checkPositiveInteger, listObjects, type S3Object } from "./list_objects.ts";
import { type S3LocationLike, toS3Location } from "./uri.ts";
import { objectUrl } from "./url.ts";

/** An event of a run, with the key of the object it came from. */
export interface RunEventLine extends EventLine {
  /** The object key (without the bucket). */
  key: string;
}

/** A bad row of a run, with the key of the object it came from. */
export interface RunBadRowLine extends BadRowLine {
  /** The object key (without the bucket). */
  key: string;
}

/** What one line of a run became: an event or a bad row, with its object key and line number. */
export type RunResult = RunEventLine | RunBadRowLine;

/** Options of {@linkcode readRun}: AWS options, event stream options, and parallelism. */
export interface ReadRunOptions extends AwsOptions, EventStreamOptions {
  /**
   * How many objects are downloaded at once. Results still come object by object, in listing
   * order; the objects after the current one are fetched ahead (up to `prefetchBytes` each).
   * @default {4}
   */
  concurrency?: number;
  /**
   * How many bytes (as stored, so compressed for gzip) are buffered ahead for each object that
   * is fetched ahead of the one being read.
   * @default {8388608}
   */
  prefetchBytes?: number;
  /**
   * Which listed objects to read, after the markers (`_SUCCESS`, `…_$folder$`, empty objects)
   * are skipped. Return `false` to skip an object.
   * @default {() => true}
   */
  filter?: (object: S3Object) => boolean;
  /** Called when an object has been read to its end, with its counters. */
  onObjectRead?: (object: S3Object, stats: StreamStats) => void;
}

/**
 * Whether a listed object is a marker rather than data: a `_SUCCESS` file, a `…_$folder$`
 * folder marker, or an empty object (folder markers ending in `/` included).
 * {@linkcode readRun} skips them.
 *
 * @example Markers and data
 * ```ts
 * import { isMarkerObject, type S3Object } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const object = (key: string, size: number): S3Object => ({
 *   key,
 *   size,
 *   storageClass: "STANDARD",
 *   lastModified: new Date(0),
 *   etag: "",
 * });
 * assert.equal(isMarkerObject(object("run=2017-01-01-00-00-00/_SUCCESS", 0)), true);
 * assert.equal(isMarkerObject(object("run=2017-01-01-00-00-00/sub_$folder$", 0)), true);
 * assert.equal(isMarkerObject(object("run=2017-01-01-00-00-00/part-00000.gz", 0)), true);
 * assert.equal(isMarkerObject(object("run=2017-01-01-00-00-00/part-00000.gz", 812)), false);
 * ```
 */
export function isMarkerObject(object: S3Object): boolean {
  const name = object.key.slice(object.key.lastIndexOf("/") + 1);
  return object.size === 0 || name === "_SUCCESS" || object.key.endsWith("_$folder$");
}

interface Pending {
  object: S3Object;
  body: ReadableStream<Uint8Array>;
}

/**
 * Streams the enriched events of one run folder (`s3://bucket/…/run=…/`, or a
 * `{ bucket, prefix }` where the prefix is a run id from {@linkcode listRunIds}).
 *
 * Every object under the folder is listed (paginated, no delimiter, so sub-folders too);
 * markers (`_SUCCESS`, `…_$folder$`, empty objects) are skipped; each object is fetched with a
 * signed streaming GET, gunzipped when it starts with the gzip magic bytes (multi-member
 * too), split into lines and transformed. Each non-empty line becomes a {@linkcode RunResult}:
 * an event or a bad row, with the object key and the 1-based line number in the object.
 *
 * Objects are yielded one after the other in listing order, lines in file order, while the
 * next `concurrency - 1` objects are downloaded ahead. A body cut off mid-stream is resumed
 * with a `Range` request (`If-Match` the listed ETag), within the retry budget.
 *
 * Bad lines never stop the run; AWS failures do (an archived object answers 403
 * `InvalidObjectState`: use {@linkcode listRunIds}, which skips archived runs).
 *
 * @throws {TypeError} At once, for a malformed S3 URI or location.
 * @throws {RangeError} At once, for a `concurrency` or `prefetchBytes` that is not a positive
 * integer.
 * @throws {S3Error} While iterating, for AWS failures (after retries).
 * @throws {StreamReadError} While iterating, for an object that is not valid gzip.
 * @throws The signal's reason when `signal` aborts.
 *
 * @example Count the events of the runs not yet processed
 * ```ts ignore
 * import { awsOptionsFromEnv, listRunIds, readRun } from "@snowplow/analytics-sdk";
 *
 * const s3 = awsOptionsFromEnv(Deno.env.toObject(), "s3");
 * for await (const runId of listRunIds("s3://my-bucket/enriched/archive/", s3)) {
 *   let events = 0;
 *   for await (const result of readRun({ bucket: "my-bucket", prefix: runId }, s3)) {
 *     if (result.event) events++;
 *     else console.error(result.key, result.line, JSON.stringify(result.badRow.error));
 *   }
 *   console.log(runId, events);
 * }
 * ```
 */
export function readRun(run: S3LocationLike, options: ReadRunOptions): AsyncIterable<RunResult> {
  const { bucket, prefix } = toS3Location(run);
  const concurrency = checkPositiveInteger(options.concurrency ?? 4, "concurrency");
  const prefetchBytes = checkPositiveInteger(
    options.prefetchBytes ?? 8 * 1024 * 1024,
    "prefetchBytes",
  );
  checkEventStreamOptions(options);
  const filter = options.filter ?? (() => true);

  return (async function* (): AsyncGenerator<RunResult> {
    const stop = new AbortController();
    const signal = options.signal === undefined
      ? stop.signal
      : AbortSignal.any([options.signal, stop.signal]);
    const awsOptions: AwsOptions = { ...options, signal };
    const objects = listObjects({ bucket, prefix }, awsOptions)[Symbol.asyncIterator]();
    const pending: Pending[] = [];
    let listed = false;
    // Lists objects until `target` of them are being fetched ahead (or the listing ends).
    const fill = async (target: number): Promise<void> => {
      while (!listed && pending.length < target) {
        const next = await objects.next();
        if (next.done) {
          listed = true;
          return;
        }
        const object = next.value;
        if (isMarkerObject(object) || !filter(object)) continue;
        const body = objectBody(bucket, object, awsOptions).pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>(
            {},
            new ByteLengthQueuingStrategy({ highWaterMark: prefetchBytes }),
          ),
        );
        pending.push({ object, body });
      }
    };
    try {
      for (;;) {
        await fill(concurrency);
        const next = pending.shift();
        if (next === undefined) break;
        const { object, body } = next;
        const events = new EventStream(body, options);
        try {
          for await (const result of events) {
            yield { key: object.key, ...result } as RunResult;
            if (!listed && pending.length < concurrency - 1) await fill(concurrency - 1);
          }
        } catch (error) {
          throw objectReadError(error, signal, bucket, object.key);
        }
        options.onObjectRead?.(object, { ...events.stats });
      }
    } finally {
      stop.abort();
      await Promise.all(pending.map(({ body }) => body.cancel().catch(() => {})));
      await objects.return?.();
    }
  })();
}

/**
 * What reading an object's events failed with, as the caller should see it: the signal's
 * reason when aborted, the AWS error itself, or a gzip/stream error naming the object.
 */
export function objectReadError(
  error: unknown,
  signal: AbortSignal,
  bucket: string,
  key: string,
): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof StreamReadError && error.cause instanceof AwsError) return error.cause;
  if (error instanceof StreamReadError) {
    return new StreamReadError(`Cannot read s3://${bucket}/${key}: ${error.message}`, {
      line: error.line,
      cause: error,
    });
  }
  return error;
}

/**
 * The body of an object as a byte stream: a signed GET, resumed with a `Range` request when
 * the connection breaks mid-body (at most `retry.maxAttempts - 1` times).
 */
export function objectBody(
  bucket: string,
  object: S3Object,
  options: AwsOptions,
): ReadableStream<Uint8Array> {
  const maxAttempts = Math.max(1, Math.floor(options.retry?.maxAttempts ?? 5));
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let offset = 0;
  let skip = 0;
  let cuts = 0;
  const open = async (): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
    const headers: Record<string, string> = {};
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      if (object.etag !== "") headers["if-match"] = object.etag;
    }
    const url = objectUrl(bucket, object.key, options);
    const response = await openAwsRequest(
      { service: "s3", operation: "GetObject", method: "GET", url, headers },
      options,
    );
    // A server that ignores Range sends the whole object again: skip what was read.
    skip = offset > 0 && response.status !== 206 ? offset : 0;
    if (response.body === null) {
      return new ReadableStream<Uint8Array>({ start: (c) => c.close() }).getReader();
    }
    return response.body.getReader();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (reader === undefined) {
          try {
            reader = await open();
          } catch (error) {
            if (options.signal?.aborted) throw options.signal.reason;
            if (error instanceof AwsError) throw inObject(error, `s3://${bucket}/${object.key}`);
            throw error;
          }
        }
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          // The connection broke mid-body: resume from `offset`.
          reader = undefined;
          if (options.signal?.aborted) throw options.signal.reason;
          if (++cuts >= maxAttempts) {
            throw new S3Error({
              operation: "GetObject",
              code: "NetworkError",
              status: 0,
              message: `s3://${bucket}/${object.key}: the body was cut off ${cuts} times ` +
                `(last after ${offset} bytes)`,
              retryable: true,
              cause: error,
            });
          }
          continue;
        }
        if (result.done) {
          controller.close();
          return;
        }
        let chunk = result.value;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        offset += chunk.length;
        controller.enqueue(chunk);
        return;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}

/** The same error, with the object's URI at the start of its detail. */
function inObject(error: AwsError, uri: string): AwsError {
  const head = `S3 ${error.operation} failed: ${
    error.status === 0 ? "" : `${error.status} `
  }${error.code}`;
  const tail = error.requestId === undefined ? "" : ` (request id ${error.requestId})`;
  let detail = error.message;
  if (detail.startsWith(head) && detail.endsWith(tail)) {
    detail = detail.slice(head.length, detail.length - tail.length).replace(/^: /, "");
  }
  return new S3Error({
    operation: error.operation,
    code: error.code,
    status: error.status,
    message: detail === "" ? uri : `${uri}: ${detail}`,
    requestId: error.requestId,
    retryable: error.retryable,
    cause: error,
  });
}

/** Refuses event stream options of the wrong type, at once. */
export function checkEventStreamOptions(options: EventStreamOptions): void {
  const { maxLineBytes, gzip } = options;
  if (maxLineBytes !== undefined && (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1)) {
    throw new RangeError(
      `Invalid option maxLineBytes: expected a positive integer but got ${maxLineBytes}`,
    );
  }
  if (gzip !== undefined && gzip !== "auto" && gzip !== true && gzip !== false) {
    throw new TypeError(
      `Invalid option gzip: expected "auto", true or false but got ${String(gzip)}`,
    );
  }
}
