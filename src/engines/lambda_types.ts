/**
 * Shapes shared by the AWS Lambda handlers: the partial batch response.
 *
 * @module
 */

/** One failed item of a partial batch response. */
export interface BatchItemFailure {
  /** The SQS message id, or the Kinesis sequence number. */
  itemIdentifier: string;
}

/**
 * A Lambda partial batch response: the items to deliver again (SQS) or to resume from
 * (Kinesis). Needs `ReportBatchItemFailures` in the event source mapping's
 * `FunctionResponseTypes`.
 */
export interface BatchResponse {
  /** The failed items; empty when the whole batch succeeded. */
  batchItemFailures: BatchItemFailure[];
}
