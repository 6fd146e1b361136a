import { AwsV4Signer } from "../_deps/aws4fetch.ts";
import { crc32 } from "./crc32.ts";
import { AwsError, awsError, codeForStatus } from "./error.ts";
import { guardResponse, type IdleGuard, idleTimeoutOf, settleWithin } from "./idle.ts";
import {
  type AwsOptions,
  type AwsService,
  headerValueProblem,
  regionOf,
  serviceEndpoint,
} from "./options.ts";
import { redactSecrets, requestSecrets } from "./redact.ts";
import { backoffDelay, retryPolicy, sleep } from "./retry.ts";
import { parseAwsXml, type XmlNode } from "./xml.ts";

/** One AWS HTTP request, before signing. */
export interface AwsRequest {
  /** The service; it is part of the signature and picks the error format. */
  service: AwsService;
  /** The operation named in errors, e.g. `ListObjectsV2`. */
  operation: string;
  /** The HTTP method. */
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** The full URL, query included. */
  url: URL;
  /** Extra headers to send (and sign). */
  headers?: Record<string, string>;
  /** The request body. */
  body?: string | Uint8Array;
}

/** A successful (2xx) AWS response with its whole body read. */
export interface AwsResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The whole body. */
  body: Uint8Array;
}

/**
 * Sends a signed AWS request and reads the whole response body. Throttling, 500/502/503/504,
 * network failures, bodies cut off mid-stream and idle timeouts (no response headers, or no
 * next bytes of the body, within `idleTimeoutMs`: code `RequestTimeout`) are retried as a whole
 * with capped, full-jitter exponential backoff (see {@linkcode RetryOptions}); other failures
 * throw at once. Error messages built from the answer never carry the session token, the
 * `Authorization` header or a signature, even when the server echoes them.
 *
 * @throws {AwsError} ({@linkcode S3Error} or {@linkcode DynamoDBError}) for a non-2xx answer or
 * a network failure, after the retry budget when retryable.
 * @throws The signal's reason when `options.signal` aborts, also while sleeping between attempts.
 *
 * @example Send a signed request to a local server
 * ```ts
 * import { sendAwsRequest } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const fakeFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
 *   seen.push(new Headers(init?.headers).get("authorization")?.split(" ")[0] ?? "");
 *   return Promise.resolve(new Response("hello"));
 * };
 * const response = await sendAwsRequest(
 *   { service: "s3", operation: "GetObject", method: "GET", url: new URL("http://127.0.0.1:1/b/k") },
 *   { credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, fetch: fakeFetch },
 * );
 * assert.equal(new TextDecoder().decode(response.body), "hello");
 * assert.deepEqual(seen, ["AWS4-HMAC-SHA256"]);
 * ```
 */
export async function sendAwsRequest(
  request: AwsRequest,
  options: AwsOptions,
): Promise<AwsResponse> {
  return await withRetries(request, options, async (response) => {
    const body = await readBody(request, response, options.signal, []);
    checkCrc32(request, response, body);
    return { status: response.status, headers: response.headers, body };
  });
}

/**
 * Sends a signed AWS request and returns the `Response` with its body unread, for streaming
 * large objects. The status is checked first: error answers are parsed into an
 * {@linkcode AwsError} and retried like {@linkcode sendAwsRequest} does; once a 2xx response
 * is returned, reading its body is the caller's business (a body cut off then is not retried
 * here). The body is guarded: a read that gets no bytes within `idleTimeoutMs` fails with an
 * {@linkcode AwsError} of code `RequestTimeout` (retryable), and an abort of `signal` fails a
 * pending read at once; both cancel the body.
 *
 * @throws {AwsError} For a non-2xx answer or a network failure, after the retry budget.
 * @throws The signal's reason when `options.signal` aborts.
 *
 * @example Stream a body
 * ```ts
 * import { openAwsRequest } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const response = await openAwsRequest(
 *   { service: "s3", operation: "GetObject", method: "GET", url: new URL("http://127.0.0.1:1/b/k") },
 *   {
 *     credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 *     fetch: () => Promise.resolve(new Response("line 1\nline 2\n")),
 *   },
 * );
 * assert.equal(await response.text(), "line 1\nline 2\n");
 * ```
 */
