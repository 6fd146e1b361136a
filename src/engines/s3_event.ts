/**
 * The object-created events AWS sends about S3, in every envelope it wraps them in: an S3 event
 * notification, the same inside an SQS message, inside an SNS notification inside an SQS
 * message, and EventBridge `Object Created` events (direct or inside SQS).
 *
 * @module
 */

/** One object that an event says was created. */
export interface S3EventObject {
  /** The bucket name. */
  bucket: string;
  /** The object key, decoded (S3 notifications send it URL-encoded, `+` for a space). */
  key: string;
  /** The object's size in bytes, when the event gives it. */
  size?: number;
  /** The object's entity tag (without quotes), when the event gives it. */
  etag?: string;
  /**
   * The event's sequencer: for events about the same key, a greater value (compared as
   * hexadecimal strings of equal length) is a later write.
   */
  sequencer?: string;
  /** The event name (`ObjectCreated:Put`) or EventBridge reason (`PutObject`). */
  eventName: string;
}

/** The `s3` part of one record of an S3 event notification. */
export interface S3NotificationEntity {
  /** `"1.0"`. */
  s3SchemaVersion?: string;
  /** The notification configuration's id. */
  configurationId?: string;
  /** The bucket. */
  bucket: { name: string; arn?: string; ownerIdentity?: { principalId?: string } };
  /** The object; `key` is URL-encoded (`+` for a space). */
  object: {
    key: string;
    size?: number;
    eTag?: string;
    versionId?: string;
    sequencer?: string;
  };
}

/** One record of an S3 event notification (`eventSource` `aws:s3`). */
export interface S3NotificationRecord {
  /** E.g. `"2.1"`. */
  eventVersion?: string;
  /** `"aws:s3"`. */
  eventSource: string;
  /** The bucket's region. */
  awsRegion?: string;
  /** When S3 finished the request (ISO 8601). */
  eventTime?: string;
  /** E.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  eventName: string;
  /** The bucket and object. */
  s3: S3NotificationEntity;
}

/** An S3 event notification: what S3 sends to Lambda, SQS and SNS. */
export interface S3Notification {
  /** The records; usually one. */
  Records: S3NotificationRecord[];
}

/** The test message S3 sends to a destination when its notification is configured. */
export interface S3TestEvent {
  /** `"Amazon S3"`. */
  Service: string;
  /** `"s3:TestEvent"`. */
  Event: "s3:TestEvent";
  /** When (ISO 8601). */
  Time?: string;
  /** The bucket. */
  Bucket?: string;
}

/** An S3 event as EventBridge delivers it (`source` `aws.s3`). */
export interface S3EventBridgeEvent {
  /** `"0"`. */
  version?: string;
  /** The event id. */
  id?: string;
  /** `"Object Created"`, `"Object Deleted"`, … */
  "detail-type": string;
  /** `"aws.s3"`. */
  source: string;
  /** The bucket owner's account. */
  account?: string;
  /** When (ISO 8601). */
  time?: string;
  /** The bucket's region. */
  region?: string;
  /** The bucket's ARN. */
  resources?: string[];
  /** The bucket and object; `key` is not URL-encoded. */
  detail: {
    bucket: { name: string };
    object: {
      key: string;
      size?: number;
      etag?: string;
      "version-id"?: string;
      sequencer?: string;
    };
    reason?: string;
  };
}

/** An SNS notification, as SNS delivers it to an SQS queue (without raw delivery). */
export interface SnsNotification {
  /** `"Notification"`. */
  Type: string;
  /** The SNS message id. */
  MessageId?: string;
  /** The topic. */
  TopicArn?: string;
  /** The published message: here, an S3 event notification as JSON text. */
  Message: string;
}

