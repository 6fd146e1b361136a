import type { AwsService } from "./options.ts";

/** What an {@linkcode AwsError} is built from. */
export interface AwsErrorInit {
  /** The operation that failed, e.g. `ListObjectsV2` or `GetItem`. */
  operation: string;
  /** The AWS error code, e.g. `SignatureDoesNotMatch`, or `NetworkError` / `InvalidResponse`. */
  code: string;
  /** The HTTP status; `0` when no response arrived. */
  status: number;
  /** The AWS message (never credentials). */
  message?: string;
  /** The request id AWS returned, if any. */
  requestId?: string;
  /**
   * Whether a retry can help.
   * @default {derived from code and status (throttling, 500/502/503/504, network failures)}
   */
  retryable?: boolean;
  /** The underlying error (e.g. the network error). */
  cause?: unknown;
}

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "BandwidthLimitExceeded",
]);

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "NetworkError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const SERVICE_LABELS: Record<AwsService, string> = { s3: "S3", dynamodb: "DynamoDB" };

/**
 * A failed AWS request: the AWS error code, the HTTP status, the request id and whether a
 * retry can help. The message reads like
 * `S3 ListObjectsV2 failed: 403 SignatureDoesNotMatch: <aws message> (request id X)` and never
 * contains credentials.
 *
 * Codes of this package's own: `NetworkError` (status 0: the request failed or the response
 * body was cut off), `InvalidResponse` (a body that is not the expected shape, or XML with a
 * DOCTYPE or entity declaration).
 *
 * @example Inspect a failure
 * ```ts
 * import { AwsError, DynamoDBError } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const error = new DynamoDBError({
 *   operation: "PutItem",
 *   code: "ProvisionedThroughputExceededException",
 *   status: 400,
 *   message: "Rate exceeded",
 *   requestId: "REQ1",
 * });
 * assert.ok(error instanceof AwsError);
 * assert.equal(error.service, "dynamodb");
 * assert.equal(error.retryable, true);
 * assert.equal(error.throttling, true);
 * assert.equal(
 *   error.message,
 *   "DynamoDB PutItem failed: 400 ProvisionedThroughputExceededException: Rate exceeded (request id REQ1)",
 * );
 * ```
 */
export class AwsError extends Error {
  /** The service that answered (or failed to). */
  readonly service: AwsService;
  /** The operation that failed, e.g. `GetItem`. */
  readonly operation: string;
  /** The AWS error code (the text after `#` of a DynamoDB `__type`, or S3's `<Code>`). */
  readonly code: string;
  /** The HTTP status; `0` for network failures. */
  readonly status: number;
  /** The request id, when AWS sent one. */
  readonly requestId: string | undefined;
  /** Whether retrying the same request can succeed. */
  readonly retryable: boolean;
  /** Whether this is a throttling error (a subset of the retryable ones). */
  readonly throttling: boolean;

  /** Builds an error for `service` from its parts. */
  constructor(service: AwsService, init: AwsErrorInit) {
    const throttling = THROTTLING_CODES.has(init.code) || init.status === 429;
    const retryable = init.retryable ??
      (throttling || RETRYABLE_STATUSES.has(init.status) || TRANSIENT_CODES.has(init.code));
    const status = init.status === 0 ? "" : `${init.status} `;
    const detail = init.message ? `: ${init.message}` : "";
    const id = init.requestId ? ` (request id ${init.requestId})` : "";
    super(
      `${SERVICE_LABELS[service]} ${init.operation} failed: ${status}${init.code}${detail}${id}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "AwsError";
    this.service = service;
    this.operation = init.operation;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryable = retryable;
    this.throttling = throttling;
  }
}

/**
 * A failed S3 request (see {@linkcode AwsError}).
 *
 * @example Catch S3 failures
 * ```ts
 * import { AwsError, S3Error } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const error = new S3Error({ operation: "HeadObject", code: "NotFound", status: 404 });
 * assert.ok(error instanceof AwsError);
 * assert.equal(error.retryable, false);
 * assert.equal(error.message, "S3 HeadObject failed: 404 NotFound");
 * ```
 */
export class S3Error extends AwsError {
  /** Builds an S3 error from its parts. */
  constructor(init: AwsErrorInit) {
    super("s3", init);
    this.name = "S3Error";
  }
}

/**
 * A failed DynamoDB request (see {@linkcode AwsError}).
 *
 * @example Catch DynamoDB failures
 * ```ts
 * import { DynamoDBError } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const error = new DynamoDBError({ operation: "GetItem", code: "NetworkError", status: 0 });
 * assert.equal(error.retryable, true);
 * assert.equal(error.message, "DynamoDB GetItem failed: NetworkError");
 * ```
 */
export class DynamoDBError extends AwsError {
  /** Builds a DynamoDB error from its parts. */
  constructor(init: AwsErrorInit) {
    super("dynamodb", init);
    this.name = "DynamoDBError";
  }
}

/** Builds the error class of the service. */
export function awsError(service: AwsService, init: AwsErrorInit): AwsError {
  return service === "s3" ? new S3Error(init) : new DynamoDBError(init);
}

/** A fallback error code for a response whose body names none. */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 429:
      return "TooManyRequestsException";
    case 500:
      return "InternalError";
    case 502:
      return "BadGateway";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "GatewayTimeout";
    default:
      return `Http${status}`;
  }
}
