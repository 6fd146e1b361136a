import type { AwsOptions } from "../aws/options.ts";
import { invalidResponse, sendAwsRequest } from "../aws/request.ts";
import { parseAwsXml, type XmlNode, type XmlValue } from "../aws/xml.ts";
import type { AwsError } from "../aws/error.ts";
import { type S3LocationLike, toS3Location } from "./uri.ts";
import { bucketUrl, queryString } from "./request_url.ts";

/** An object in an S3 listing. */
export interface S3Object {
  /** The full key (decoded). */
  key: string;
  /** The size in bytes. */
  size: number;
  /** The storage class, e.g. `STANDARD`, `GLACIER` (`STANDARD` when the listing omits it). */
  storageClass: string;
  /** When the object was last written. */
  lastModified: Date;
  /** The entity tag, quotes included (`""` when the listing omits it). */
  etag: string;
}

/** Options of {@linkcode listObjects}. */
export interface ListObjectsOptions extends AwsOptions {
  /**
   * The most keys one ListObjectsV2 page asks for (S3 caps it at 1000).
   * @default {1000}
   */
  pageSize?: number;
}

/** One ListObjectsV2 page, decoded. */
export interface ListPage {
  objects: S3Object[];
  /** The common prefixes (with `delimiter`), decoded. */
  commonPrefixes: string[];
  /** The token of the next page, when the listing is truncated. */
  nextContinuationToken: string | undefined;
}

/** What one ListObjectsV2 request asks for. */
export interface ListPageRequest {
  bucket: string;
  prefix: string;
  delimiter?: string;
  maxKeys?: number;
  continuationToken?: string;
  /** List only keys after this one (S3 ignores it once a continuation token is sent). */
  startAfter?: string;
}

const OPERATION = "ListObjectsV2";

/**
 * Lists every object under an S3 location (`s3://bucket/prefix/` or `{ bucket, prefix }`),
 * page by page with ListObjectsV2, following `NextContinuationToken` while `IsTruncated`. Keys
 * are requested with `encoding-type=url` and decoded, so any key (spaces, `+`, control
 * characters, unicode) comes back exactly. No delimiter: objects in "sub-folders" are listed
 * too. A URI's prefix gets a trailing `/` (see {@linkcode parseS3Uri}); an object location's
 * prefix is used as is.
 *
 * @throws {TypeError} At once, for a malformed S3 URI or location.
 * @throws {S3Error} While iterating, for AWS failures (after retries) and for answers that are
 * not a ListBucketResult, list a key outside the prefix, or do not advance (a continuation token
 * already followed, keys that do not come after the pages before): code `InvalidResponse`.
 *
 * @example List the objects of a run folder
 * ```ts ignore
 * import { awsOptionsFromEnv } from "@snowplow/analytics-sdk";
 * import { listObjects } from "@snowplow/analytics-sdk/s3";
 *
 * const options = awsOptionsFromEnv(Deno.env.toObject(), "s3");
 * for await (const object of listObjects("s3://my-bucket/enriched/run=2017-01-01-00-00-00/", options)) {
 *   console.log(object.key, object.size, object.storageClass);
 * }
 * ```
 */
export function listObjects(
  location: S3LocationLike,
  options: ListObjectsOptions,
): AsyncIterable<S3Object> {
  const { bucket, prefix } = toS3Location(location);
  const maxKeys = checkPositiveInteger(options.pageSize ?? 1000, "pageSize");
  return (async function* () {
    for await (const page of listPages({ bucket, prefix, maxKeys }, options)) {
      yield* page.objects;
    }
  })();
}

/**
 * Every page of a listing, following continuation tokens. A listing that does not advance is
 * refused (`InvalidResponse`) instead of being followed for ever: a continuation token given
 * twice (A→B→A), or a page whose keys and prefixes do not all come after those of the pages
 * before (S3 lists in UTF-8 byte order; directory buckets, `…--x-s3`, do not, so there only a
 * page repeating an entry of the page before counts).
 */
