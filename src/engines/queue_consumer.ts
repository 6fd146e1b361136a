/**
 * A Cloudflare Queues consumer that processes the S3 (or R2) objects its messages name.
 *
 * @module
 */

import { firstError } from "./lambda.ts";
import {
  type ObjectBatchOptions,
  objectBatchSettings,
  type ObjectRef,
  settleObjects,
} from "./object_batch.ts";
import { s3ObjectsFromEvent } from "./s3_event.ts";

/** One message of a Cloudflare Queues batch (the parts this consumer uses). */
export interface QueueMessage<Body = unknown> {
  /** The message id. */
  readonly id: string;
  /** The message body, as sent. */
  readonly body: Body;
  /** How many times it was delivered, this time included. */
  readonly attempts?: number;
  /** Lets the message go. */
  ack(): void;
  /** Delivers the message again, after `delaySeconds` (else the queue's retry delay). */
  retry(options?: { delaySeconds?: number }): void;
}

/** A batch of messages, as Cloudflare Queues hands it to a Worker's `queue()` handler. */
export interface QueueBatch<Body = unknown> {
  /** The queue's name. */
  readonly queue: string;
  /** The messages. */
  readonly messages: readonly QueueMessage<Body>[];
}

/**
 * An R2 event notification, as R2 sends it to a queue: keys are not encoded. Object-created
 * actions are `PutObject`, `CopyObject` and `CompleteMultipartUpload`.
 */
export interface R2EventNotification {
  /** The account id. */
  account?: string;
  /** The bucket name (also its name in R2's S3-compatible API). */
  bucket: string;
  /** The object. */
  object: { key: string; size?: number; eTag?: string };
  /** E.g. `PutObject`, `DeleteObject`. */
  action: string;
  /** When (ISO 8601). */
  eventTime?: string;
}

/** An object named by this consumer's producer: `{ bucket, key }`, or an `s3://` URI. */
export type ObjectMessage = { bucket: string; key: string; etag?: string } | string;

/** Options of {@linkcode queueConsumer}. */
export interface QueueConsumerOptions extends ObjectBatchOptions {
  /**
   * The delay of a message whose object another worker holds, in seconds: it comes back then,
   * to find the object done (and be let go) or free again.
   * @default {30}
   */
  heldRetryDelaySeconds?: number;
  /**
   * The delay of a message whose object failed, in seconds.
   * @default {undefined} (the queue's retry delay)
   */
  retryDelaySeconds?: number;
  /** Told why a message is delivered again (for your logs); the core logs nothing. */
  onRetry?: (error: unknown, message: QueueMessage) => void;
}

/** What {@linkcode queueConsumer} returns: a Worker's `queue()` handler. */
export type QueueHandler<Env> = (batch: QueueBatch, env: Env, ctx?: unknown) => Promise<void>;

/**
 * A Cloudflare Workers `queue(batch, env, ctx)` handler for a queue of objects to process:
 * each message's object (or objects) is processed with `processObject` (claimed in the
 * manifest, read from S3 or R2's S3 API, handed to `handle`, marked done), and the message is
 * `ack()`ed when every object it names is done — by this delivery or before, as for a
 * notification sent twice — and `retry()`ed otherwise: when an object failed, or another
 * worker holds its claim (then after `heldRetryDelaySeconds`, when its result should be
 * known). So each object is processed once however often it is named. Give the queue a
 * dead-letter queue so messages that keep failing are kept.
 *
 * A message body may be `{ bucket, key }` or an `s3://bucket/key` URI (what a producer
 * sends), an R2 event notification, or any S3 event {@linkcode s3ObjectsFromEvent} reads;
 * objects named twice in one batch are processed once. A body that is none of these is
 * retried (and so ends in the dead-letter queue).
 *
 * `options` may be a function of the Worker's `env`, called once per batch, because a
 * Worker's secrets and bindings come with each invocation.
 *
 * @throws {TypeError} At once, for options (not a function) without `handle`.
 *
 * @example A Worker consuming a queue of objects (needs AWS or R2)
 * ```ts ignore
 * import { queueConsumer } from "@snowplow/analytics-sdk/engines";
 *
 * interface Env { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string }
 * export default {
 *   queue: queueConsumer((env: Env) => {
 *     const credentials = {
 *       accessKeyId: env.AWS_ACCESS_KEY_ID,
 *       secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
 *     };
 *     return {
 *       manifests: "snowplow-objects",
 *       s3: { region: "eu-west-1", credentials },
 *       dynamodb: { region: "eu-west-1", credentials },
 *       async handle(key, records) {
 *         for await (const record of records) {
 *           // load record.event somewhere, idempotently per key
 *         }
 *       },
 *     };
 *   }),
 * };
 * ```
 */
