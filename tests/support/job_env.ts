/**
 * The fake S3 and dynalite with a manifest table, for the job tests; and S3 Loader style
 * objects to put in the fake S3.
 *
 * @module
 */

import { gzipSync } from "npm:fflate@0.8.3";
import type { AwsOptions } from "../../src/aws/mod.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { type DynamoDbServer, localOptions, startDynamoDb } from "./dynamodb_server.ts";
import { FakeS3 } from "./fake_s3.ts";
import { generateLines } from "./generator.ts";

const encoder = new TextEncoder();

/** The servers and a created manifest table. */
export interface JobEnv {
  s3: FakeS3;
  dynamo: DynamoDbServer;
  manifests: RunManifests;
  /** DynamoDB options with a `fetch` that counts requests by operation. */
  dynamodb: AwsOptions;
  /** DynamoDB requests sent through `dynamodb` (and `manifests`), by operation. */
  dynamoRequests: Map<string, number>;
}

/** Runs `fn` with the fake S3 (holding `buckets`) and dynalite with table `table`. */
export async function withJobEnv(
  buckets: string[],
  table: string,
  fn: (env: JobEnv) => Promise<void>,
  manifestOptions: { now?: () => number } = {},
): Promise<void> {
  const s3 = await FakeS3.start({ buckets });
  const dynamo = await startDynamoDb();
  try {
    const dynamoRequests = new Map<string, number>();
    const counting: typeof fetch = (input, init) => {
      const target = new Headers(init?.headers).get("x-amz-target") ?? "";
      const operation = target.slice(target.indexOf(".") + 1);
      dynamoRequests.set(operation, (dynamoRequests.get(operation) ?? 0) + 1);
      return fetch(input, init);
    };
    const dynamodb = localOptions(dynamo.endpoint, { fetch: counting });
    const manifests = new RunManifests(table, { ...dynamodb, ...manifestOptions });
    await manifests.create();
    dynamoRequests.clear();
    await fn({ s3, dynamo, manifests, dynamodb, dynamoRequests });
  } finally {
    await dynamo.close();
    await s3.close();
  }
}

/** The total of a request count map. */
export function total(counts: Map<string, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return sum;
}

/** A gzip body of `count` generated lines (some bad) and how many are events and bad rows. */
export function enrichedBody(
  seed: number,
  count = 4,
  badRate = 0.25,
): { body: Uint8Array; events: number; badRows: number } {
  const lines = [...generateLines({ seed, count, badRate })];
  const events = lines.filter((l) => l.label === "ok").length;
  const body = gzipSync(encoder.encode(lines.map((l) => l.line).join("\n") + "\n"));
  return { body, events, badRows: lines.length - events };
}

/**
 * An S3 Loader object name written at `time`: 3.x `yyyy-MM-dd-HHmmss-<uuid>.gz`, 2.x with
 * `-<firstSeq>-<lastSeq>` after the uuid, optionally under `yyyy/MM/dd/HH/` partitions.
 */
export function loaderKey(
  prefix: string,
  time: Date,
  options: { version?: 2 | 3; partitioned?: boolean; seq?: number } = {},
): string {
  const p = (n: number, width = 2) => String(n).padStart(width, "0");
  const [y, mo, d, h, mi, s] = [
    time.getUTCFullYear(),
    time.getUTCMonth() + 1,
    time.getUTCDate(),
    time.getUTCHours(),
    time.getUTCMinutes(),
    time.getUTCSeconds(),
  ];
  const partition = options.partitioned ? `${y}/${p(mo)}/${p(d)}/${p(h)}/` : "";
  const uuid = crypto.randomUUID();
  const seq = options.seq ?? 0;
  const sequences = options.version === 2
    ? `-${49_000_000_000_000 + seq * 2}-${49_000_000_000_000 + seq * 2 + 1}`
    : "";
  return `${prefix}${partition}${y}-${p(mo)}-${p(d)}-${p(h)}${p(mi)}${p(s)}-${uuid}${sequences}.gz`;
}
