import { AwsError, S3Error } from "../aws/error.ts";
import type { AwsOptions } from "../aws/options.ts";
import { openAwsRequest } from "../aws/request.ts";
import {
  _EventBatches,
  type BadRowLine,
  type EventLine,
  type EventStreamOptions,
} from "../stream/event_stream.ts";
import { readAhead } from "../stream/read_ahead.ts";
import { StreamReadError } from "../stream/stream_read_error.ts";
import type { StreamStats } from "../stream/stream_stats.ts";
import { checkPositiveInteger, listObjects, type S3Object } from "./list_objects.ts";
import { type S3LocationLike, toS3Location } from "./uri.ts";
import { objectUrl } from "./request_url.ts";

/**
 * An event of a run, with the key of the object it came from.
 *
 * @typeParam Nulls Whether empty fields are `null` (the `nulls` option), see {@linkcode FlatEvent}.
 */
export interface RunEventLine<Nulls extends boolean = false> extends EventLine<Nulls> {
  /** The object key (without the bucket). */
  key: string;
}

/** A bad row of a run, with the key of the object it came from. */
export interface RunBadRowLine extends BadRowLine {
  /** The object key (without the bucket). */
  key: string;
}

/**
 * What one line of a run became: an event or a bad row, with its object key and line number.
 *
 * @typeParam Nulls Whether empty fields are `null` (the `nulls` option), see {@linkcode FlatEvent}.
 */
export type RunLine<Nulls extends boolean = false> = RunEventLine<Nulls> | RunBadRowLine;

/**
 * @deprecated Use {@linkcode RunLine}.
 *
 * @typeParam Nulls Whether empty fields are `null` (the `nulls` option), see {@linkcode FlatEvent}.
 */