export function queueConsumer<Env = unknown>(
  options: QueueConsumerOptions | ((env: Env) => QueueConsumerOptions),
): QueueHandler<Env> {
  if (typeof options !== "function") objectBatchSettings(options, "queueConsumer");
  return async (batch, env) => {
    const resolved = typeof options === "function" ? options(env) : options;
    const settings = objectBatchSettings(resolved, "queueConsumer");
    const perMessage: { message: QueueMessage; objects: ObjectRef[]; error?: unknown }[] = [];
    for (const message of batch.messages) {
      try {
        perMessage.push({ message, objects: objectsFromMessage(message.body) });
      } catch (error) {
        perMessage.push({ message, objects: [], error });
      }
    }
    const results = await settleObjects(perMessage.flatMap((m) => m.objects), settings);
    for (const { message, objects, error: parseError } of perMessage) {
      const error = parseError ?? firstError(objects, results);
      if (error === undefined) {
        message.ack();
        continue;
      }
      resolved.onRetry?.(error, message);
      const held = objects.some((object) => {
        const result = results.get(`${object.bucket}/${object.key}`);
        return result?.outcome?.status === "skipped" && !result.ok;
      });
      const delaySeconds = held ? resolved.heldRetryDelaySeconds ?? 30 : resolved.retryDelaySeconds;
      message.retry(delaySeconds === undefined ? undefined : { delaySeconds });
    }
  };
}

/**
 * The objects a queue message names: `{ bucket, key }`, an `s3://` URI, an R2 event
 * notification (object-created actions only), or an S3 event (see
 * {@linkcode s3ObjectsFromEvent}); JSON text of any of these too.
 *
 * @throws {TypeError} When the body is none of these.
 *
 * @example The bodies a queue may carry
 * ```ts
 * import { objectsFromMessage } from "@snowplow/analytics-sdk/engines";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(objectsFromMessage("s3://sp-enriched/2026/11/part-1.gz"), [
 *   { bucket: "sp-enriched", key: "2026/11/part-1.gz" },
 * ]);
 * assert.deepEqual(
 *   objectsFromMessage({
 *     bucket: "sp-enriched",
 *     object: { key: "2026/11/part 2.gz", size: 812, eTag: "9b2c" },
 *     action: "PutObject",
 *   }),
 *   [{ bucket: "sp-enriched", key: "2026/11/part 2.gz", size: 812, etag: "9b2c" }],
 * );
 * assert.deepEqual(
 *   objectsFromMessage({ bucket: "sp-enriched", object: { key: "x" }, action: "DeleteObject" }),
 *   [],
 * );
 * ```
 */
export function objectsFromMessage(body: unknown): ObjectRef[] {
  if (typeof body === "string") {
    if (body.startsWith("s3://")) {
      const rest = body.slice(5);
      const slash = rest.indexOf("/");
      if (slash <= 0 || slash === rest.length - 1) {
        throw new TypeError(`Invalid queue message: ${JSON.stringify(body)} names no object`);
      }
      return [{ bucket: rest.slice(0, slash), key: rest.slice(slash + 1) }];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new TypeError(
        `Invalid queue message: expected JSON or an s3:// URI but got ${
          JSON.stringify(body.slice(0, 40))
        }`,
      );
    }
    return objectsFromMessage(parsed);
  }
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const value = body as Record<string, unknown>;
    if (typeof value.bucket === "string" && typeof value.action === "string") {
      return objectsFromR2(value as unknown as R2EventNotification);
    }
    if (typeof value.bucket === "string" && typeof value.key === "string") {
      if (value.key === "") throw new TypeError("Invalid queue message: the key is empty");
      const object: ObjectRef = { bucket: value.bucket, key: value.key };
      if (typeof value.etag === "string") object.etag = value.etag;
      return [object];
    }
  }
  return s3ObjectsFromEvent(body as never);
}

const R2_CREATED: ReadonlySet<string> = new Set([
  "PutObject",
  "CopyObject",
  "CompleteMultipartUpload",
]);

function objectsFromR2(event: R2EventNotification): ObjectRef[] {
  if (!R2_CREATED.has(event.action)) return [];
  const key = event.object?.key;
  if (typeof key !== "string" || key === "") {
    throw new TypeError("Invalid R2 event notification: object.key is missing");
  }
  const object: ObjectRef = { bucket: event.bucket, key };
  if (typeof event.object.size === "number") object.size = event.object.size;
  if (typeof event.object.eTag === "string") object.etag = event.object.eTag;
  return [object];
}