export async function* listPages(
  request: ListPageRequest,
  options: AwsOptions,
): AsyncGenerator<ListPage> {
  const tokens = new Set<string>();
  const ordered = !request.bucket.endsWith("--x-s3");
  let last: Uint8Array | undefined;
  let previous = new Set<string>();
  let continuationToken: string | undefined;
  for (let pages = 1;; pages++) {
    const page = await listPage({ ...request, continuationToken }, options);
    const entries = [...page.objects.map((o) => o.key), ...page.commonPrefixes];
    if (ordered) {
      for (const entry of entries) {
        const bytes = encoder.encode(entry);
        if (last !== undefined && compareBytes(bytes, last) <= 0) {
          throw pageError(
            `page ${pages} lists "${entry}", which does not come after the pages before ` +
              "(the listing does not advance)",
            200,
            undefined,
          );
        }
      }
      for (const entry of entries) {
        const bytes = encoder.encode(entry);
        if (last === undefined || compareBytes(bytes, last) > 0) last = bytes;
      }
    } else {
      const repeated = entries.find((entry) => previous.has(entry));
      if (repeated !== undefined) {
        throw pageError(
          `page ${pages} lists "${repeated}" again (the listing does not advance)`,
          200,
          undefined,
        );
      }
      previous = new Set(entries);
    }
    const next = page.nextContinuationToken;
    if (next !== undefined) {
      if (next === continuationToken) {
        throw pageError("the continuation token did not advance", 200, undefined);
      }
      if (tokens.has(next)) {
        throw pageError(
          `page ${pages} gives a continuation token already followed (a listing cycle)`,
          200,
          undefined,
        );
      }
      tokens.add(next);
    }
    continuationToken = next;
    yield page;
    if (continuationToken === undefined) return;
  }
}

const encoder = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** One ListObjectsV2 request. */
export async function listPage(request: ListPageRequest, options: AwsOptions): Promise<ListPage> {
  const url = bucketUrl(request.bucket, options);
  url.search = queryString({
    "list-type": "2",
    "continuation-token": request.continuationToken,
    delimiter: request.delimiter,
    "encoding-type": "url",
    "max-keys": request.maxKeys === undefined ? undefined : String(request.maxKeys),
    prefix: request.prefix === "" ? undefined : request.prefix,
    "start-after": request.startAfter,
  });
  const response = await sendAwsRequest(
    { service: "s3", operation: OPERATION, method: "GET", url },
    options,
  );
  const page = parseListPage(new TextDecoder().decode(response.body), response);
  checkPageEntries(page, request, response);
  return page;
}

/**
 * Every key and common prefix of a page lies under the prefix asked for; with a delimiter, a
 * common prefix ends at the first delimiter after that prefix and no key has one there.
 */
function checkPageEntries(
  page: ListPage,
  request: ListPageRequest,
  response: { status: number; headers: Headers },
): void {
  const requestId = response.headers.get("x-amz-request-id") ?? undefined;
  const { prefix, delimiter } = request;
  const outside = (what: string, entry: string): AwsError =>
    pageError(`${what} "${entry}" is outside the prefix "${prefix}" asked for`, 200, requestId);
  for (const { key } of page.objects) {
    if (!key.startsWith(prefix)) throw outside("the key", key);
    if (delimiter !== undefined && key.indexOf(delimiter, prefix.length) >= 0) {
      throw pageError(
        `the key "${key}" holds the delimiter "${delimiter}" after the prefix`,
        200,
        requestId,
      );
    }
  }
  for (const common of page.commonPrefixes) {
    if (!common.startsWith(prefix)) throw outside("the common prefix", common);
    const at = delimiter === undefined ? -1 : common.indexOf(delimiter, prefix.length);
    if (delimiter === undefined || at < 0 || at + delimiter.length !== common.length) {
      throw pageError(
        `the common prefix "${common}" does not end at the first delimiter after "${prefix}"`,
        200,
        requestId,
      );
    }
  }
}

