/**
 * The URLs of S3 requests (path-style bucket and object URLs, RFC 3986 encoding, query strings);
 * `uri.ts` is the other side: the `s3://bucket/key` URIs users write.
 *
 * @module
 */

import { type AwsOptions, serviceEndpoint } from "../aws/options.ts";

/**
 * RFC 3986 percent-encoding, as SigV4 and S3 want it: only `A-Z a-z 0-9 - _ . ~` stay as
 * they are.
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The URL of a bucket, ending with `/`.
 *
 * - A custom `endpoint` (local servers, S3-compatible stores) uses path-style addressing:
 *   `<endpoint>/<bucket>/`.
 * - AWS itself uses virtual-hosted addressing, `https://<bucket>.s3.<region>.amazonaws.com/`,
 *   the style AWS recommends, except for bucket names that are not valid host labels (dots,
 *   which break TLS wildcard certificates, upper case, underscores): those use path-style
 *   `https://s3.<region>.amazonaws.com/<bucket>/`, like the AWS SDKs do.
 */
export function bucketUrl(bucket: string, options: Pick<AwsOptions, "region" | "endpoint">): URL {
  const base = serviceEndpoint("s3", options);
  if (options.endpoint === undefined && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
    base.hostname = `${bucket}.${base.hostname}`;
    return base;
  }
  const path = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  base.pathname = `${path}${encodeRfc3986(bucket)}/`;
  return base;
}

/**
 * The URL of an object (each key segment percent-encoded, `/` kept).
 *
 * @throws {TypeError} For a key with a `.` or `..` segment: URLs normalise those away, so the
 * request would address another object.
 */
export function objectUrl(
  bucket: string,
  key: string,
  options: Pick<AwsOptions, "region" | "endpoint">,
): URL {
  const segments = key.split("/");
  if (segments.some((segment) => segment === "." || segment === "..")) {
    throw new TypeError(
      `Cannot address the S3 key "${key}": a "." or ".." segment cannot be kept in a URL`,
    );
  }
  const url = bucketUrl(bucket, options);
  url.pathname += segments.map(encodeRfc3986).join("/");
  return url;
}

/** A query string from name/value pairs, RFC 3986 encoded (a space is `%20`, never `+`). */
export function queryString(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
    .join("&");
}
