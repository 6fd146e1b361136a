/**
 * How the engines adapters spread objects over consumers, measured on the local servers
 * (dynalite and the fake S3, in this process): a queue of S3 event notifications (every object
 * once, plus 25% duplicates, in random order) drained by N consumers started together, each a
 * `lambdaHandler` taking batches of 10 messages as an SQS-triggered function does; messages it
 * answers as failed (an object another consumer holds) go back to the queue. Reported: wall
 * time, objects per second, and DynamoDB and S3 requests per object.
 *
 * ```sh
 * deno run -A bench/engines_scale.ts          # 200 objects, 1/4/8 consumers, 0 and 50 ms of work
 * deno run -A bench/engines_scale.ts 400 20   # 400 objects, 20 ms of work per object
 * ```
 *
 * Every consumer runs in this process, so consumers, dynalite and the fake S3 share the same
 * cores: the figures show the coordination cost (requests per object), not what separate
 * Lambda instances would reach.
 *
 * @module
 */

import { gzipSync } from "npm:fflate@0.8.3";
import { RunManifests } from "../mod.ts";
import { lambdaHandler, type SqsEvent, type SqsRecord } from "../src/engines/mod.ts";
import { startDynamoDb } from "../tests/support/dynamodb_server.ts";
import { FakeS3 } from "../tests/support/fake_s3.ts";
import { generateLines } from "../tests/support/generator.ts";
import { dynamoDbCounter } from "./_dynamodb_counter.ts";

const OBJECTS = Number(Deno.args[0] ?? 200);
const WORK_MS = Deno.args[1] === undefined ? [0, 50] : [Number(Deno.args[1])];
const CONSUMERS = [1, 4, 8];
const EVENTS_PER_OBJECT = 20;
const BATCH = 10;
const BUCKET = "bench";

const body = gzipSync(
  new TextEncoder().encode(
    [...generateLines({ seed: 3, count: EVENTS_PER_OBJECT })].map((g) => g.line).join("\n") + "\n",
  ),
);

const key = (i: number) => `enriched/2026/11/30/${String(i % 24).padStart(2, "0")}/part-${i}.gz`;

/** The notifications: each object once, a quarter of them twice, shuffled. */
function messages(): SqsRecord[] {
  const keys = Array.from({ length: OBJECTS }, (_, i) => key(i));
  for (let i = 0; i < OBJECTS; i += 4) keys.push(key(i));
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys.map((k, n) => ({
    messageId: `m${n}`,
    eventSource: "aws:sqs",
    body: JSON.stringify({
      Records: [{
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        s3: { bucket: { name: BUCKET }, object: { key: k, size: body.length } },
      }],
    }),
  }));
}

interface Row {
  consumers: number;
  workMs: number;
  seconds: number;
  objectsPerSecond: number;
  ddbPerObject: number;
  ddbByOp: Record<string, number>;
  s3PerObject: number;
  redelivered: number;
}

async function measure(consumers: number, workMs: number): Promise<Row> {
  const s3 = await FakeS3.start({ buckets: [BUCKET] });
  const dynamo = await startDynamoDb();
  try {
    for (let i = 0; i < OBJECTS; i++) s3.put({ bucket: BUCKET, key: key(i) }, body);
    const ddbOptions = {
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
      endpoint: dynamo.endpoint,
    };
    await new RunManifests("objects", ddbOptions).create();
    const { byOp: ddbByOp, fetch: countingFetch } = dynamoDbCounter();
    const manifests = new RunManifests("objects", { ...ddbOptions, fetch: countingFetch });
    const processed = new Map<string, number>();
    const queue = messages();
    let redelivered = 0;
    const s3Before = s3.requests.length;
    const start = performance.now();
    await Promise.all(Array.from({ length: consumers }, async (_, c) => {
      const handler = lambdaHandler({
        manifests,
        s3: s3.awsOptions(),
        owner: `consumer-${c}`,
        concurrency: 1,
        async handle(k, records) {
          for await (const _ of records) { /* read */ }
          if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
          processed.set(k, (processed.get(k) ?? 0) + 1);
        },
      });
      for (;;) {
        const batch = queue.splice(0, BATCH);
        if (batch.length === 0) return;
        const event: SqsEvent = { Records: batch };
        const { batchItemFailures } = await handler(event);
        const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
        const again = batch.filter((m) => failed.has(m.messageId));
        redelivered += again.length;
        queue.push(...again);
        // A message answered as failed comes back after a visibility timeout, not at once.
        if (again.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }));
    const seconds = (performance.now() - start) / 1000;
    if (processed.size !== OBJECTS || [...processed.values()].some((n) => n !== 1)) {
      throw new Error(`${processed.size} of ${OBJECTS} objects processed, some not exactly once`);
    }
    const ddb = Object.values(ddbByOp).reduce((a, b) => a + b, 0);
    return {
      consumers,
      workMs,
      seconds,
      objectsPerSecond: OBJECTS / seconds,
      ddbPerObject: ddb / OBJECTS,
      ddbByOp: { ...ddbByOp },
      s3PerObject: (s3.requests.length - s3Before) / OBJECTS,
      redelivered,
    };
  } finally {
    await dynamo.close();
    await s3.close();
  }
}

console.log(
  `lambdaHandler over ${OBJECTS} objects of ${EVENTS_PER_OBJECT} events (gzip), ` +
    `${OBJECTS + Math.ceil(OBJECTS / 4)} notifications in batches of ${BATCH}; ` +
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores\n`,
);
console.log(
  "| work/object | consumers | time (s) | objects/s | DynamoDB req/object | by operation (total) | S3 req/object | redelivered |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const workMs of WORK_MS) {
  for (const consumers of CONSUMERS) {
    const r = await measure(consumers, workMs);
    const ops = Object.entries(r.ddbByOp).sort().map(([op, n]) => `${op} ${n}`).join(", ");
    console.log(
      `| ${workMs} ms | ${r.consumers} | ${r.seconds.toFixed(2)} | ${
        r.objectsPerSecond.toFixed(0)
      } | ${r.ddbPerObject.toFixed(2)} | ${ops} | ${r.s3PerObject.toFixed(2)} | ${r.redelivered} |`,
    );
  }
}
