import assert from "node:assert/strict";
import { objectsFromMessage, queueConsumer, type QueueMessage } from "../../src/engines/mod.ts";
import { BUCKET, notification, objectKey, startEngineEnv } from "./support.ts";

interface Recorded extends QueueMessage {
  acked: number;
  retried: { delaySeconds?: number }[];
}

function batch(bodies: unknown[]): { queue: string; messages: Recorded[] } {
  return {
    queue: "objects",
    messages: bodies.map((body, i) => {
      const message: Recorded = {
        id: `m${i}`,
        body,
        attempts: 1,
        acked: 0,
        retried: [],
        ack: () => void message.acked++,
        retry: (options) => void message.retried.push(options ?? {}),
      };
      return message;
    }),
  };
}

Deno.test("queueConsumer() acks done objects and retries failed and held ones", async () => {
  await using env = await startEngineEnv(5);
  env.failOnce.add(objectKey(1));
  await env.manifests.claim(objectKey(4), { owner: "other-worker", leaseMs: 60_000 });
  const retries: string[] = [];
  const consumer = queueConsumer((workerEnv: { table: string }) => {
    assert.equal(workerEnv.table, "from-env");
    return {
      manifests: env.manifests,
      s3: env.s3.awsOptions(),
      handle: env.handle,
      heldRetryDelaySeconds: 7,
      onRetry: (_error, message) => void retries.push(message.id),
    };
  });
  const first = batch([
    { bucket: BUCKET, key: objectKey(0) },
    `s3://${BUCKET}/${objectKey(1)}`,
    notification([objectKey(2)]),
    JSON.stringify({ bucket: BUCKET, object: { key: objectKey(3) }, action: "PutObject" }),
    { bucket: BUCKET, key: objectKey(4) },
    { bucket: BUCKET, key: objectKey(0) },
    42,
  ]);
  await consumer(first, { table: "from-env" });
  assert.deepEqual(first.messages.map((m) => [m.acked, m.retried]), [
    [1, []],
    [0, [{}]],
    [1, []],
    [1, []],
    [0, [{ delaySeconds: 7 }]],
    [1, []],
    [0, [{}]],
  ]);
  assert.deepEqual(retries, ["m1", "m4", "m6"]);
  // Delivered again: the failed object now succeeds, the done one is acked without reading.
  await env.manifests.release(objectKey(4), "other-worker");
  const second = batch([`s3://${BUCKET}/${objectKey(1)}`, { bucket: BUCKET, key: objectKey(0) }]);
  await consumer(second, { table: "from-env" });
  assert.deepEqual(second.messages.map((m) => m.acked), [1, 1]);
  assert.deepEqual([...env.done.keys()].sort(), [0, 1, 2, 3].map(objectKey).sort());
  assert.ok([...env.done.values()].every((n) => n === 1));
});

Deno.test("objectsFromMessage() names what it cannot read", () => {
  assert.throws(() => objectsFromMessage("s3://bucket-only"), {
    name: "TypeError",
    message: 'Invalid queue message: "s3://bucket-only" names no object',
  });
  assert.throws(() => objectsFromMessage("hello"), {
    name: "TypeError",
    message: 'Invalid queue message: expected JSON or an s3:// URI but got "hello"',
  });
  assert.throws(() => objectsFromMessage({ bucket: "b", key: "" }), {
    name: "TypeError",
    message: "Invalid queue message: the key is empty",
  });
  assert.deepEqual(objectsFromMessage({ bucket: "b", key: "k", etag: "e1" }), [
    { bucket: "b", key: "k", etag: "e1" },
  ]);
});

Deno.test("objectsFromMessage() reads an R2 event notification", async () => {
  const event = JSON.parse(
    await Deno.readTextFile(new URL("../testdata/eng_r2_notification.json", import.meta.url)),
  );
  const created = {
    bucket: "sp-loader-output",
    key: "enriched/2026/11/30/09/part with space.gz",
    size: 2048,
    etag: "5e8f0a2b4c6d8e0f1a3b5c7d9e1f3a5b",
  };
  assert.deepEqual(objectsFromMessage(event), [created]);
  assert.deepEqual(objectsFromMessage(JSON.stringify(event)), [created]);
  for (const action of ["CopyObject", "CompleteMultipartUpload"]) {
    assert.deepEqual(objectsFromMessage({ ...event, action }), [created]);
  }
  for (const action of ["DeleteObject", "LifecycleDeletion"]) {
    assert.deepEqual(objectsFromMessage({ ...event, action }), []);
  }
});
