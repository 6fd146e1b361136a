/**
 * The runtime self-test: one web-standard module, bundled with the public module and run
 * inside workerd (miniflare), Node, Bun and Deno by `tests/runtimes/*_test.ts`.
 *
 * It uses only ECMAScript and WHATWG globals (it is part of the web-only type check), and it
 * observes rather than asserts: {@linkcode selfTest} returns a JSON report of what the SDK did
 * in this runtime, and the Deno side compares it with {@linkcode expectedReport}.
 * {@linkcode selfTestHandler} is a fetch handler (`POST` a {@linkcode SelfTestEnv} as JSON,
 * get the report), the shape of a Cloudflare Worker, of `Bun.serve` and of `Deno.serve`;
 * `worker.ts` makes it the default export, the bundle's entry point.
 *
 * @module
 */

import {
  AwsError,
  type AwsOptions,
  EventStream,
  listRunIds,
  NdjsonStream,
  processRuns,
  readRun,
  RunManifests,
  type S3Location,
  transform,
  TransformError,
} from "../../mod.ts";
import { DynamoDBError, S3Error } from "../../src/aws/mod.ts";
import { ENRICHED_EVENT_FIELDS } from "../../src/event/mod.ts";
import { isGzip } from "../../src/stream/mod.ts";
import { gzipSync } from "npm:fflate@0.8.3";
import { parquetMetadata, parquetReadObjects } from "npm:hyparquet@1.31.5";
import { toParquet } from "../../src/parquet/mod.ts";

/** Where the local AWS endpoints are, as the Deno side started them. */
export interface SelfTestEnv {
  /** dynalite, e.g. `http://127.0.0.1:PORT`. */
  dynamodbEndpoint: string;
  /** The project's fake S3 (verifies SigV4), e.g. `http://127.0.0.1:PORT`. */
  s3Endpoint: string;
  /** The region both endpoints expect in signatures. */
  region: string;
  /** The S3 access key the fake S3 accepts. */
  s3Credentials: { accessKeyId: string; secretAccessKey: string };
  /** The run archive, e.g. `s3://bucket/enriched/archive/`. */
  archive: string;
  /** A DynamoDB table name unique to this run. */
  table: string;
}

/** A caught error, as plain data. */
export interface ErrorFacts {
  name: string;
  code: string;
  status?: number;
  retryable?: boolean;
  classes: string[];
}

/** The counters of a `processRuns` summary. */
export interface JobFacts {
  seen: number;
  alreadyDone: number;
  archived: number;
  processed: number;
  failed: number;
  events: number;
  badRows: number;
}

/** What the SDK did in one runtime. */
export interface SelfTestReport {
  /** `workerd`, `node`, `bun` or `deno`. */
  runtime: string;
  /** The runtime's version or user agent. */
  version: string;
  /** Whether the runtime has `CompressionStream` (else the gzip body is made with fflate). */
  compressionStream: boolean;
  transform: Record<string, unknown>;
  transformError: ErrorFacts & { json: unknown };
  gzipStream: {
    gzip: boolean;
    lines: number;
    events: number;
    badRows: number;
    emptyLines: number;
    appIds: string[];
    badRowLines: number[];
    ndjsonLines: number;
    /**
     * Plain input from a byte stream (read into reused buffers), its NDJSON read with a BYOB
     * reader into one small reused buffer: the same text as a default reader gets.
     */
    byobSame: boolean;
  };
  manifest: {
    created: boolean[];
    contains: boolean[];
    unprocessed: string[];
    claim: boolean[];
    missingTable: ErrorFacts;
  };
  job: {
    first: JobFacts;
    second: JobFacts;
    handled: Record<string, number>;
  };
  /** Two events written by `toParquet` (a row group each), read back with hyparquet. */
  parquet: {
    rowGroups: number;
    /** `name:physical type:logical type` of some columns. */
    types: string[];
    /** The rows, timestamps as ISO text. */
    rows: Record<string, unknown>[];
  };
  s3: {
    runIds: string[];
    withArchived: number;
    run: { key: string; line: number; appId?: unknown; badRow?: boolean }[];
    wrongSecret: ErrorFacts;
  };
}