/** One message of an SQS-triggered Lambda event (`eventSource` `aws:sqs`). */
export interface SqsRecord {
  /** The message id: the `itemIdentifier` of a partial batch response. */
  messageId: string;
  /** The receipt handle. */
  receiptHandle?: string;
  /** The message body: JSON text of an S3 notification, SNS notification or EventBridge event. */
  body: string;
  /** System attributes, such as `ApproximateReceiveCount`. */
  attributes?: Record<string, string>;
  /** `"aws:sqs"`. */
  eventSource: string;
  /** The queue's ARN. */
  eventSourceARN?: string;
  /** The queue's region. */
  awsRegion?: string;
}

/** The event of an SQS-triggered Lambda function. */
export interface SqsEvent {
  /** The messages of the batch. */
  Records: SqsRecord[];
}

/** Any event {@linkcode s3ObjectsFromEvent} understands. */
export type S3Event =
  | S3Notification
  | S3TestEvent
  | S3EventBridgeEvent
  | SqsEvent
  | SqsRecord
  | SnsNotification;

/**
 * The objects an event says were created, from any of the envelopes AWS uses: an S3 event
 * notification (`Records[].s3`, keys URL-encoded with `+` for spaces, decoded here), an SQS
 * event or message whose body is one (`Records[].body`), an SNS notification inside it
 * (`Message`), and EventBridge `Object Created` events (whose keys are not encoded), also
 * inside SQS. The test event S3 sends when a notification is configured (`s3:TestEvent`) and
 * events other than object creation (deletes, restores, tagging…) give no objects. JSON text
 * is accepted wherever an object is.
 *
 * Delivery is at least once: the same object may come in several events, and more than once
 * in one batch. Objects are returned in the event's order, duplicates included.
 *
 * @throws {TypeError} When the event (or a body inside it) is not JSON, or not one of these
 * shapes; the message names where (e.g. `Records[2].body`).
 *
 * @example An S3 notification inside an SQS message
 * ```ts
 * import { s3ObjectsFromEvent } from "@snowplow/analytics-sdk/engines";
 * import assert from "node:assert/strict";
 *
 * const notification = {
 *   Records: [{
 *     eventSource: "aws:s3",
 *     eventName: "ObjectCreated:Put",
 *     s3: {
 *       bucket: { name: "sp-enriched" },
 *       object: { key: "archive/2026/11/part+one%3D1.gz", size: 812, sequencer: "0065A1B2" },
 *     },
 *   }],
 * };
 * const sqsEvent = {
 *   Records: [{ messageId: "m-1", eventSource: "aws:sqs", body: JSON.stringify(notification) }],
 * };
 * assert.deepEqual(s3ObjectsFromEvent(sqsEvent), [{
 *   bucket: "sp-enriched",
 *   key: "archive/2026/11/part one=1.gz",
 *   size: 812,
 *   sequencer: "0065A1B2",
 *   eventName: "ObjectCreated:Put",
 * }]);
 * assert.deepEqual(s3ObjectsFromEvent({ Service: "Amazon S3", Event: "s3:TestEvent" }), []);
 * ```
 */
export function s3ObjectsFromEvent(event: S3Event | string): S3EventObject[] {
  const out: S3EventObject[] = [];
  collect(event, "event", out, 0);
  return out;
}

/** How deep envelopes may nest (an SQS event → message → SNS → S3 is four). */
const MAX_DEPTH = 6;

function collect(value: unknown, where: string, out: S3EventObject[], depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new TypeError(`Invalid S3 event at ${where}: envelopes nested too deep`);
  }
  if (typeof value === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new TypeError(`Invalid S3 event at ${where}: expected JSON but got ${preview(value)}`);
    }
    collect(parsed, where, out, depth);
    return;
  }
  if (!isObject(value)) {
    throw new TypeError(`Invalid S3 event at ${where}: expected an object but got ${kind(value)}`);
  }
  if (value.Event === "s3:TestEvent") return;
  if (Array.isArray(value.Records)) {
    value.Records.forEach((record, i) =>
      collectRecord(record, `${where}.Records[${i}]`, out, depth)
    );
    return;
  }
  if (value.source === "aws.s3" && "detail-type" in value) {
    collectEventBridge(value, where, out);
    return;
  }
  if (typeof value.body === "string" && "messageId" in value) {
    collect(value.body, `${where}.body`, out, depth + 1);
    return;
  }
  if (value.Type === "Notification" && typeof value.Message === "string") {
    collect(value.Message, `${where}.Message`, out, depth + 1);
    return;
  }
  throw new TypeError(
    `Invalid S3 event at ${where}: expected an S3 notification, an SQS or SNS message or an EventBridge event`,
  );
}

