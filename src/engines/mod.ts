/**
 * Fan-out on the engines users already run: S3 event notifications on AWS Lambda (directly,
 * through SQS or SNS, or from EventBridge), Step Functions Distributed Map, Cloudflare Queues,
 * and Snowplow Enrich's stream records (plain, gzip or zstd) in a Kinesis-triggered Lambda.
 * Typed event shapes, web-standard APIs only, no AWS SDK.
 *
 * @module
 */

export {
  type S3Event,
  type S3EventBridgeEvent,
  type S3EventObject,
  type S3Notification,
  type S3NotificationEntity,
  type S3NotificationRecord,
  s3ObjectsFromEvent,
  type S3TestEvent,
  type SnsNotification,
  type SqsEvent,
  type SqsRecord,
} from "./s3_event.ts";
export {
  decodeEnrichedRecord,
  decompressEnrichedRecord,
  type EnrichedRecordEncoding,
  enrichedRecordEncoding,
} from "./enriched_record.ts";
export type { BatchItemFailure, BatchResponse } from "./lambda_types.ts";
export {
  type EnrichedStreamRecord,
  type KinesisData,
  type KinesisEvent,
  type KinesisEventRecord,
  kinesisHandler,
  type KinesisHandlerOptions,
  type KinesisLambdaHandler,
} from "./kinesis.ts";
export {
  type ObjectBatchOptions,
  ObjectHeldError,
  type ObjectOutcome,
  type ObjectRef,
} from "./object_batch.ts";
export {
  lambdaHandler,
  type LambdaHandlerOptions,
  type ObjectLambdaEvent,
  type ObjectLambdaHandler,
} from "./lambda.ts";
export {
  type DistributedMapBatch,
  distributedMapHandler,
  type DistributedMapHandlerOptions,
  type DistributedMapItem,
  type DistributedMapLambdaHandler,
  type DistributedMapResult,
} from "./distributed_map.ts";
export {
  type ObjectMessage,
  objectsFromMessage,
  type QueueBatch,
  queueConsumer,
  type QueueConsumerOptions,
  type QueueHandler,
  type QueueMessage,
  type R2EventNotification,
} from "./queue_consumer.ts";
