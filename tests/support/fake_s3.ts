/**
 * A local S3 endpoint of the project's own (test code only), for what s3rver cannot do:
 * ListObjectsV2 where common prefixes count toward `max-keys`, continuation tokens, a storage
 * class per object, `encoding-type=url`, and SigV4 verification (403 `SignatureDoesNotMatch`
 * for a wrong secret). Path-style addressing only: `http://127.0.0.1:PORT/<bucket>/<key>`.
 *
 * ```ts
 * await using s3 = await FakeS3.start();                  // 127.0.0.1, free port
 * s3.put({ bucket: "b", key: "run=2017-01-01-00-00-00/part-0", storageClass: "GLACIER" }, "…");
 * const options = { endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials };
 * // … s3.requests lists what reached it; `await s3.close()` when not using `await using`.
 * ```
 *
 * Operations: ListObjectsV2 (`GET /<bucket>?list-type=2`: prefix, delimiter, max-keys,
 * continuation-token, start-after, encoding-type), GetObject (a single `Range`, `If-Match`),
 * HeadObject, PutObject (`x-amz-storage-class`), DeleteObject, CreateBucket (`PUT /<bucket>`).
 * GetObject of a GLACIER or DEEP_ARCHIVE object answers 403 `InvalidObjectState`, like S3.
 * With a `faults` plan, requests go through the faulty server of `faulty_server.ts` first
 * (`s3Fault(503, "SlowDown")`, `"reset"`, `"cut"`, `"short"`, `"hang"`, `"stall"`, raw bodies);
 * signatures still verify, against the host the client signed (the proxy's). Helpers build
 * the answers of a misbehaving S3: {@linkcode misplacedRange} (a 206 from the wrong offset),
 * {@linkcode cyclicListing} (continuation tokens A→B→A), {@linkcode listingPage} (any page) and
 * {@linkcode echoingError} (an error quoting the request's credentials).
 */
import { createHash } from "node:crypto";
import type { AwsOptions } from "../../src/aws/options.ts";
import {
  type Fault,
  type FaultPlan,
  type FaultyServer,
  s3Fault,
  startFaultyServer,
} from "./faulty_server.ts";
import { type SigV4Key, verifySigV4 } from "./s3_signature.ts";

export { type Fault, type FaultPlan, s3Fault } from "./faulty_server.ts";

/** A fault by name, for {@linkcode faultCycle}; `"ok"` injects none. */
export type FaultName =
  | "ok"
  | "SlowDown"
  | "InternalError"
  | "ServiceUnavailable"
  | "reset"
  | "cut"
  | "short"
  | "hang"
  | "stall";

/**
 * A fault plan that repeats a pattern: request `i` gets `names[i % names.length]`
 * (`SlowDown` = 503, `InternalError` = 500, `ServiceUnavailable` = 503, as S3 XML errors).
 */
export function faultCycle(names: readonly FaultName[]): FaultPlan {
  return (i) => {
    const name = names[i % names.length];
    switch (name) {
      case "ok":
        return undefined;
      case "SlowDown":
        return s3Fault(503, "SlowDown", "Please reduce your request rate.");
      case "InternalError":
        return s3Fault(500, "InternalError", "We encountered an internal error. Please try again.");
      case "ServiceUnavailable":
        return s3Fault(503, "ServiceUnavailable", "Service Unavailable");
      default:
        return name;
    }
  };
}

/**
 * A fault plan that fails each distinct request (method and URL) on its first `attempts`
 * attempts, with the faults of `names` taken in turn, and lets later attempts through: any
 * client with a larger retry budget succeeds, however its requests interleave.
 */
export function faultFirstAttempts(names: readonly FaultName[], attempts: number): FaultPlan {
  const cycle = faultCycle(names);
  const seen = new Map<string, number>();
  let turn = 0;
  return (_i, request) => {
    const id = `${request.method} ${request.url}`;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n < attempts ? cycle(turn++, request) : undefined;
  };
}

/**
 * A 206 answer to a `Range: bytes=N-` request that starts at byte `from` instead (with a
 * Content-Range saying so), as a broken proxy or cache might send.
 */
export function misplacedRange(object: FakeS3Object, from: number): Fault {
  const last = object.body.length - 1;
  return {
    status: 206,
    body: object.body.slice(from),
    headers: {
      "content-range": `bytes ${from}-${last}/${object.body.length}`,
      etag: object.etag,
      "content-type": "application/octet-stream",
    },
  };
}