function collectRecord(record: unknown, where: string, out: S3EventObject[], depth: number) {
  if (!isObject(record)) {
    throw new TypeError(`Invalid S3 event at ${where}: expected an object but got ${kind(record)}`);
  }
  if (record.eventSource === "aws:s3" || isObject(record.s3)) {
    const eventName = stringAt(record.eventName, `${where}.eventName`);
    if (!eventName.startsWith("ObjectCreated:")) return;
    const s3 = objectAt(record.s3, `${where}.s3`);
    const bucket = objectAt(s3.bucket, `${where}.s3.bucket`);
    const object = objectAt(s3.object, `${where}.s3.object`);
    const encoded = stringAt(object.key, `${where}.s3.object.key`);
    let key: string;
    try {
      key = decodeURIComponent(encoded.replaceAll("+", " "));
    } catch {
      throw new TypeError(
        `Invalid S3 event at ${where}.s3.object.key: ${preview(encoded)} is not URL-encoded`,
      );
    }
    out.push(entry(stringAt(bucket.name, `${where}.s3.bucket.name`), key, eventName, {
      size: object.size,
      etag: object.eTag,
      sequencer: object.sequencer,
    }, `${where}.s3.object`));
    return;
  }
  collect(record, where, out, depth + 1);
}

function collectEventBridge(event: Record<string, unknown>, where: string, out: S3EventObject[]) {
  if (event["detail-type"] !== "Object Created") return;
  const detail = objectAt(event.detail, `${where}.detail`);
  const bucket = objectAt(detail.bucket, `${where}.detail.bucket`);
  const object = objectAt(detail.object, `${where}.detail.object`);
  out.push(entry(
    stringAt(bucket.name, `${where}.detail.bucket.name`),
    stringAt(object.key, `${where}.detail.object.key`),
    typeof detail.reason === "string" ? detail.reason : "Object Created",
    { size: object.size, etag: object.etag, sequencer: object.sequencer },
    `${where}.detail.object`,
  ));
}

function entry(
  bucket: string,
  key: string,
  eventName: string,
  extra: { size: unknown; etag: unknown; sequencer: unknown },
  where: string,
): S3EventObject {
  if (key === "") throw new TypeError(`Invalid S3 event at ${where}.key: the key is empty`);
  const object: S3EventObject = { bucket, key, eventName };
  if (extra.size !== undefined) {
    if (!(Number.isSafeInteger(extra.size) && (extra.size as number) >= 0)) {
      throw new TypeError(
        `Invalid S3 event at ${where}.size: expected a byte count but got ${kind(extra.size)}`,
      );
    }
    object.size = extra.size as number;
  }
  if (typeof extra.etag === "string" && extra.etag !== "") {
    object.etag = extra.etag.replaceAll('"', "");
  }
  if (typeof extra.sequencer === "string" && extra.sequencer !== "") {
    object.sequencer = extra.sequencer;
  }
  return object;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) {
    throw new TypeError(`Invalid S3 event at ${where}: expected an object but got ${kind(value)}`);
  }
  return value;
}

function stringAt(value: unknown, where: string): string {
  if (typeof value !== "string") {
    throw new TypeError(`Invalid S3 event at ${where}: expected a string but got ${kind(value)}`);
  }
  return value;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return preview(value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