const FIELD_INDEX: ReadonlyMap<string, number> = new Map(
  ENRICHED_EVENT_FIELDS.map((field, index) => [field.name, index]),
);

/** One enriched-event TSV line from named field values (the other fields empty). */
export function enrichedLine(values: Record<string, string>): string {
  const fields: string[] = Array(ENRICHED_EVENT_FIELDS.length).fill("");
  for (const [name, value] of Object.entries(values)) {
    const index = FIELD_INDEX.get(name);
    if (index === undefined) throw new RangeError(`No enriched event field named ${name}`);
    fields[index] = value;
  }
  return fields.join("\t");
}

/** The line the self-test transforms, with a context and coordinates. */
export const SAMPLE_LINE: string = enrichedLine({
  app_id: "shop",
  platform: "web",
  collector_tstamp: "2021-03-04 05:06:07.123",
  event: "page_view",
  event_id: "c6ef3124-b53a-4b13-a233-0088f79dcbcb",
  txn_id: "42",
  geo_latitude: "37.443604",
  geo_longitude: "-122.4124",
  contexts: JSON.stringify({
    schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
    data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-2", data: { id: 7 } }],
  }),
});

/** The lines of a small enriched file: `count` events of app `app`, then a bad line. */
export function sampleFile(app: string, count: number): string {
  const lines = [];
  for (let i = 0; i < count; i++) {
    lines.push(enrichedLine({ app_id: app, event_id: `00000000-0000-4000-8000-${pad(i)}` }));
  }
  lines.push("not an enriched event");
  return `${lines.join("\n")}\n`;
}

function pad(n: number): string {
  return String(n).padStart(12, "0");
}

/** Gzip bytes of `text`: with `CompressionStream` when the runtime has it, else fflate. */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new TextEncoder().encode(text);
  if (typeof CompressionStream === "function") {
    const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Uint8Array(await new Response(compressed).arrayBuffer());
  }
  return new Uint8Array(gzipSync(bytes));
}

/** Two gzip members, concatenated (as when `.gz` files are joined with `cat`). */
export async function multiMemberGzip(a: string, b: string): Promise<Uint8Array<ArrayBuffer>> {
  const [first, second] = await Promise.all([gzip(a), gzip(b)]);
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}

/** The runtime this code runs in, by its globals. */
function runtime(): { runtime: string; version: string } {
  const global = globalThis as unknown as Record<string, Record<string, unknown> | undefined>;
  const text = (value: unknown): string => typeof value === "string" ? value : "";
  const userAgent = text(global.navigator?.userAgent);
  if (global.Bun) return { runtime: "bun", version: text(global.Bun.version) };
  if (global.Deno) {
    return { runtime: "deno", version: text((global.Deno.version as { deno?: string }).deno) };
  }
  if (userAgent === "Cloudflare-Workers") return { runtime: "workerd", version: userAgent };
  if (global.process) {
    return { runtime: "node", version: text((global.process.versions as { node?: string }).node) };
  }
  return { runtime: "unknown", version: userAgent };
}

function errorFacts(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) throw error;
  const classes = [
    ["AwsError", AwsError],
    ["S3Error", S3Error],
    ["DynamoDBError", DynamoDBError],
    ["TransformError", TransformError],
    ["SyntaxError", SyntaxError],
  ] as const;
  const facts: ErrorFacts = {
    name: error.name,
    code: String((error as { code?: unknown }).code),
    classes: classes.filter(([, type]) => error instanceof type).map(([name]) => name),
  };
  if (error instanceof AwsError) {
    facts.status = error.status;
    facts.retryable = error.retryable;
  }
  return facts;
}

