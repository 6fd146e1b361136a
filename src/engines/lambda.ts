/**
 * AWS Lambda handlers that process S3 objects named by event notifications: from an SQS queue
 * (with a partial batch response), or invoked directly by S3 or EventBridge.
 *
 * @module
 */

import type { BatchResponse } from "./lambda_types.ts";
import {
  type ObjectBatchOptions,
  objectBatchSettings,
  objectId,
  type ObjectOutcome,
  type ObjectRef,
  settleObjects,
} from "./object_batch.ts";
import {
  type S3EventBridgeEvent,
  type S3EventObject,
  type S3Notification,
  s3ObjectsFromEvent,
  type SqsEvent,
} from "./s3_event.ts";

/** Options of {@linkcode lambdaHandler}. */
export interface LambdaHandlerOptions extends ObjectBatchOptions {
  /** Told why a message failed (for your logs); the core logs nothing. */
  onFailure?: (error: unknown, messageId: string) => void;
}

/** The events {@linkcode lambdaHandler}'s handler takes. */
export type ObjectLambdaEvent = SqsEvent | S3Notification | S3EventBridgeEvent;

/** What {@linkcode lambdaHandler} returns: a Lambda handler. */
export type ObjectLambdaHandler = (event: ObjectLambdaEvent) => Promise<BatchResponse>;

/**
 * A Lambda handler for a function fed S3 event notifications through SQS (directly from S3,
 * through SNS, or from EventBridge): every message's objects are processed with
 * `processObject` (claimed in the manifest, read, handed to `handle`, marked done), and the
 * answer is a partial batch response naming the messages to deliver again: those with an
 * object that failed, whose claim another worker holds (its result is not known yet), or whose
 * body is not an S3 event. Messages whose objects are done — now, or already, as when S3
 * delivers a notification twice — are let go, so each object is processed once.
 *
 * An object named twice in one batch is processed once. S3's test event and events other than
 * object creation need nothing. Enable `ReportBatchItemFailures` on the event source mapping,
 * and give the queue a dead-letter queue so a message that keeps failing is kept.
 *
 * Invoked directly by S3 or EventBridge (no queue), the handler processes the event's objects
 * and rejects when one is not done, so Lambda retries the invocation.
 *
 * @throws {TypeError} At once, for a missing `handle` and `processObject`'s option errors
 * (checked on each object).
 * @throws {RangeError} At once, for a `concurrency` that is not a positive integer.
 *
 * @example An SQS-triggered function (needs AWS)
 * ```ts ignore
 * import { awsOptionsFromEnv } from "@snowplow/analytics-sdk";
 * import { lambdaHandler } from "@snowplow/analytics-sdk/engines";
 *
 * const env = process.env as Record<string, string>;
 * export const handler = lambdaHandler({
 *   manifests: "snowplow-objects",
 *   s3: awsOptionsFromEnv(env, "s3"),
 *   dynamodb: awsOptionsFromEnv(env, "dynamodb"),
 *   async handle(key, records) {
 *     for await (const record of records) {
 *       // load record.event (or record.badRow) somewhere, idempotently per key
 *     }
 *   },
 * });
 * ```
 */
export function lambdaHandler(options: LambdaHandlerOptions): ObjectLambdaHandler {
  const settings = objectBatchSettings(options, "lambdaHandler");
  return async (event) => {
    if (isSqsEvent(event)) return await handleSqs(event, settings, options.onFailure);
    const objects = s3ObjectsFromEvent(event);
    const results = await settleObjects(objects, settings);
    const failed = [...new Set(results.values())].filter((result) => !result.ok);
    if (failed.length > 0) throw notDoneError(failed, new Set(results.values()).size);
    return { batchItemFailures: [] };
  };
}

function isSqsEvent(event: ObjectLambdaEvent): event is SqsEvent {
  const records = (event as SqsEvent)?.Records;
  return Array.isArray(records) && records.length > 0 &&
    records.every((record) => record?.eventSource === "aws:sqs");
}

async function handleSqs(
  event: SqsEvent,
  settings: ReturnType<typeof objectBatchSettings>,
  onFailure: LambdaHandlerOptions["onFailure"],
): Promise<BatchResponse> {
  const perMessage: { messageId: string; objects: S3EventObject[]; error?: unknown }[] = [];
  for (const [i, record] of event.Records.entries()) {
    const messageId = record.messageId;
    if (typeof messageId !== "string") {
      throw new TypeError(`Invalid SQS event at Records[${i}].messageId: expected a string`);
    }
    try {
      perMessage.push({ messageId, objects: s3ObjectsFromEvent(record) });
    } catch (error) {
      perMessage.push({ messageId, objects: [], error });
    }
  }
  const results = await settleObjects(perMessage.flatMap((m) => m.objects), settings);
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const message of perMessage) {
    const error = message.error ?? firstError(message.objects, results);
    if (error === undefined) continue;
    onFailure?.(error, message.messageId);
    batchItemFailures.push({ itemIdentifier: message.messageId });
  }
  return { batchItemFailures };
}

/** The error of the first object of `objects` that is not done, if any. */
export function firstError(
  objects: readonly ObjectRef[],
  results: Map<string, ObjectOutcome>,
): unknown {
  for (const object of objects) {
    const result = results.get(objectId(object));
    if (result !== undefined && !result.ok) {
      return result.error ?? new Error(`Cannot process s3://${objectId(object)}: it is not done`);
    }
  }
  return undefined;
}

/** One error for the objects of a delivery that are not done. */
export function notDoneError(failed: ObjectOutcome[], total: number): Error {
  const names = failed.slice(0, 5).map((result) =>
    `s3://${result.object.bucket}/${result.object.key} (${describe(result.error)})`
  );
  const more = failed.length > 5 ? `, and ${failed.length - 5} more` : "";
  return new AggregateError(
    failed.map((result) => result.error),
    `Cannot finish ${failed.length} of ${total} objects: ${names.join(", ")}${more}`,
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
