/** The AWS services this package talks to. */
export type AwsService = "s3" | "dynamodb";

/** Static AWS credentials (an access key, optionally with a session token). */
export interface AwsCredentials {
  /** The access key id, e.g. `AKIA…` or `ASIA…`. */
  accessKeyId: string;
  /** The secret access key. Never appears in an error message. */
  secretAccessKey: string;
  /** The session token of temporary credentials. */
  sessionToken?: string;
}

/** How failed requests are retried (capped, full-jitter exponential backoff). */
export interface RetryOptions {
  /**
   * The most attempts made for one request, the first one included. `1` disables retries.
   * @default {5}
   */
  maxAttempts?: number;
  /**
   * The backoff before retry n is a random delay in `[0, min(maxDelayMs, baseDelayMs * 2^(n-1)))`.
   * @default {100}
   */
  baseDelayMs?: number;
  /**
   * The cap on one backoff delay, in milliseconds.
   * @default {5000}
   */
  maxDelayMs?: number;
  /**
   * The random source for the jitter, returning a number in `[0, 1)`. A test hook.
   * @default {Math.random}
   */
  random?: () => number;
}

/** Region, credentials, endpoint and capabilities for signed AWS requests. */
export interface AwsOptions {
  /**
   * The AWS region; it is part of the signature.
   * @default {"us-east-1"}
   */
  region?: string;
  /** The credentials the requests are signed with. */
  credentials: AwsCredentials;
  /**
   * A custom endpoint (a local server or an S3-compatible store), e.g. `http://127.0.0.1:4567`.
   * S3 then uses path-style addressing.
   * @default {the AWS endpoint of the service in the region}
   */
  endpoint?: string;
  /**
   * The `fetch` used for every request.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /** Aborts requests and backoff sleeps at once; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The retry policy. */
  retry?: RetryOptions;
  /**
   * How long a request may wait for its response headers, or for the next bytes of its body,
   * in milliseconds. A request that waits longer is aborted and retried as a retryable
   * `RequestTimeout` (status 0), then fails. `Infinity` waits for ever.
   * @default {60000}
   */
  idleTimeoutMs?: number;
  /**
   * The clock used for the signature date (`X-Amz-Date`). A test hook for known-answer tests.
   * @default {() => new Date()}
   */
  clock?: () => Date;
}

/**
 * Builds {@linkcode AwsOptions} from an environment object with the standard AWS variable
 * names: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`
 * (else `AWS_DEFAULT_REGION`, else `us-east-1`), and `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL_DYNAMODB` (for the given service) before `AWS_ENDPOINT_URL`.
 * Empty values count as missing. The caller passes the environment (e.g.
 * `Deno.env.toObject()`); this function never reads it itself.
 *
 * @throws {TypeError} When `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` is missing, or
 * `AWS_ACCESS_KEY_ID` or `AWS_SESSION_TOKEN` holds what cannot be sent in an HTTP header (a line
 * break, NUL or other control character, a character above U+00FF, or white space at either
 * end). The message names the variable, never a value.
 *
 * @example Options from an environment object
 * ```ts
 * import { awsOptionsFromEnv } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const options = awsOptionsFromEnv({
 *   AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
 *   AWS_SECRET_ACCESS_KEY: "secret",
 *   AWS_DEFAULT_REGION: "eu-west-1",
 *   AWS_ENDPOINT_URL: "http://127.0.0.1:9000",
 *   AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
 * }, "dynamodb");
 * assert.equal(options.region, "eu-west-1");
 * assert.equal(options.endpoint, "http://127.0.0.1:8000");
 * assert.equal(options.credentials.accessKeyId, "AKIDEXAMPLE");
 * assert.throws(() => awsOptionsFromEnv({}), TypeError);
 * ```
 */
export function awsOptionsFromEnv(
  env: Record<string, string | undefined>,
  service?: AwsService,
): AwsOptions {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  const required = (name: string): string => {
    const value = get(name);
    if (value === undefined) {
      throw new TypeError(`Cannot build AWS options: the environment variable ${name} is not set`);
    }
    return value;
  };
  const sendable = (name: string, value: string | undefined): string | undefined => {
    const problem = headerValueProblem(value);
    if (problem !== undefined) {
      throw new TypeError(`Invalid AWS credentials: the environment variable ${name} ${problem}`);
    }
    return value;
  };
  const accessKeyId = sendable("AWS_ACCESS_KEY_ID", required("AWS_ACCESS_KEY_ID"))!;
  const secretAccessKey = required("AWS_SECRET_ACCESS_KEY"); // only signs: never sent
  const sessionToken = sendable("AWS_SESSION_TOKEN", get("AWS_SESSION_TOKEN"));
  const credentials: AwsCredentials = sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
  const region = get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ?? "us-east-1";
  const specific = service === "s3"
    ? get("AWS_ENDPOINT_URL_S3")
    : service === "dynamodb"
    ? get("AWS_ENDPOINT_URL_DYNAMODB")
    : undefined;
  const endpoint = specific ?? get("AWS_ENDPOINT_URL");
  return endpoint === undefined ? { region, credentials } : { region, credentials, endpoint };
}

/**
 * The base URL requests to a service go to: the custom `endpoint` when there is one, else the
 * AWS endpoint of the service in the region (`https://dynamodb.<region>.amazonaws.com/`,
 * `https://s3.<region>.amazonaws.com/`; `.amazonaws.com.cn` in China regions).
 *
 * @throws {TypeError} When `endpoint` is not an absolute http(s) URL.
 * @throws {RangeError} When `region` is empty or not a region name.
 *
 * @example Default and custom endpoints
 * ```ts
 * import { serviceEndpoint } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   serviceEndpoint("dynamodb", { region: "eu-west-1" }).href,
 *   "https://dynamodb.eu-west-1.amazonaws.com/",
 * );
 * assert.equal(serviceEndpoint("s3", {}).href, "https://s3.us-east-1.amazonaws.com/");
 * assert.equal(
 *   serviceEndpoint("s3", { endpoint: "http://127.0.0.1:9000" }).href,
 *   "http://127.0.0.1:9000/",
 * );
 * ```
 */
export function serviceEndpoint(
  service: AwsService,
  options: Pick<AwsOptions, "region" | "endpoint">,
): URL {
  if (options.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new TypeError(
        `Invalid AWS endpoint: expected an absolute http(s) URL but got "${options.endpoint}"`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(
        `Invalid AWS endpoint: expected an http: or https: URL but got "${url.protocol}"`,
      );
    }
    return url;
  }
  const region = regionOf(options);
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return new URL(`https://${service}.${region}.${suffix}/`);
}

/** The region of the options, checked. */
export function regionOf(options: Pick<AwsOptions, "region">): string {
  const region = options.region ?? "us-east-1";
  if (!/^[a-z0-9-]+$/.test(region)) {
    throw new RangeError(
      `Invalid AWS region: expected a region name like "us-east-1" but got "${region}"`,
    );
  }
  return region;
}

/**
 * Why a credential value cannot be sent in (or signed into) an HTTP header, or `undefined` when
 * it can. Never quotes the value.
 */
export function headerValueProblem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    return "holds a line break, NUL or other control character, which cannot be sent in an HTTP header";
  }
  if ([...value].some((c) => c.charCodeAt(0) > 0xff)) {
    return "holds a character above U+00FF, which cannot be sent in an HTTP header";
  }
  if (/^\s|\s$/.test(value)) {
    return "starts or ends with white space, which an HTTP header drops (breaking the signature)";
  }
  return undefined;
}