/** `Array.fromAsync` (which Node 20 lacks). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function caught(action: () => Promise<unknown>): Promise<ErrorFacts> {
  try {
    await action();
  } catch (error) {
    return errorFacts(error);
  }
  return { name: "none", code: "none", classes: [] };
}

async function streamGzip(): Promise<SelfTestReport["gzipStream"]> {
  const body = await multiMemberGzip(sampleFile("first", 3), `\n${sampleFile("second", 2)}`);
  const events = new EventStream(new Blob([body]).stream());
  const appIds: string[] = [];
  const badRowLines: number[] = [];
  for await (const result of events) {
    if (result.event) appIds.push(String(result.event.app_id));
    else badRowLines.push(result.badRow.line);
  }
  const ndjson = await new Response(new NdjsonStream(new Blob([body]).stream())).text();
  const plain = new TextEncoder().encode(`${sampleFile("first", 3)}\n${sampleFile("second", 2)}`);
  const byob = new NdjsonStream(new Blob([plain]).stream()).getReader({ mode: "byob" });
  let byobText = "";
  const textDecoder = new TextDecoder();
  for (let buffer = new ArrayBuffer(100);;) {
    const { done, value } = await byob.read(new Uint8Array(buffer));
    if (done) break;
    byobText += textDecoder.decode(value, { stream: true });
    buffer = value.buffer;
  }
  const plainText = await new Response(new NdjsonStream(new Blob([plain]).stream())).text();
  const { gzip, lines, emptyLines } = events.stats;
  return {
    gzip: gzip && isGzip(body),
    lines,
    events: events.stats.events,
    badRows: events.stats.badRows,
    emptyLines,
    appIds,
    badRowLines,
    ndjsonLines: ndjson.split("\n").filter((line) => JSON.parse(line || "{}").app_id).length,
    byobSame: byobText === plainText && plainText === ndjson,
  };
}

/** Parquet written by `toParquet`, read back with a pure-JavaScript reader (hyparquet). */
async function parquet(): Promise<SelfTestReport["parquet"]> {
  const events = [
    transform(SAMPLE_LINE),
    transform(enrichedLine({ app_id: "second", br_cookies: "1", dvce_screenwidth: "1920" })),
  ];
  const file = await new Response(toParquet(events, { rowGroupSize: 1 })).arrayBuffer();
  const metadata = parquetMetadata(file);
  const columns = [
    "app_id",
    "collector_tstamp",
    "txn_id",
    "geo_latitude",
    "br_cookies",
    "dvce_screenwidth",
    "contexts_com_acme_user_1",
  ];
  const types = metadata.schema
    .filter((element) => columns.includes(element.name))
    .map((element) => `${element.name}:${element.type}:${element.logical_type?.type}`);
  const rows = (await parquetReadObjects({ file, columns })).map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        value instanceof Date ? value.toISOString() : value,
      ]),
    )
  );
  return { rowGroups: metadata.row_groups.length, types, rows };
}

/** Options for the local endpoints, with fast retries. */
function awsOptions(env: SelfTestEnv, service: "s3" | "dynamodb"): AwsOptions {
  return {
    region: env.region,
    endpoint: service === "s3" ? env.s3Endpoint : env.dynamodbEndpoint,
    credentials: service === "s3"
      ? env.s3Credentials
      : { accessKeyId: "AKIDSELFTEST", secretAccessKey: "self-test-secret" },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  };
}

async function manifest(env: SelfTestEnv): Promise<SelfTestReport["manifest"]> {
  const options = { ...awsOptions(env, "dynamodb"), tablePollMs: 10 };
  const manifests = new RunManifests(env.table, options);
  const runs = ["archive/run=2021-01-01-00-00-00/", "archive/run=2021-01-02-00-00-00/"];
  const created = [(await manifests.create()).created, (await manifests.create()).created];
  await manifests.add(runs[0]);
  const contains = [await manifests.contains(runs[0]), await manifests.contains(runs[1])];
  const unprocessed = await manifests.filterUnprocessed(runs);
  const claim = [
    (await manifests.claim(runs[1], { owner: "a", leaseMs: 60_000 })).claimed,
    (await manifests.claim(runs[1], { owner: "b", leaseMs: 60_000 })).claimed,
  ];
  const missing = new RunManifests(`${env.table}-missing`, options);
  const missingTable = await caught(() => missing.contains(runs[0]));
  return { created, contains, unprocessed, claim, missingTable };
}

