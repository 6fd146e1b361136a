/**
 * A Lambda handler for Snowplow Enrich's Kinesis stream: records are decoded (plain, gzip or
 * zstd), their lines transformed, and handed to your code record by record; the first record
 * that fails is answered as the batch's failure, so Lambda resumes from it.
 *
 * @module
 */

import { EventStream, type EventStreamOptions } from "../stream/event_stream.ts";
import type { BadRow } from "../stream/bad_row.ts";
import { decompressEnrichedRecord, enrichedRecordEncoding } from "./enriched_record.ts";
import type { EnrichedRecordEncoding } from "./enriched_record.ts";
import type { BatchResponse } from "./lambda_types.ts";

/** The `kinesis` part of a record of a Kinesis-triggered Lambda event. */
export interface KinesisData {
  /** `"1.0"`. */
  kinesisSchemaVersion?: string;
  /** The record's partition key. */
  partitionKey: string;
  /** The record's sequence number: the `itemIdentifier` of a partial batch response. */
  sequenceNumber: string;
  /** The record's bytes, base64-encoded. */
  data: string;
  /** When the record reached the stream (seconds since the epoch). */
  approximateArrivalTimestamp?: number;
}

/** One record of a Kinesis-triggered Lambda event. */
export interface KinesisEventRecord {
  /** The record. */
  kinesis: KinesisData;
  /** `"aws:kinesis"`. */
  eventSource?: string;
  /** `shardId-…:sequenceNumber`. */
  eventID?: string;
  /** `"aws:kinesis:record"`. */
  eventName?: string;
  /** `"1.0"`. */
  eventVersion?: string;
  /** The function's role. */
  invokeIdentityArn?: string;
  /** The stream's region. */
  awsRegion?: string;
  /** The stream's ARN. */
  eventSourceARN?: string;
}

/** The event of a Kinesis-triggered Lambda function. */
export interface KinesisEvent {
  /** The records of the batch, in stream order per shard. */
  Records: KinesisEventRecord[];
}

/** One Enrich stream record, decoded: its events and bad rows. */
export interface EnrichedStreamRecord {
  /** The Kinesis sequence number. */
  sequenceNumber: string;
  /** The Kinesis partition key. */
  partitionKey: string;
  /** The stream's ARN, when the event gives it. */
  eventSourceARN?: string;
  /** How the record was stored. */
  encoding: EnrichedRecordEncoding;
  /** The events (flat JSON, `transform`'s result), in line order. */
  events: Record<string, unknown>[];
  /** The lines that are not valid events, with their line number in the record. */
  badRows: BadRow[];
}

/** Options of {@linkcode kinesisHandler}: your callback, and how lines are transformed. */
export interface KinesisHandlerOptions extends Omit<EventStreamOptions, "gzip" | "gunzip"> {
  /**
   * Called once per stream record, in order, with its events and bad rows. When it throws (or
   * rejects), the record is the batch's failure and the records after it are not handed over
   * in this invocation: Lambda delivers them again, starting with this one.
   */
  handleRecord: (record: EnrichedStreamRecord) => unknown;
  /**
   * Told why the failed record failed (a `TypeError` for a record that cannot be decoded, or
   * what `handleRecord` threw), for your logs; the core logs nothing.
   */
  onFailure?: (error: unknown, sequenceNumber: string) => void;
}

/** What {@linkcode kinesisHandler} returns: a Lambda handler for Kinesis events. */
export type KinesisLambdaHandler = (event: KinesisEvent) => Promise<BatchResponse>;

/**
 * A Lambda handler for a function triggered by Snowplow Enrich's Kinesis stream. Each record
 * is base64-decoded and then decoded as {@linkcode decodeEnrichedRecord} does (one plain TSV
 * event, or many events compressed with zstd or gzip, told apart by magic bytes, so a stream
 * in the middle of a switch is read alike); every line becomes an event or a bad row, and
 * `handleRecord` gets them record by record, in order.
 *
 * The answer is a partial batch response: when a record cannot be decoded (cut or corrupt
 * compression, data that is not base64) or `handleRecord` fails for it, that record's
 * sequence number is the one failure reported, and the records after it are left for the next
 * invocation (Lambda resumes the shard from the failed record). Enable
 * `ReportBatchItemFailures` on the event source mapping, and give it a maximum retry count
 * and an on-failure destination so a record that can never be decoded does not block its
 * shard. Delivery is at least once: make `handleRecord` idempotent per sequence number.
 *
 * @throws {TypeError} At once, when `handleRecord` is not a function; the handler itself
 * rejects only for an event that is not a Kinesis event.
 *
 * @example Count events per type, answering the first failed record
 * ```ts
 * import { kinesisHandler } from "@snowplow/analytics-sdk/engines";
 * import assert from "node:assert/strict";
 *
 * const counts = new Map<string, number>();
 * const handler = kinesisHandler({
 *   handleRecord(record) {
 *     for (const event of record.events) {
 *       const type = String(event.event ?? "unknown");
 *       counts.set(type, (counts.get(type) ?? 0) + 1);
 *     }
 *   },
 * });
 * const data = (text: string) => btoa(text);
 * const response = await handler({
 *   Records: [
 *     { kinesis: { partitionKey: "a", sequenceNumber: "1", data: data("not an event") } },
 *     { kinesis: { partitionKey: "b", sequenceNumber: "2", data: "%%%" } },
 *   ],
 * });
 * assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "2" }] });
 * ```
 */
export function kinesisHandler(options: KinesisHandlerOptions): KinesisLambdaHandler {
  if (typeof options?.handleRecord !== "function") {
    throw new TypeError("Invalid option handleRecord for kinesisHandler(): expected a function");
  }
  const { handleRecord, onFailure, ...streamOptions } = options;
  return async (event) => {
    if (!Array.isArray(event?.Records)) {
      throw new TypeError("Invalid Kinesis event: expected an object with a Records array");
    }
    for (const [i, record] of event.Records.entries()) {
      const sequenceNumber = record?.kinesis?.sequenceNumber;
      if (typeof sequenceNumber !== "string") {
        throw new TypeError(
          `Invalid Kinesis event at Records[${i}].kinesis.sequenceNumber: expected a string`,
        );
      }
      try {
        await handleRecord(await decodeRecord(record, i, streamOptions));
      } catch (error) {
        onFailure?.(error, sequenceNumber);
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

async function decodeRecord(
  record: KinesisEventRecord,
  index: number,
  options: Omit<EventStreamOptions, "gzip" | "gunzip">,
): Promise<EnrichedStreamRecord> {
  const { partitionKey, sequenceNumber, data } = record.kinesis;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  } catch {
    throw new TypeError(`Invalid Kinesis event at Records[${index}].kinesis.data: not base64`);
  }
  const plain = await decompressEnrichedRecord(bytes);
  const decoded: EnrichedStreamRecord = {
    sequenceNumber,
    partitionKey,
    encoding: enrichedRecordEncoding(bytes),
    events: [],
    badRows: [],
  };
  if (record.eventSourceARN !== undefined) decoded.eventSourceARN = record.eventSourceARN;
  const results = new EventStream(new Blob([plain as Uint8Array<ArrayBuffer>]).stream(), {
    ...options,
    gzip: false,
  });
  for await (const result of results) {
    if (result.event !== undefined) decoded.events.push(result.event);
    else decoded.badRows.push(result.badRow);
  }
  return decoded;
}
