/**
 * `queueConsumer` in workerd (Cloudflare Workers' runtime) through miniflare, with a real local
 * Queue: 200 notifications naming 120 objects (80 duplicates, in three body shapes), a sink
 * that refuses some objects the first time, and each object processed exactly once.
 */
import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@4.20260426.0";
import { RunManifests } from "../../src/manifest/mod.ts";
import { localOptions } from "../support/dynamodb_server.ts";
import { bundleWorker } from "../support/runtime.ts";
import { BUCKET, notification, objectKey, startEngineEnv, TABLE } from "./support.ts";

const ENTRY = new URL("./queue_worker.ts", import.meta.url).pathname;
const OBJECTS = 120;
const MESSAGES = 200;
/** A safety net only: the run takes a few seconds. */
const GIVE_UP_MS = 180_000;

/** The message bodies: every object once, then 80 duplicates, in three shapes. */
function bodies(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const key = objectKey(i % OBJECTS);
    switch (i % 3) {
      case 0:
        out.push({ bucket: BUCKET, key });
        break;
      case 1:
        out.push(notification([key]));
        break;
      default:
        out.push({ bucket: BUCKET, object: { key }, action: "PutObject" });
    }
  }
  return out;
}

Deno.test("queueConsumer() in workerd processes each object exactly once", async () => {
  await using env = await startEngineEnv(OBJECTS);
  const failFirst = new Set(Array.from({ length: 12 }, (_, i) => objectKey(i * 10 + 3)));
  const sinkAttempts = new Map<string, number>();
  const accepted = new Map<string, number>();
  const acked = new Set<string>();
  let retries = 0;
  let allAcked: () => void = () => {};
  const finished = new Promise<void>((resolve) => allAcked = resolve);
  const sink = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/object") {
      const { key, events } = await request.json() as { key: string; events: number };
      const attempt = (sinkAttempts.get(key) ?? 0) + 1;
      sinkAttempts.set(key, attempt);
      if (attempt === 1 && failFirst.has(key)) return new Response("not now", { status: 500 });
      assert.equal(events, env.expected.get(key), key);
      accepted.set(key, (accepted.get(key) ?? 0) + 1);
      return new Response("ok");
    }
    for (const entry of await request.json() as { id: string; settled: string }[]) {
      if (entry.settled === "ack") acked.add(entry.id);
      else retries++;
    }
    if (acked.size === MESSAGES) allAcked();
    return new Response("ok");
  });
  const { dir, path } = await bundleWorker(ENTRY, "queue-worker-");
  const code = await Deno.readTextFile(path);
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: "2025-01-01",
    host: "127.0.0.1",
    port: 0,
    bindings: {
      AWS_ACCESS_KEY_ID: env.s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.s3.credentials.secretAccessKey,
      AWS_REGION: env.s3.region,
      AWS_ENDPOINT_URL_S3: env.s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: env.dynamo.endpoint,
      MANIFEST_TABLE: TABLE,
      SOURCE_PREFIX: `s3://${BUCKET}/enriched/`,
      HELD_RETRY_SECONDS: "1",
      SINK_URL: `http://127.0.0.1:${sink.addr.port}`,
    },
    queueProducers: { QUEUE: { queueName: "objects" } },
    queueConsumers: { objects: { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 20 } },
    r2Buckets: ["OUTPUT"],
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const response = await mf.dispatchFetch("http://localhost/send", {
      method: "POST",
      body: JSON.stringify(bodies()),
    });
    assert.equal(await response.text(), `sent ${MESSAGES}`);
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`gave up: ${acked.size} of ${MESSAGES} messages acked`)),
          GIVE_UP_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await mf.dispose();
    await sink.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(accepted.size, OBJECTS, "every object reached the sink");
  assert.deepEqual([...accepted.values()].filter((n) => n !== 1), [], "none twice");
  for (const key of failFirst) assert.equal(sinkAttempts.get(key), 2, key);
  assert.ok(retries >= failFirst.size, `${retries} retries`);
  const manifests = new RunManifests(TABLE, localOptions(env.dynamo.endpoint));
  const notDone = await manifests.filterUnprocessed(env.expected.keys());
  assert.deepEqual(notDone, []);
});
