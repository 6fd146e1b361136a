/**
 * Invokes the three Lambda entry points of `handler.ts` with events shaped as AWS sends them,
 * against the project's local S3 (the fake S3 from `tests/support/`) and DynamoDB (dynalite)
 * on 127.0.0.1 — no AWS account, no network:
 *
 * ```sh
 * deno run -A examples/aws-lambda/run_local.ts
 * ```
 *
 * @module
 */

import * as zlib from "node:zlib";
import { gzipSync } from "npm:fflate@0.8.3";
import { RunManifests } from "@snowplow/analytics-sdk";
import { startDynamoDb, TEST_CREDENTIALS } from "../../tests/support/dynamodb_server.ts";
import { FakeS3 } from "../../tests/support/fake_s3.ts";

const SAMPLE = new URL("../data/sample_enriched.tsv", import.meta.url);
const BUCKET = "sp-loader-output";
const TABLE = "snowplow-objects";
const encoder = new TextEncoder();
const lines = (await Deno.readTextFile(SAMPLE)).split("\n").filter((line) => line !== "");
const key = (i: number) =>
  `enriched/2026/11/30/09/sp loader 2026-11-30-09${String(i).padStart(4, "0")}.gz`;

const s3 = await FakeS3.start({ buckets: [BUCKET] });
const dynamo = await startDynamoDb();
try {
  for (let i = 0; i < 6; i++) {
    s3.put(
      { bucket: BUCKET, key: key(i) },
      gzipSync(encoder.encode(lines.slice(i * 10, i * 10 + 10).join("\n"))),
    );
  }
  Deno.env.set("AWS_ACCESS_KEY_ID", s3.credentials.accessKeyId);
  Deno.env.set("AWS_SECRET_ACCESS_KEY", s3.credentials.secretAccessKey);
  Deno.env.set("AWS_REGION", s3.region);
  Deno.env.set("AWS_ENDPOINT_URL_S3", s3.endpoint);
  Deno.env.set("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
  Deno.env.set("MANIFEST_TABLE", TABLE);
  await new RunManifests(TABLE, {
    region: s3.region,
    credentials: TEST_CREDENTIALS,
    endpoint: dynamo.endpoint,
  }).create();
  const { objects, backfill, stream } = await import("./handler.ts");

  // S3 → SQS: a notification per object (keys URL-encoded, "+" for spaces), one sent twice.
  const notification = (i: number) => ({
    Records: [{
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: s3.region,
      eventName: "ObjectCreated:Put",
      s3: {
        bucket: { name: BUCKET },
        object: { key: encodeURIComponent(key(i)).replaceAll("%2F", "/").replaceAll("%20", "+") },
      },
    }],
  });
  const sqs = {
    Records: [0, 1, 2, 1].map((i, n) => ({
      messageId: `msg-${n}`,
      body: JSON.stringify(notification(i)),
      eventSource: "aws:sqs",
    })),
  };
  console.log("1. SQS batch: 4 messages for 3 objects (one notification sent twice)");
  console.log(`   answer: ${JSON.stringify(await objects(sqs))}`);
  console.log("2. The same batch delivered again");
  console.log(`   answer: ${JSON.stringify(await objects(sqs))}`);

  // A Distributed Map batch over the listing: objects 0-2 are done, 3-5 are new.
  const items = [0, 1, 2, 3, 4, 5].map((i) => {
    const stored = s3.get(BUCKET, key(i))!;
    return { Key: key(i), Size: stored.body.length, Etag: stored.etag, StorageClass: "STANDARD" };
  });
  console.log("3. Distributed Map batch of the 6 listed objects");
  console.log(
    `   output: ${
      JSON.stringify(await backfill({ Items: items, BatchInput: { bucket: BUCKET } }))
    }`,
  );

  // Enrich's stream: a plain record, a zstd record and a gzip record.
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const zstd =
    (zlib as unknown as { zstdCompressSync(b: Uint8Array): Uint8Array }).zstdCompressSync;
  const data = [
    encoder.encode(lines[0]),
    new Uint8Array(zstd(encoder.encode(lines.slice(1, 40).join("\n")))),
    gzipSync(encoder.encode(lines.slice(40, 60).join("\n"))),
  ];
  const kinesis = {
    Records: data.map((bytes, i) => ({
      kinesis: {
        partitionKey: `pk-${i}`,
        sequenceNumber: `4965812300000000000000000${i}`,
        data: b64(bytes),
      },
      eventSource: "aws:kinesis",
      eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/enriched-good",
    })),
  };
  console.log("4. Kinesis batch: plain, zstd and gzip records");
  console.log(`   answer: ${JSON.stringify(await stream(kinesis))}`);
} finally {
  await dynamo.close();
  await s3.close();
}
console.log("Local servers stopped.");