export async function openAwsRequest(request: AwsRequest, options: AwsOptions): Promise<Response> {
  return await withRetries(request, options, (response) => Promise.resolve(response));
}

/**
 * Calls a DynamoDB operation (JSON 1.0 protocol: POST `/` with
 * `X-Amz-Target: DynamoDB_20120810.<operation>`) and returns the parsed JSON answer. Errors
 * carry the code after `#` in `__type`; retries as in {@linkcode sendAwsRequest}.
 *
 * @throws {DynamoDBError} For error answers, network failures, and answers that are not a
 * JSON object (code `InvalidResponse`).
 *
 * @example Describe a table (a stand-in `fetch` plays DynamoDB here)
 * ```ts
 * import { dynamoDbCall } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const targets: (string | null)[] = [];
 * const out = await dynamoDbCall<{ Table: { TableStatus: string } }>(
 *   "DescribeTable",
 *   { TableName: "snowplow-runs" },
 *   {
 *     region: "eu-west-1",
 *     credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 *     fetch: (input, init) => {
 *       targets.push(new Headers(init?.headers).get("x-amz-target"));
 *       return Promise.resolve(Response.json({ Table: { TableStatus: "ACTIVE" } }));
 *     },
 *   },
 * );
 * assert.equal(out.Table.TableStatus, "ACTIVE");
 * assert.deepEqual(targets, ["DynamoDB_20120810.DescribeTable"]);
 * ```
 */
export async function dynamoDbCall<T>(
  operation: string,
  input: unknown,
  options: AwsOptions,
): Promise<T> {
  const url = serviceEndpoint("dynamodb", options);
  const response = await sendAwsRequest({
    service: "dynamodb",
    operation,
    method: "POST",
    url,
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
    },
    body: JSON.stringify(input),
  }, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(response.body));
  } catch (error) {
    throw invalidResponse("dynamodb", operation, response, "the body is not valid JSON", error);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalidResponse("dynamodb", operation, response, "the body is not a JSON object");
  }
  return parsed as T;
}

/** Builds an `InvalidResponse` error for a 2xx body of the wrong shape. */
export function invalidResponse(
  service: AwsService,
  operation: string,
  response: { status: number; headers: Headers },
  why: string,
  cause?: unknown,
): AwsError {
  return awsError(service, {
    operation,
    code: "InvalidResponse",
    status: response.status,
    message: why,
    requestId: requestIdOf(service, response.headers),
    retryable: false,
    cause,
  });
}

/** DynamoDB sends the CRC-32 of each body: a mismatch means it was damaged on the way. */
function checkCrc32(request: AwsRequest, response: Response, body: Uint8Array): void {
  const header = response.headers.get("x-amz-crc32");
  if (request.service !== "dynamodb" || header === null || !/^\d+$/.test(header)) return;
  if (crc32(body) === Number(header)) return;
  throw awsError(request.service, {
    operation: request.operation,
    code: "CRC32CheckFailed",
    status: response.status,
    message: "the response body does not match its x-amz-crc32 checksum",
    requestId: requestIdOf(request.service, response.headers),
    retryable: true,
  });
}

async function withRetries<T>(
  request: AwsRequest,
  options: AwsOptions,
  onSuccess: (response: Response) => Promise<T>,
): Promise<T> {
  checkCredentials(options);
  const policy = retryPolicy(options.retry);
  const signal = options.signal;
  const idleTimeoutMs = idleTimeoutOf(options.idleTimeoutMs);
  let skewCorrected = false;
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    let error: AwsError;
    let secrets = requestSecrets(options.credentials, undefined);
    try {
      const sent = await attemptOnce(request, options, idleTimeoutMs);
      secrets = sent.secrets;
      const response = sent.response;
      if (response.ok) return await onSuccess(response);
      error = await errorFromResponse(request, response, signal, secrets);
      // A clock too far from AWS's: sign again at once with the server's time (like the AWS
      // SDKs), and remember the offset for later calls with the same options.
      if (!skewCorrected && isClockSkewError(error) && attempt < policy.maxAttempts) {
        const serverTime = Date.parse(response.headers.get("date") ?? "");
        if (Number.isFinite(serverTime)) {
          clockOffsets.set(options, serverTime - localTime(options));
          skewCorrected = true;
          continue;
        }
      }
    } catch (caught) {
      if (signal?.aborted) throw signal.reason;
      if (!(caught instanceof AwsError)) throw caught;
      error = caught;
    }
    if (!error.retryable || attempt >= policy.maxAttempts) throw error;
    await sleep(backoffDelay(policy, attempt), signal);
  }
}