/** A ListBucketResult page with these keys (size 1 each), common prefixes and next token. */
export function listingPage(
  page: { keys?: string[]; prefixes?: string[]; next?: string; prefix?: string },
): Fault {
  const contents = (page.keys ?? []).map((key) =>
    `<Contents>${element("Key", key)}${element("Size", 1)}${element("ETag", '"e"')}</Contents>`
  ).join("");
  const prefixes = (page.prefixes ?? []).map((p) =>
    `<CommonPrefixes>${element("Prefix", p)}</CommonPrefixes>`
  ).join("");
  const truncated = page.next === undefined
    ? element("IsTruncated", false)
    : element("IsTruncated", true) + element("NextContinuationToken", page.next);
  return {
    status: 200,
    body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>${
      element("Prefix", page.prefix ?? "")
    }${truncated}${contents}${prefixes}</ListBucketResult>`,
    headers: { "content-type": "application/xml" },
  };
}

/**
 * A listing whose continuation tokens go round in a cycle: the first page leads to token `A`,
 * `A` to `B`, and `B` back to `A`, each page with a new key (or, with `delimiter`, a new
 * common prefix) under `prefix`. Other requests pass.
 */
export function cyclicListing(prefix: string, delimiter = false): FaultPlan {
  let n = 0;
  return (_i, request) => {
    const url = new URL(request.url);
    if (url.searchParams.get("list-type") !== "2") return undefined;
    const token = url.searchParams.get("continuation-token");
    const next = token === "A" ? "B" : "A";
    const name = `${prefix}run=2017-01-01-00-00-${String(n++ % 60).padStart(2, "0")}`;
    return listingPage(
      delimiter ? { prefixes: [`${name}/`], next, prefix } : { keys: [name], next, prefix },
    );
  };
}

/**
 * An S3 error answer whose message quotes the request's Authorization header, its signature
 * and its session token, as a careless proxy might.
 */
export function echoingError(request: Request, status = 403): Fault {
  const authorization = request.headers.get("authorization") ?? "";
  const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? "";
  const token = request.headers.get("x-amz-security-token") ?? "";
  return s3Fault(
    status,
    "AccessDenied",
    xmlEscape(
      `Denied: ${authorization} (signature ${signature}; token ${token}; ` +
        `X-Amz-Security-Token=${encodeURIComponent(token)})`,
    ),
  );
}

/** Options of {@linkcode FakeS3.start}. */
export interface FakeS3Options {
  /**
   * The access keys it accepts; the first is {@linkcode FakeS3.credentials}.
   * @default {[{ accessKeyId: "AKIDFAKES3", secretAccessKey: "fake-s3-secret" }]}
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }[];
  /** @default {"us-east-1"} */
  region?: string;
  /**
   * Check SigV4 signatures (an unsigned or wrongly signed request gets a 403).
   * @default {true}
   */
  verifySignatures?: boolean;
  /**
   * The most entries (keys plus common prefixes) a listing page holds, like S3's 1000.
   * @default {1000}
   */
  maxKeysLimit?: number;
  /** Buckets that exist from the start (`put` creates buckets too). */
  buckets?: string[];
  /** Faults injected per request (by a faulty server in front of this one). */
  faults?: FaultPlan | Fault[];
}

/** A stored object. */
export interface FakeS3Object {
  key: string;
  body: Uint8Array;
  storageClass: string;
  lastModified: Date;
  etag: string;
}

/** A request that reached the server (after the fault proxy, if any). */
export interface FakeS3Request {
  method: string;
  operation: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  /** The response status. */
  status: number;
}

/** Where {@linkcode FakeS3.put} stores an object, and how. */
export interface FakeS3PutTarget {
  bucket: string;
  key: string;
  /** @default {"STANDARD"} */
  storageClass?: string;
  /** @default {new Date()} */
  lastModified?: Date;
}

interface StoredObject extends FakeS3Object {
  sortKey: Uint8Array;
}

interface Bucket {
  objects: Map<string, StoredObject>;
  sorted: StoredObject[] | undefined;
}

const encoder = new TextEncoder();
const ARCHIVED = new Set(["GLACIER", "DEEP_ARCHIVE"]);
const STORAGE_CLASSES = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE",
]);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

/** S3's `encoding-type=url` encoding (form style: a space becomes `+`; `/` stays). */
export function s3UrlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/%20/g, "+")
    .replace(/%2F/g, "/")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function element(name: string, value: string | number | boolean): string {
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** The S3 operation a path-style request is, by method, path and query. */
export function s3Operation(method: string, url: URL): string {
  const path = url.pathname.slice(1);
  const slash = path.indexOf("/");
  const hasKey = slash >= 0 && slash < path.length - 1;
  if (!hasKey) {
    if (method === "GET") {
      return url.searchParams.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    }
    if (method === "PUT") return "CreateBucket";
    return `${method}Bucket`;
  }
  switch (method) {
    case "GET":
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      return "PutObject";
    case "DELETE":
      return "DeleteObject";
    default:
      return `${method}Object`;
  }
}

class S3Failure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The local S3 endpoint; see the module documentation. */
export class FakeS3 {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #proxy: FaultyServer | undefined;
  readonly #buckets = new Map<string, Bucket>();
  readonly #keys: Map<string, SigV4Key>;
  readonly #verify: boolean;
  readonly #maxKeysLimit: number;
  #requestId = 0;
  /** The region signatures must be made for. */
  readonly region: string;
  /** The first accepted access key. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Every request that reached the server, in order. */
  readonly requests: FakeS3Request[] = [];

  private constructor(options: FakeS3Options) {
    const credentials = options.credentials ??
      [{ accessKeyId: "AKIDFAKES3", secretAccessKey: "fake-s3-secret" }];
    this.credentials = { ...credentials[0] };
    this.#keys = new Map(credentials.map((c) => [c.accessKeyId, c]));
    this.region = options.region ?? "us-east-1";
    this.#verify = options.verifySignatures ?? true;
    this.#maxKeysLimit = options.maxKeysLimit ?? 1000;
    for (const name of options.buckets ?? []) this.createBucket(name);
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.#proxy = options.faults === undefined ? undefined : startFaultyServer({
      upstream: `http://127.0.0.1:${this.#server.addr.port}`,
      faults: options.faults,
    });
  }

  /** Starts a server on 127.0.0.1 (free port). */
  static start(options: FakeS3Options = {}): Promise<FakeS3> {
    return Promise.resolve(new FakeS3(options));
  }

  /** The endpoint to pass as `endpoint` (the fault proxy's when there is one). */
  get endpoint(): string {
    return this.#proxy?.endpoint ?? `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /**
   * AWS options for this endpoint (its region and first access key), with fast retries for
   * tests (`baseDelayMs: 1`, `maxDelayMs: 5`); `extra` overrides any of them.
   */
  awsOptions<T extends object = Record<never, never>>(
    extra: T & Partial<AwsOptions> = {} as T,
  ): AwsOptions & NoInfer<T> {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { ...this.credentials },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      ...extra,
    };
  }

  /** How many requests arrived (at the faulty server when there is one), faulty or not. */
  get attemptCount(): number {
    return this.#proxy?.requests.length ?? this.requests.length;
  }

  /** Creates an empty bucket (no-op when it exists). */
  createBucket(name: string): void {
    if (!this.#buckets.has(name)) {
      this.#buckets.set(name, { objects: new Map(), sorted: undefined });
    }
  }

  /** Stores an object (creating the bucket). */
  put(target: FakeS3PutTarget, body: string | Uint8Array = ""): FakeS3Object {
    const { bucket, key } = target;
    this.createBucket(bucket);
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const stored: StoredObject = {
      key,
      body: bytes,
      storageClass: target.storageClass ?? "STANDARD",
      lastModified: target.lastModified ?? new Date(),
      etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
      sortKey: encoder.encode(key),
    };
    const b = this.#buckets.get(bucket)!;
    b.objects.set(key, stored);
    b.sorted = undefined;
    return stored;
  }

  /** A stored object, if any. */
  get(bucket: string, key: string): FakeS3Object | undefined {
    return this.#buckets.get(bucket)?.objects.get(key);
  }

  /** The keys of a bucket in listing (UTF-8 byte) order. */
  keys(bucket: string): string[] {
    const b = this.#buckets.get(bucket);
    return b === undefined ? [] : this.#sorted(b).map((o) => o.key);
  }

  /** Stops the server (and the fault proxy). */
  async close(): Promise<void> {
    await this.#proxy?.close();
    await this.#server.shutdown();
  }

  /** `await using s3 = await FakeS3.start()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #sorted(bucket: Bucket): StoredObject[] {
    bucket.sorted ??= [...bucket.objects.values()].sort((a, b) =>
      compareBytes(a.sortKey, b.sortKey)
    );
    return bucket.sorted;
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const operation = s3Operation(request.method, url);
    const path = url.pathname.slice(1);
    const slash = path.indexOf("/");
    const bucketName = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? "" : decodeURIComponent(path.slice(slash + 1));
    const requestId = `FAKES3${(++this.#requestId).toString().padStart(8, "0")}`;
    const body = new Uint8Array(await request.arrayBuffer());
    let response: Response;
    try {
      if (this.#verify) {
        const verdict = await verifySigV4(request, body, {
          keys: this.#keys,
          region: this.region,
          service: "s3",
          host: new URL(this.endpoint).host,
          now: Date.now(),
        });
        if (!verdict.ok) throw new S3Failure(verdict.status, verdict.code, verdict.message);
      }
      response = this.#dispatch(operation, request, url, bucketName, key, body);
    } catch (error) {
      if (!(error instanceof S3Failure)) throw error;
      const resource = `/${bucketName}${key === "" ? "" : `/${key}`}`;
      response = new Response(
        request.method === "HEAD" ? null : [
          '<?xml version="1.0" encoding="UTF-8"?>',
          `<Error>${element("Code", error.code)}${element("Message", error.message)}${
            element("Resource", resource)
          }${element("RequestId", requestId)}</Error>`,
        ].join("\n"),
        { status: error.status, headers: { "content-type": "application/xml" } },
      );
    }
    response.headers.set("x-amz-request-id", requestId);
    this.requests.push({
      method: request.method,
      operation,
      bucket: bucketName,
      key,
      query: url.searchParams,
      status: response.status,
    });
    return response;
  }

  #bucket(name: string): Bucket {
    const bucket = this.#buckets.get(name);
    if (bucket === undefined) {
      throw new S3Failure(404, "NoSuchBucket", "The specified bucket does not exist");
    }
    return bucket;
  }

  #object(bucketName: string, key: string): StoredObject {
    const object = this.#bucket(bucketName).objects.get(key);
    if (object === undefined) {
      throw new S3Failure(404, "NoSuchKey", "The specified key does not exist.");
    }
    return object;
  }

  #dispatch(
    operation: string,
    request: Request,
    url: URL,
    bucketName: string,
    key: string,
    body: Uint8Array,
  ): Response {
    switch (operation) {
      case "ListObjectsV2":
        return this.#list(bucketName, url.searchParams);
      case "CreateBucket":
        this.createBucket(bucketName);
        return new Response(null, { status: 200 });
      case "PutObject": {
        this.#bucket(bucketName);
        const storageClass = request.headers.get("x-amz-storage-class") ?? "STANDARD";
        if (!STORAGE_CLASSES.has(storageClass)) {
          throw new S3Failure(
            400,
            "InvalidStorageClass",
            "The storage class you specified is not valid",
          );
        }
        const stored = this.put({ bucket: bucketName, key, storageClass }, body);
        return new Response(null, { status: 200, headers: { etag: stored.etag } });
      }
      case "DeleteObject":
        this.#bucket(bucketName).objects.delete(key);
        this.#bucket(bucketName).sorted = undefined;
        return new Response(null, { status: 204 });
      case "HeadObject":
      case "GetObject":
        return this.#get(operation, request, this.#object(bucketName, key));
      default:
        throw new S3Failure(501, "NotImplemented", `${operation} is not implemented here`);
    }
  }

  #get(operation: string, request: Request, object: StoredObject): Response {
    const headers = new Headers({
      "content-type": "application/octet-stream",
      etag: object.etag,
      "last-modified": object.lastModified.toUTCString(),
      "accept-ranges": "bytes",
    });
    if (object.storageClass !== "STANDARD") headers.set("x-amz-storage-class", object.storageClass);
    if (operation === "HeadObject") {
      headers.set("content-length", String(object.body.length));
      return new Response(null, { status: 200, headers });
    }
    if (ARCHIVED.has(object.storageClass)) {
      throw new S3Failure(
        403,
        "InvalidObjectState",
        "The operation is not valid for the object's storage class",
      );
    }
    const ifMatch = request.headers.get("if-match");
    if (ifMatch !== null && ifMatch !== object.etag) {
      throw new S3Failure(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
      );
    }
    const range = request.headers.get("range");
    const match = range === null ? null : /^bytes=(\d+)-(\d*)$/.exec(range);
    if (match !== null) {
      const start = Number(match[1]);
      const end = Math.min(
        match[2] === "" ? object.body.length - 1 : Number(match[2]),
        object.body.length - 1,
      );
      if (start > end) {
        throw new S3Failure(416, "InvalidRange", "The requested range is not satisfiable");
      }
      headers.set("content-range", `bytes ${start}-${end}/${object.body.length}`);
      return new Response(object.body.slice(start, end + 1), { status: 206, headers });
    }
    return new Response(object.body.slice(), { status: 200, headers });
  }

  #list(bucketName: string, query: URLSearchParams): Response {
    const bucket = this.#bucket(bucketName);
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter") ?? "";
    const encodingType = query.get("encoding-type");
    if (encodingType !== null && encodingType !== "url") {
      throw new S3Failure(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
    }
    const maxKeysText = query.get("max-keys") ?? "1000";
    if (!/^\d+$/.test(maxKeysText)) {
      throw new S3Failure(
        400,
        "InvalidArgument",
        "Provided max-keys not an integer or within integer range",
      );
    }
    const maxKeys = Math.min(Number(maxKeysText), this.#maxKeysLimit);
    const token = query.get("continuation-token");
    let after: { kind: "key" | "prefix"; value: string } | undefined;
    if (token !== null) {
      try {
        after = JSON.parse(
          new TextDecoder().decode(Uint8Array.from(atob(token), (c) => c.charCodeAt(0))),
        );
      } catch {
        after = undefined;
      }
      if (after === undefined || (after.kind !== "key" && after.kind !== "prefix")) {
        throw new S3Failure(400, "InvalidArgument", "The continuation token provided is incorrect");
      }
    } else if (query.get("start-after")) {
      after = { kind: "key", value: query.get("start-after")! };
    }

    const sorted = this.#sorted(bucket);
    // First index whose key is >= the prefix (and past the continuation point).
    const prefixBytes = encoder.encode(prefix);
    const afterBytes = after === undefined ? undefined : encoder.encode(after.value);
    const from = afterBytes !== undefined && compareBytes(afterBytes, prefixBytes) > 0
      ? afterBytes
      : prefixBytes;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareBytes(sorted[mid].sortKey, from) < 0) lo = mid + 1;
      else hi = mid;
    }
    const contents: StoredObject[] = [];
    const commonPrefixes: string[] = [];
    let last: { kind: "key" | "prefix"; value: string } | undefined;
    let truncated = false;
    for (let i = lo; i < sorted.length; i++) {
      const object = sorted[i];
      if (!object.key.startsWith(prefix)) break;
      if (after !== undefined) {
        if (
          after.kind === "key" && compareBytes(object.sortKey, afterBytes!) <= 0
        ) continue;
        if (after.kind === "prefix" && object.key.startsWith(after.value)) continue;
      }
      let entry: { kind: "key" | "prefix"; value: string } = { kind: "key", value: object.key };
      if (delimiter !== "") {
        const at = object.key.indexOf(delimiter, prefix.length);
        if (at >= 0) entry = { kind: "prefix", value: object.key.slice(0, at + delimiter.length) };
      }
      if (entry.kind === "prefix" && last?.kind === "prefix" && last.value === entry.value) {
        continue;
      }
      if (contents.length + commonPrefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (entry.kind === "prefix") commonPrefixes.push(entry.value);
      else contents.push(object);
      last = entry;
    }

    const url = encodingType === "url";
    const enc = (text: string): string => (url ? s3UrlEncode(text) : text);
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      element("Name", bucketName),
      element("Prefix", enc(prefix)),
    ];
    if (delimiter !== "") parts.push(element("Delimiter", enc(delimiter)));
    if (query.get("start-after")) parts.push(element("StartAfter", enc(query.get("start-after")!)));
    parts.push(
      element("KeyCount", contents.length + commonPrefixes.length),
      element("MaxKeys", maxKeys),
    );
    if (url) parts.push(element("EncodingType", "url"));
    parts.push(element("IsTruncated", truncated));
    if (token !== null) parts.push(element("ContinuationToken", token));
    if (truncated && last !== undefined) {
      parts.push(
        element(
          "NextContinuationToken",
          btoa(String.fromCharCode(...encoder.encode(JSON.stringify(last)))),
        ),
      );
    }
    for (const object of contents) {
      parts.push(
        `<Contents>${element("Key", enc(object.key))}${
          element("LastModified", object.lastModified.toISOString())
        }${element("ETag", object.etag)}${element("Size", object.body.length)}${
          element("StorageClass", object.storageClass)
        }</Contents>`,
      );
    }
    for (const p of commonPrefixes) {
      parts.push(`<CommonPrefixes>${element("Prefix", enc(p))}</CommonPrefixes>`);
    }
    parts.push("</ListBucketResult>");
    return new Response(parts.join(""), {
      status: 200,
      headers: { "content-type": "application/xml" },
    });
  }
}
