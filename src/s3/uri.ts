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
 * import { parseS3Uri } from "@snowplow/analytics-sdk/s3";
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

/** One object (or, with a key ending in `/`, one folder) in S3: a bucket and a full key. */
export interface S3ObjectLocation {
  /** The bucket name. */
  bucket: string;
  /** The full key, taken literally (no percent-decoding). */
  key: string;
}

/**
 * Splits an S3 URI naming one object, `s3://bucket/key`, into its bucket and key. Unlike
 * {@linkcode parseS3Uri}, no `/` is added: the key is the rest of the URI, exactly (a key
 * ending in `/` names a folder).
 *
 * @throws {TypeError} When the URI is not an S3 URI, has a bad bucket name, or no key.
 *
 * @example An object and a folder
 * ```ts
 * import { parseS3ObjectUri } from "@snowplow/analytics-sdk/s3";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseS3ObjectUri("s3://my-bucket/enriched/2026-11-20-101500-ab.gz"), {
 *   bucket: "my-bucket",
 *   key: "enriched/2026-11-20-101500-ab.gz",
 * });
 * assert.equal(parseS3ObjectUri("s3://b/archive/run=2017-01-01-00-00-00/").key.endsWith("/"), true);
 * assert.throws(() => parseS3ObjectUri("s3://my-bucket/"), TypeError);
 * ```
 */
export function parseS3ObjectUri(uri: string): S3ObjectLocation {
  const { bucket, prefix } = parseS3Uri(uri);
  const key = uri.endsWith("/") ? prefix : prefix.slice(0, -1);
  if (key === "") throw new TypeError(`Invalid S3 object URI "${uri}": the key is missing`);
  return { bucket, key };
}

/** The location of an object URI or an already split `{ bucket, key }`, checked. */
export function toS3ObjectLocation(location: string | S3ObjectLocation): S3ObjectLocation {
  if (typeof location === "string") return parseS3ObjectUri(location);
  if (
    location === null || typeof location !== "object" || typeof location.key !== "string" ||
    location.key === ""
  ) {
    throw new TypeError(
      "Invalid S3 object location: expected an s3:// URI or an object with string bucket and key",
    );
  }
  const { bucket } = toS3Location({ bucket: location.bucket, prefix: location.key });
  return { bucket, key: location.key };
}