/** Offsets (server time minus local time, ms) learnt from clock-skew errors, per options. */
const clockOffsets = new WeakMap<AwsOptions, number>();

function localTime(options: AwsOptions): number {
  return (options.clock ?? (() => new Date()))().getTime();
}

function isClockSkewError(error: AwsError): boolean {
  switch (error.code) {
    case "RequestTimeTooSkewed":
    case "RequestExpired":
    case "RequestInTheFuture":
      return true;
    case "InvalidSignatureException":
      return /Signature expired|Signature not yet current/i.test(error.message);
    default:
      return false;
  }
}

/**
 * One signed exchange: the response (its body guarded by the idle timeout and the signal) and
 * the secrets the request carried, to redact from what the server answers.
 */
async function attemptOnce(
  request: AwsRequest,
  options: AwsOptions,
  idleTimeoutMs: number,
): Promise<{ response: Response; secrets: string[] }> {
  const { credentials } = options;
  const date = new Date(localTime(options) + (clockOffsets.get(options) ?? 0));
  const body = request.body === undefined
    ? undefined
    : typeof request.body === "string"
    ? request.body
    : new Uint8Array(request.body);
  const signer = new AwsV4Signer({
    method: request.method,
    url: request.url.href,
    headers: request.headers,
    body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: request.service,
    region: regionOf(options),
    datetime: date.toISOString().replace(/[:-]|\.\d{3}/g, ""),
  });
  const signed = await signer.sign();
  const secrets = requestSecrets(credentials, signed.headers.get("authorization"));
  const doFetch = options.fetch ?? globalThis.fetch;
  const guard: IdleGuard = {
    idleTimeoutMs,
    signal: options.signal,
    onIdle: () => timeoutError(request, idleTimeoutMs),
  };
  // This attempt's own controller: aborted by the caller's signal or the idle timeout.
  const attempt = new AbortController();
  // (In a promise, so a fetch that throws at once fails like one that rejects.)
  const fetching = new Promise<Response>((resolve) =>
    resolve(doFetch(signed.url, {
      method: signed.method,
      headers: signed.headers,
      body,
      signal: attempt.signal,
      // A signed request must not follow a redirect: the signature is for this host, and the
      // redirect answer (e.g. S3's TemporaryRedirect) is reported as an error instead.
      redirect: "manual",
    }))
  );
  let response: Response;
  try {
    response = await settleWithin(fetching, guard, (reason) => {
      attempt.abort(reason);
      // A fetch that ignores its signal may still answer: drop that answer's body.
      fetching.then((late) => late.body?.cancel().catch(() => {}), () => {});
    });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (cause instanceof AwsError) throw cause;
    throw networkError(request, 0, "the request failed", cause, undefined, secrets);
  }
  return { response: guardResponse(response, guard), secrets };
}

/** No response headers, or no next bytes of the body, within the idle timeout. */
function timeoutError(request: AwsRequest, idleTimeoutMs: number): AwsError {
  return awsError(request.service, {
    operation: request.operation,
    code: "RequestTimeout",
    status: 0,
    message: `nothing arrived for ${idleTimeoutMs} ms (idle timeout)`,
    retryable: true,
  });
}

async function readBody(
  request: AwsRequest,
  response: Response,
  signal: AbortSignal | undefined,
  secrets: readonly string[],
): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    if (cause instanceof AwsError) throw cause; // the idle timeout
    throw networkError(
      request,
      0,
      `the response body was cut off (HTTP ${response.status})`,
      cause,
      requestIdOf(request.service, response.headers),
      secrets,
    );
  }
}

function networkError(
  request: AwsRequest,
  status: number,
  why: string,
  cause: unknown,
  requestId: string | undefined,
  secrets: readonly string[],
): AwsError {
  const detail = cause instanceof Error && cause.message
    ? `${why} (${redactSecrets(cause.message, secrets)})`
    : why;
  return awsError(request.service, {
    operation: request.operation,
    code: "NetworkError",
    status,
    message: detail,
    requestId,
    retryable: true,
    cause,
  });
}