/** The whole job twice over the archive: the second call finds every run done. */
async function job(env: SelfTestEnv): Promise<SelfTestReport["job"]> {
  const manifests = new RunManifests(`${env.table}-job`, awsOptions(env, "dynamodb"));
  await manifests.create();
  const handled: Record<string, number> = {};
  const options = {
    manifests,
    s3: awsOptions(env, "s3"),
    owner: "self-test",
    async handleRun(runId: string, records: AsyncIterable<unknown>) {
      handled[runId] = 0;
      for await (const _ of records) handled[runId]++;
    },
  };
  const facts = (
    { seen, alreadyDone, archived, processed, failed, events, badRows }: JobFacts,
  ) => ({
    seen,
    alreadyDone,
    archived,
    processed,
    failed,
    events,
    badRows,
  });
  const first = facts(await processRuns(env.archive, options));
  const second = facts(await processRuns(env.archive, options));
  return { first, second, handled };
}

async function s3(env: SelfTestEnv): Promise<SelfTestReport["s3"]> {
  const options = awsOptions(env, "s3");
  const runIds = await collect(listRunIds(env.archive, options));
  const all = await collect(listRunIds(env.archive, { ...options, includeArchived: true }));
  const bucket = new URL(env.archive).hostname;
  const location: S3Location = { bucket, prefix: runIds[0] ?? "" };
  const run = [];
  for await (const result of readRun(location, options)) {
    run.push(
      result.event
        ? { key: result.key, line: result.line, appId: result.event.app_id }
        : { key: result.key, line: result.line, badRow: true },
    );
  }
  const wrong = { ...options, credentials: { ...env.s3Credentials, secretAccessKey: "wrong" } };
  const wrongSecret = await caught(() => collect(listRunIds(env.archive, wrong)));
  return { runIds, withArchived: all.length, run, wrongSecret };
}

/** Runs every check in this runtime and reports what happened. */
export async function selfTest(env: SelfTestEnv): Promise<SelfTestReport> {
  let transformError: SelfTestReport["transformError"];
  try {
    transform("not an enriched event");
    throw new Error("transform() accepted a line without tabs");
  } catch (error) {
    transformError = {
      ...errorFacts(error),
      json: error instanceof TransformError ? error.toJSON() : null,
    };
  }
  const [gzipStream, parquetReport, manifestReport, jobReport, s3Report] = await Promise.all([
    streamGzip(),
    parquet(),
    manifest(env),
    job(env),
    s3(env),
  ]);
  return {
    ...runtime(),
    compressionStream: typeof CompressionStream === "function",
    transform: transform(SAMPLE_LINE),
    transformError,
    gzipStream,
    parquet: parquetReport,
    manifest: manifestReport,
    job: jobReport,
    s3: s3Report,
  };
}

/** What every runtime must report (apart from `runtime`, `version` and `compressionStream`). */
export function expectedReport(env: SelfTestEnv): Omit<
  SelfTestReport,
  "runtime" | "version" | "compressionStream"