/**
 * Parses a ListObjectsV2 answer. Refuses (typed {@linkcode S3Error}, code `InvalidResponse`)
 * XML with a DOCTYPE or entities, malformed XML, anything but a `ListBucketResult`, and values
 * of the wrong shape.
 */
export function parseListPage(
  text: string,
  response: { status: number; headers: Headers },
): ListPage {
  const requestId = response.headers.get("x-amz-request-id") ?? undefined;
  const fail = (why: string): AwsError => pageError(why, response.status, requestId);
  const doc = parseAwsXml(text, {
    operation: OPERATION,
    status: response.status,
    requestId,
    arrays: ["Contents", "CommonPrefixes"],
  });
  const root = doc.ListBucketResult;
  if (root === undefined) throw fail("the body is not a ListBucketResult");
  const result: XmlNode = root === "" ? {} : asNode(root, "ListBucketResult", fail);
  const encoded = optionalText(result, "EncodingType", fail) === "url";
  const decode = (value: string, what: string): string => {
    if (!encoded) return value;
    try {
      return decodeURIComponent(value.replace(/\+/g, " "));
    } catch {
      throw fail(`${what} "${value}" is not valid URL encoding`);
    }
  };

  const truncatedText = optionalText(result, "IsTruncated", fail) ?? "false";
  if (truncatedText !== "true" && truncatedText !== "false") {
    throw fail(`IsTruncated is "${truncatedText}", expected true or false`);
  }
  const token = optionalText(result, "NextContinuationToken", fail);
  if (truncatedText === "true" && (token === undefined || token === "")) {
    throw fail("IsTruncated is true but there is no NextContinuationToken");
  }

  const objects = asList(result.Contents, "Contents", fail).map((entry): S3Object => {
    const node = asNode(entry, "Contents", fail);
    const key = optionalText(node, "Key", fail);
    if (key === undefined || key === "") throw fail("a Contents entry has no Key");
    const sizeText = optionalText(node, "Size", fail) ?? "";
    if (!/^\d+$/.test(sizeText)) {
      throw fail(`the Size "${sizeText}" of a Contents entry is not a number`);
    }
    const storageClass = optionalText(node, "StorageClass", fail);
    return {
      key: decode(key, "the Key"),
      size: Number(sizeText),
      storageClass: storageClass === undefined || storageClass === "" ? "STANDARD" : storageClass,
      lastModified: new Date(optionalText(node, "LastModified", fail) ?? Number.NaN),
      etag: optionalText(node, "ETag", fail) ?? "",
    };
  });
  const commonPrefixes = asList(result.CommonPrefixes, "CommonPrefixes", fail).map((entry) => {
    const prefix = optionalText(asNode(entry, "CommonPrefixes", fail), "Prefix", fail);
    if (prefix === undefined || prefix === "") throw fail("a CommonPrefixes entry has no Prefix");
    return decode(prefix, "the Prefix");
  });
  return {
    objects,
    commonPrefixes,
    nextContinuationToken: truncatedText === "true" ? token : undefined,
  };
}

function pageError(why: string, status: number, requestId: string | undefined): AwsError {
  return invalidResponse("s3", OPERATION, {
    status,
    headers: new Headers(requestId === undefined ? {} : { "x-amz-request-id": requestId }),
  }, why);
}

function asNode(value: XmlValue, name: string, fail: (why: string) => AwsError): XmlNode {
  if (value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw fail(`${name} is not an element`);
  return value;
}

function asList(
  value: XmlValue | undefined,
  name: string,
  fail: (why: string) => AwsError,
): XmlValue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail(`${name} is not a list`);
  return value;
}

function optionalText(
  node: XmlNode,
  name: string,
  fail: (why: string) => AwsError,
): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw fail(`${name} is not a text value`);
  return value;
}

/** A positive integer option, checked. */
export function checkPositiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Invalid option ${name}: expected a positive integer but got ${value}`);
  }
  return value;
}