function requestIdOf(service: AwsService, headers: Headers): string | undefined {
  return (service === "s3"
    ? headers.get("x-amz-request-id")
    : headers.get("x-amzn-requestid") ?? headers.get("x-amz-request-id")) ?? undefined;
}

/**
 * The typed error of an error answer. What the server wrote (code, message, request id) is
 * redacted first: a server may echo the request's token, `Authorization` or signature.
 */
async function errorFromResponse(
  request: AwsRequest,
  response: Response,
  signal: AbortSignal | undefined,
  secrets: readonly string[],
): Promise<AwsError> {
  const { service, operation } = request;
  const status = response.status;
  const clean = (text: string | undefined): string | undefined =>
    text === undefined ? undefined : redactSecrets(text, secrets);
  const headerId = clean(requestIdOf(service, response.headers));
  const body = request.method === "HEAD"
    ? new Uint8Array()
    : await readBody(request, response, signal, secrets);
  if (request.method === "HEAD") await response.body?.cancel().catch(() => {});
  const text = new TextDecoder().decode(body);
  let code: string | undefined;
  let message: string | undefined;
  let requestId = headerId;
  if (service === "dynamodb") {
    const parsed = parseJsonError(text);
    code = clean(parsed.code ?? headerErrorType(response.headers));
    message = clean(parsed.message);
  } else if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    // A hostile error body is refused, never parsed; a retryable status still retries.
    return awsError(service, {
      operation,
      code: "InvalidResponse",
      status,
      message: "refused an XML error body with a DOCTYPE or entity declaration",
      requestId: headerId,
      retryable: status === 429 || [500, 502, 503, 504].includes(status),
    });
  } else if (text.trim() !== "") {
    let doc: XmlNode | undefined;
    try {
      doc = parseAwsXml(text, { operation, status, requestId: headerId });
    } catch {
      doc = undefined; // not XML (e.g. an HTML page from a proxy): fall back to the status
    }
    const node = doc?.Error;
    if (node !== undefined && typeof node === "object" && !Array.isArray(node)) {
      code = typeof node.Code === "string" && node.Code !== "" ? clean(node.Code) : undefined;
      message = typeof node.Message === "string" ? clean(node.Message) : undefined;
      if (typeof node.RequestId === "string" && node.RequestId !== "") {
        requestId = clean(node.RequestId);
      }
    }
  }
  if (code === undefined) {
    return awsError(service, {
      operation,
      code: codeForStatus(status),
      status,
      message: text.trim() === "" ? undefined : "the error body is not an AWS error document",
      requestId,
    });
  }
  return awsError(service, {
    operation,
    code,
    status,
    message: message === "" ? undefined : message,
    requestId,
  });
}

function parseJsonError(text: string): { code?: string; message?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  const record = parsed as Record<string, unknown>;
  const type = record.__type;
  const code = typeof type === "string" && type !== ""
    ? type.slice(type.lastIndexOf("#") + 1)
    : undefined;
  const raw = record.message ?? record.Message;
  return {
    code: code === "" ? undefined : code,
    message: typeof raw === "string" ? raw : undefined,
  };
}

function headerErrorType(headers: Headers): string | undefined {
  const value = headers.get("x-amzn-errortype");
  if (!value) return undefined;
  const code = value.split(":")[0];
  return code === "" ? undefined : code;
}

function checkCredentials(options: AwsOptions): void {
  const credentials = options?.credentials;
  for (const name of ["accessKeyId", "secretAccessKey"] as const) {
    if (typeof credentials?.[name] !== "string" || credentials[name] === "") {
      throw new TypeError(`Invalid AWS options: credentials.${name} must be a non-empty string`);
    }
  }
  const token = credentials.sessionToken;
  if (token !== undefined && typeof token !== "string") {
    throw new TypeError("Invalid AWS options: credentials.sessionToken must be a string");
  }
  // Both are sent in headers (the key id inside Authorization); the secret only signs.
  for (const name of ["accessKeyId", "sessionToken"] as const) {
    const problem = headerValueProblem(credentials[name]);
    if (problem !== undefined) {
      throw new TypeError(`Invalid AWS options: credentials.${name} ${problem}`);
    }
  }
}
