/** Where objects live in S3: a bucket and a key prefix. */
export interface S3Location {
  /** The bucket name. */
  bucket: string;
  /** The key prefix: `""` for the bucket root, otherwise ending with `/`. */
  prefix: string;
}

const SCHEMES: readonly string[] = ["s3", "s3n", "s3a"];

/**
 * Splits an S3 URI (`s3://`, `s3n://` or `s3a://`) into its bucket and key prefix. The prefix
 * gets a trailing `/` when it is not empty; an empty prefix (`s3://bucket` or `s3://bucket/`)
 * means the bucket root. The rest of the URI is taken literally as a key prefix (no
 * percent-decoding): S3 keys may contain `?`, `#`, `%` and spaces.
 *
 * @throws {TypeError} When the URI has another scheme, no bucket, or a bucket name with
 * characters S3 does not allow.
 *
 * @example Bucket and prefix
 * ```ts
 * import { parseS3Uri } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseS3Uri("s3://my-bucket/storage/enriched-archive"), {
 *   bucket: "my-bucket",
 *   prefix: "storage/enriched-archive/",
 * });
 * assert.deepEqual(parseS3Uri("s3a://my-bucket"), { bucket: "my-bucket", prefix: "" });
 * assert.throws(() => parseS3Uri("https://my-bucket/x"), TypeError);
 * ```
 */
export function parseS3Uri(uri: string): S3Location {
  if (typeof uri !== "string") {
    throw new TypeError(`Invalid S3 URI: expected a string but got ${typeof uri}`);
  }
  const match = /^([A-Za-z0-9]+):\/\/([^/]*)(?:\/([\s\S]*))?$/.exec(uri);
  if (match === null || !SCHEMES.includes(match[1].toLowerCase())) {
    throw new TypeError(
      `Invalid S3 URI "${uri}": expected it to start with s3://, s3n:// or s3a://`,
    );
  }
  const bucket = match[2];
  if (bucket === "") {
    throw new TypeError(`Invalid S3 URI "${uri}": the bucket name is missing`);
  }
  checkBucket(bucket, `Invalid S3 URI "${uri}"`);
  const rest = match[3] ?? "";
  return { bucket, prefix: rest === "" || rest.endsWith("/") ? rest : `${rest}/` };
}

/** A location given either as an S3 URI or as a bucket and prefix. */
export type S3LocationLike = string | S3Location;

/** The location of an S3 URI or an already split location (its prefix taken as is). */
export function toS3Location(location: S3LocationLike): S3Location {
  if (typeof location === "string") return parseS3Uri(location);
  if (
    location === null || typeof location !== "object" || typeof location.bucket !== "string" ||
    typeof location.prefix !== "string"
  ) {
    throw new TypeError(
      "Invalid S3 location: expected an s3:// URI or an object with string bucket and prefix",
    );
  }
  checkBucket(location.bucket, "Invalid S3 location");
  return { bucket: location.bucket, prefix: location.prefix };
}

/**
 * Refuses a bucket name with characters S3 does not allow. The legacy names (upper case,
 * underscores) some regions and S3-compatible stores still have pass; nothing that could change
 * the meaning of a request URL does.
 */
function checkBucket(bucket: string, context: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(bucket)) {
    throw new TypeError(
      `${context}: the bucket name "${bucket}" may only contain letters, digits, ".", "-" and "_"`,
    );
  }
}