export type RunResult<Nulls extends boolean = false> = RunLine<Nulls>;

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
 * import { isMarkerObject, type S3Object } from "@snowplow/analytics-sdk/s3";
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
 * too), split into lines and transformed. Each non-empty line becomes a {@linkcode RunLine}:
 * an event or a bad row, with the object key and the 1-based line number in the object.
 *
 * Objects are yielded one after the other in listing order, lines in file order, while the
 * next `concurrency - 1` objects are downloaded ahead. Each GET asks for the listed version
 * (`If-Match` its ETag) and its bytes are counted against the listed size: a body cut off
 * mid-stream, stalled past `idleTimeoutMs` or ending before the listed size is resumed with a
 * `Range` request, within the retry budget, then fails; an answer with another ETag, a wrong
 * `Content-Length`, a `Content-Range` that does not start at the byte asked for, or more bytes
 * than listed fails at once (code `InvalidResponse`). Nothing is yielded from bytes not checked.
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
export function readRun<Nulls extends boolean = false>(
  run: S3LocationLike,
  options: ReadRunOptions & { nulls?: Nulls },
): AsyncIterable<RunLine<Nulls>> {
  const { bucket, prefix } = toS3Location(run);
  const concurrency = checkPositiveInteger(options.concurrency ?? 4, "concurrency");
  const prefetchBytes = checkPositiveInteger(
    options.prefetchBytes ?? 8 * 1024 * 1024,
    "prefetchBytes",
  );
  checkEventStreamOptions(options);
  const filter = options.filter ?? (() => true);

  return (async function* (): AsyncGenerator<RunLine<Nulls>> {
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
        // Fetched ahead; a body that fails still delivers what was fetched before the error.
        const body = readAhead(objectBody(bucket, object, awsOptions), prefetchBytes);
        pending.push({ object, body });
      }
    };
    try {
      for (;;) {
        await fill(concurrency);
        const next = pending.shift();
        if (next === undefined) break;
        const { object, body } = next;
        const events = new _EventBatches<Nulls>(body, options);
        const key = object.key;
        try {
          for (;;) {
            const batch = await events.next();
            if (batch === null) break;
            for (const result of batch.results) {
              yield (result.event
                ? { key, line: result.line, event: result.event }
                : { key, line: result.line, badRow: result.badRow }) as RunLine<Nulls>;
            }
            if (batch.error !== undefined) throw batch.error.error;
            if (!listed && pending.length < concurrency - 1) await fill(concurrency - 1);
          }
        } catch (error) {
          throw objectReadError(error, signal, bucket, key);
        } finally {
          // The consumer may stop early (`break`): the body is cancelled.
          await events.cancel().catch(() => {});
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
 * The body of an object as a byte stream: a signed GET (`If-Match` the listed ETag), counted
 * against the listed size. A body that breaks, stalls past the idle timeout or ends before the
 * listed size is resumed with a `Range` request (at most `retry.maxAttempts - 1` times); an
 * answer whose ETag, `Content-Length` or `Content-Range` does not fit what was asked fails.
 */
export function objectBody(
  bucket: string,
  listed: S3Object,
  options: AwsOptions,
): ReadableStream<Uint8Array> {
  // Known by key alone (`size` NaN, `etag` ""): the first answer tells the version and size.
  const object = { ...listed };
  const uri = `s3://${bucket}/${object.key}`;
  const maxAttempts = Math.max(1, Math.floor(options.retry?.maxAttempts ?? 5));
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let offset = 0;
  let skip = 0;
  let failures = 0;
  // A `Content-Encoding` the runtime decodes: sizes and offsets are no longer the stored ones.
  let decoded = false;
  const open = async (): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
    const headers: Record<string, string> = {};
    if (object.etag !== "") headers["if-match"] = object.etag;
    if (offset > 0 && !decoded) headers.range = `bytes=${offset}-`;
    const url = objectUrl(bucket, object.key, options);
    const response = await openAwsRequest(
      { service: "s3", operation: "GetObject", method: "GET", url, headers },
      options,
    );
    try {
      decoded = isDecoded(response.headers);
      if (!Number.isFinite(object.size)) learnVersion(object, decoded, response.headers);
      skip = checkAnswer(object, offset, decoded, response);
    } catch (error) {
      await response.body?.cancel().catch(() => {});
      throw error;
    }
    if (response.body === null) {
      return new ReadableStream<Uint8Array>({ start: (c) => c.close() }).getReader();
    }
    return response.body.getReader();
  };
  // The body broke, stalled or ended early: resume from `offset`, or give up.
  const resume = (why: string, cause: unknown): void => {
    reader = undefined;
    if (options.signal?.aborted) throw options.signal.reason;
    if (++failures < maxAttempts) return;
    const stalled = cause instanceof AwsError && cause.code === "RequestTimeout";
    throw new S3Error({
      operation: "GetObject",
      code: stalled ? "RequestTimeout" : "NetworkError",
      status: 0,
      message: `${uri}: ${why} ${failures} times (last after ${offset} of ${object.size} bytes)`,
      retryable: true,
      cause,
    });
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (reader === undefined) {
          try {
            reader = await open();
          } catch (error) {
            if (options.signal?.aborted) throw options.signal.reason;
            if (error instanceof AwsError) throw inObject(error, uri);
            throw error;
          }
        }
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          const stalled = error instanceof AwsError && error.code === "RequestTimeout";
          resume(stalled ? "the body stalled" : "the body was cut off", error);
          continue;
        }
        if (result.done) {
          if (decoded || !Number.isFinite(object.size) || offset >= object.size) {
            controller.close();
            return;
          }
          resume("the body ended early", undefined);
          continue;
        }
        let chunk = result.value;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        if (!decoded && offset + chunk.length > object.size) {
          await reader.cancel().catch(() => {});
          throw inObject(
            wrongAnswer(`the body is longer than the listed ${object.size} bytes`),
            uri,
          );
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

/**
 * Takes the size (`Content-Length`, unless the runtime decodes the body) and the ETag of an
 * object read by key alone from its first answer, so that resumes and checks work as for a
 * listed object. Without a `Content-Length` the size stays unknown and the body ends when the
 * answer does.
 */
function learnVersion(object: S3Object, decoded: boolean, headers: Headers): void {
  const length = headers.get("content-length");
  if (!decoded && length !== null && /^\d+$/.test(length.trim())) object.size = Number(length);
  const etag = headers.get("etag");
  if (object.etag === "" && etag !== null) object.etag = etag;
}

/** Whether the runtime decodes the body (a `Content-Encoding` other than `identity`). */
function isDecoded(headers: Headers): boolean {
  const encoding = headers.get("content-encoding")?.trim().toLowerCase() ?? "";
  return encoding !== "" && encoding !== "identity";
}

/**
 * Checks a GetObject answer against the listed object and the offset asked for; returns how
 * many leading bytes to skip (a server that ignores `Range` sends the object from its start).
 */
function checkAnswer(
  object: S3Object,
  offset: number,
  decoded: boolean,
  response: Response,
): number {
  const etag = response.headers.get("etag");
  if (etag !== null && object.etag !== "" && bareEtag(etag) !== bareEtag(object.etag)) {
    throw wrongAnswer(
      `the object changed since it was listed (ETag ${etag}, listed ${object.etag})`,
      response,
    );
  }
  if (decoded) return offset;
  if (response.status === 206) {
    const range = response.headers.get("content-range") ?? "";
    const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range.trim());
    const last = object.size - 1;
    if (
      offset === 0 || match === null || Number(match[1]) !== offset || Number(match[2]) !== last ||
      (match[3] !== "*" && Number(match[3]) !== object.size)
    ) {
      throw wrongAnswer(
        `asked for bytes ${offset}-${last} of ${object.size} but got a 206 with Content-Range ` +
          `"${range}"`,
        response,
      );
    }
  }
  // A shorter body is read, then resumed like a cut one; a longer one cannot be the object.
  const length = response.headers.get("content-length");
  const expected = object.size - (response.status === 206 ? offset : 0);
  if (length !== null && Number(length) > expected) {
    throw wrongAnswer(
      `Content-Length ${length} but ${expected} bytes were expected (the listing says ` +
        `${object.size})`,
      response,
    );
  }
  return response.status === 206 ? 0 : offset;
}

/** An entity tag without quotes or a weak `W/` marker, for comparing. */
function bareEtag(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** A GetObject answer that does not fit what was asked (not retryable: asking again won't help). */
function wrongAnswer(why: string, response?: Response): S3Error {
  return new S3Error({
    operation: "GetObject",
    code: "InvalidResponse",
    status: response?.status ?? 200,
    message: why,
    requestId: response?.headers.get("x-amz-request-id") ?? undefined,
    retryable: false,
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