> {
  const prefix = new URL(env.archive).pathname.slice(1);
  const run1 = `${prefix}run=2021-01-01-00-00-00/`;
  const run2 = `${prefix}run=2021-01-02-00-00-00/`;
  return {
    transform: {
      geo_location: "37.443604,-122.4124",
      app_id: "shop",
      platform: "web",
      collector_tstamp: "2021-03-04T05:06:07.123Z",
      event: "page_view",
      event_id: "c6ef3124-b53a-4b13-a233-0088f79dcbcb",
      txn_id: 42,
      geo_latitude: 37.443604,
      geo_longitude: -122.4124,
      contexts_com_acme_user_1: [{ id: 7 }],
    },
    transformError: {
      name: "TransformError",
      code: "NotTsv",
      classes: ["TransformError", "SyntaxError"],
      json: { type: "NotTSV" },
    },
    gzipStream: {
      gzip: true,
      lines: 8,
      events: 5,
      badRows: 2,
      emptyLines: 1,
      appIds: ["first", "first", "first", "second", "second"],
      badRowLines: [4, 8],
      ndjsonLines: 5,
      byobSame: true,
    },
    parquet: {
      rowGroups: 2,
      types: [
        "app_id:BYTE_ARRAY:STRING",
        "collector_tstamp:INT64:TIMESTAMP",
        "txn_id:INT32:undefined",
        "geo_latitude:DOUBLE:undefined",
        "br_cookies:BOOLEAN:undefined",
        "dvce_screenwidth:INT32:undefined",
        "contexts_com_acme_user_1:BYTE_ARRAY:JSON",
      ],
      rows: [
        {
          app_id: "shop",
          collector_tstamp: "2021-03-04T05:06:07.123Z",
          txn_id: 42,
          geo_latitude: 37.443604,
          br_cookies: null,
          dvce_screenwidth: null,
          contexts_com_acme_user_1: [{ id: 7 }],
        },
        {
          app_id: "second",
          collector_tstamp: null,
          txn_id: null,
          geo_latitude: null,
          br_cookies: true,
          dvce_screenwidth: 1920,
          contexts_com_acme_user_1: null,
        },
      ],
    },
    manifest: {
      created: [true, false],
      contains: [true, false],
      unprocessed: ["archive/run=2021-01-02-00-00-00/"],
      claim: [true, false],
      missingTable: {
        name: "DynamoDBError",
        code: "ResourceNotFoundException",
        status: 400,
        retryable: false,
        classes: ["AwsError", "DynamoDBError"],
      },
    },
    job: {
      first: {
        seen: 3,
        alreadyDone: 0,
        archived: 1,
        processed: 2,
        failed: 0,
        events: 6,
        badRows: 3,
      },
      second: {
        seen: 3,
        alreadyDone: 2,
        archived: 1,
        processed: 0,
        failed: 0,
        events: 0,
        badRows: 0,
      },
      handled: { [run1]: 7, [run2]: 2 },
    },
    s3: {
      runIds: [run1, run2],
      withArchived: 3,
      run: [
        { key: `${run1}part-00000.gz`, line: 1, appId: "first" },
        { key: `${run1}part-00000.gz`, line: 2, appId: "first" },
        { key: `${run1}part-00000.gz`, line: 3, appId: "first" },
        { key: `${run1}part-00000.gz`, line: 4, badRow: true },
        { key: `${run1}part-00001`, line: 1, appId: "second" },
        { key: `${run1}part-00001`, line: 2, appId: "second" },
        { key: `${run1}part-00001`, line: 3, badRow: true },
      ],
      wrongSecret: {
        name: "S3Error",
        code: "SignatureDoesNotMatch",
        status: 403,
        retryable: false,
        classes: ["AwsError", "S3Error"],
      },
    },
  };
}

/**
 * The fetch handler: `POST` a {@linkcode SelfTestEnv} as JSON; the answer is the
 * {@linkcode SelfTestReport} (200) or the error's name, message and stack (500).
 */
export const selfTestHandler: { fetch(request: Request): Promise<Response> } = {
  async fetch(request: Request): Promise<Response> {
    try {
      const env = await request.json() as SelfTestEnv;
      return Response.json(await selfTest(env));
    } catch (error) {
      const { name, message, stack } = error instanceof Error
        ? error
        : { name: "Error", message: String(error), stack: "" };
      return Response.json({ error: { name, message, stack } }, { status: 500 });
    }
  },
};
