/**
 * Snowplow Analytics SDK for Deno. {@linkcode transform} turns one Snowplow enriched event (a
 * line of 131 tab-separated fields) into its flat JSON form; {@linkcode parse} gives the typed,
 * lossless {@linkcode EnrichedEvent}, {@linkcode EventStream} and {@linkcode NdjsonStream}
 * whole files (plain or gzip) with bad rows kept, and {@linkcode processRuns},
 * {@linkcode processObjects} and {@linkcode processObject} with {@linkcode RunManifests}
 * process each `run=…` folder or S3 Loader file of an S3 archive exactly once.
 *
 * This module is what a user of those calls. The byte-level writer (`writeEventJson`,
 * `ByteSink`), the AWS transport (`sendAwsRequest`, `dynamoDbCall`, `parseAwsXml`, …) and the
 * S3 listing primitives are in the subpaths `./event`, `./aws`, `./s3`, `./stream`,
 * `./manifest` and `./job`.
 *
 * @example Transform one enriched event
 * ```ts
 * import { transform, TransformError } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop"; // app_id
 * fields[7] = "42"; // txn_id, an int
 * assert.deepEqual(transform(fields.join("\t")), { app_id: "shop", txn_id: 42 });
 *
 * fields[7] = "x";
 * assert.throws(() => transform(fields.join("\t")), TransformError);
 * ```
 *
 * @module
 */

// The transformer
export {
  type AtomicFieldTypes,
  type Contexts,
  ENRICHED_EVENT_FIELDS,
  type EnrichedEvent,
  type EnrichedEventFieldName,
  type FieldDefinition,
  type FieldKind,
  type FlatEvent,
  flatten,
  getContextValues,
  getUnstructValue,
  getValue,
  type IgluSchemaKey,
  type JsonPathSegment,
  parse,
  type ParsingErrorJson,
  pick,
  schemaInventory,
  type SchemaInventoryItem,
  type SelfDescribingColumn,
  type SelfDescribingJson,
  type ShreddedColumns,
  toTsv,
  transform,
  TransformError,
  type TransformErrorCode,
  type TransformIssue,
  type TransformOptions,
  transformToJson,
  type UnstructEvent,
} from "./src/event/mod.ts";

// Streams of events
export {
  type BadRow,
  type BadRowLine,
  type EventLine,
  type EventResult,
  EventStream,
  type EventStreamOptions,
  type GunzipPair,
  JsonStringifyStream,
  type LineTooLongJson,
  NdjsonEncodeStream,
  NdjsonStream,
  StreamReadError,
  type StreamStats,
} from "./src/stream/mod.ts";

// Runs in S3
export {
  listRunIds,
  type ListRunIdsOptions,
  parseS3ObjectUri,
  parseS3Uri,
  readObject,
  type ReadObjectOptions,
  readRun,
  type ReadRunOptions,
  type RunBadRowLine,
  type RunEventLine,
  type RunLine,
  type S3Location,
  type S3LocationLike,
  type S3Object,
  type S3ObjectLocation,
} from "./src/s3/mod.ts";

// The run manifest
export {
  type ClaimOptions,
  type ClaimResult,
  type CreateResult,
  type ManifestEntry,
  RunManifests,
  type RunManifestsOptions,
} from "./src/manifest/mod.ts";

// The job
export {
  type BatchJobOptions,
  type FailedRun,
  type JobOptions,
  LeaseLostError,
  type ObjectHandler,
  type ObjectRecords,
  type ProcessedRun,
  processObject,
  type ProcessObjectOptions,
  processObjects,
  type ProcessObjectsOptions,
  processRuns,
  type ProcessRunsOptions,
  type ProcessRunsReadOptions,
  type ProcessRunsSummary,
  type RunContents,
  type RunHandler,
  type RunOutcome,
  type SkippedRun,
  type UnitContents,
  type UnitHandler,
} from "./src/job/mod.ts";

// AWS options and errors
export {
  type AwsCredentials,
  AwsError,
  type AwsOptions,
  awsOptionsFromEnv,
  type AwsService,
  DynamoDBError,
  type RetryOptions,
  S3Error,
} from "./src/aws/mod.ts";
