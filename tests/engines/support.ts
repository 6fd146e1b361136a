/**
 * The engines tests' local AWS: the fake S3 with S3 Loader-like gzip objects, dynalite with a
 * manifest table, and a handler that records what it processed.
 *
 * @module
 */

// deno-lint-ignore no-import-prefix
import { gzipSync } from "npm:fflate@0.8.3";
import type { UnitContents } from "../../src/job/mod.ts";
import { RunManifests } from "../../src/manifest/mod.ts";
import { type DynamoDbServer, localOptions, startDynamoDb } from "../support/dynamodb_server.ts";
import { FakeS3 } from "../support/fake_s3.ts";
import { generateLines } from "../support/generator.ts";

export const BUCKET = "sp-loader-output";
export const TABLE = "snowplow-objects";
const encoder = new TextEncoder();

/** The key of the i-th object, S3 Loader style (with a space in some, to check decoding). */
export function objectKey(i: number): string {
  const name = `2026-11-30-09${String(i).padStart(4, "0")}-${i % 7 === 0 ? "part one" : "part"}`;
  return `enriched/2026/11/30/09/${name}.gz`;
}

/** The local servers, the manifest, and what the handler saw. */
export interface EngineEnv extends AsyncDisposable {
  s3: FakeS3;
  dynamo: DynamoDbServer;
  manifests: RunManifests;
  /** Events per object key, as written by {@linkcode seedObjects}. */
  expected: Map<string, number>;
  /** How many times the handler finished each key without throwing. */
  done: Map<string, number>;
  /** How many times the handler was called for each key. */
  calls: Map<string, number>;
  /** A handler that reads every record, counts, and throws for keys in `failOnce` the first time. */
  handle(key: string, records: UnitContents): Promise<void>;
  /** Keys whose first call throws. */
  failOnce: Set<string>;
}

/** Writes `count` gzip objects of 5 events each. */
export function seedObjects(s3: FakeS3, count: number, expected: Map<string, number>): void {
  for (let i = 0; i < count; i++) {
    const lines = [...generateLines({ seed: 500 + i, count: 5 })].map((l) => l.line);
    s3.put({ bucket: BUCKET, key: objectKey(i) }, gzipSync(encoder.encode(lines.join("\n"))));
    expected.set(objectKey(i), lines.length);
  }
}

/** Starts the servers with `count` objects and an empty manifest table. */
export async function startEngineEnv(count: number): Promise<EngineEnv> {
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  const dynamo = await startDynamoDb();
  const manifests = new RunManifests(TABLE, localOptions(dynamo.endpoint));
  await manifests.create();
  const expected = new Map<string, number>();
  seedObjects(s3, count, expected);
  const done = new Map<string, number>();
  const calls = new Map<string, number>();
  const failOnce = new Set<string>();
  const close = async () => {
    await dynamo.close();
    await s3.close();
  };
  return {
    s3,
    dynamo,
    manifests,
    expected,
    done,
    calls,
    failOnce,
    async handle(key, records) {
      const call = (calls.get(key) ?? 0) + 1;
      calls.set(key, call);
      let events = 0;
      for await (const record of records) if (record.event) events++;
      if (call === 1 && failOnce.has(key)) throw new Error(`the sink refused ${key}`);
      if (events !== expected.get(key)) throw new Error(`read ${events} events of ${key}`);
      done.set(key, (done.get(key) ?? 0) + 1);
    },
    [Symbol.asyncDispose]: close,
  };
}

/** An S3 notification (as S3 sends it) for the given keys. */
export function notification(keys: string[]): Record<string, unknown> {
  return {
    Records: keys.map((key, i) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2026-11-30T09:15:02.117Z",
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: {
          key: encodeURIComponent(key).replaceAll("%2F", "/").replaceAll("%20", "+"),
          sequencer: `0065684${String(i).padStart(11, "0")}`,
        },
      },
    })),
  };
}
