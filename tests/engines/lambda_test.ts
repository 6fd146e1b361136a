import assert from "node:assert/strict";
import {
  distributedMapHandler,
  lambdaHandler,
  ObjectHeldError,
  type SqsEvent,
} from "../../src/engines/mod.ts";
import { BUCKET, notification, objectKey, startEngineEnv } from "./support.ts";

function sqsEvent(bodies: unknown[]): SqsEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `message-${i}`,
      body: typeof body === "string" ? body : JSON.stringify(body),
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:210987654321:sp-enriched-created",
    })),
  };
}

Deno.test("lambdaHandler() processes each message's objects and answers the failed messages", async () => {
  await using env = await startEngineEnv(6);
  env.failOnce.add(objectKey(2));
  const failures: string[] = [];
  const handler = lambdaHandler({
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    handle: env.handle,
    onFailure: (_error, messageId) => void failures.push(messageId),
  });
  const event = sqsEvent([
    notification([objectKey(0), objectKey(1)]),
    notification([objectKey(2)]),
    { Service: "Amazon S3", Event: "s3:TestEvent", Bucket: BUCKET },
    "not json",
    notification([objectKey(0)]), // the same object again, in the same batch
    notification([objectKey(7)]), // an object that does not exist
  ]);
  const first = await handler(event);
  assert.deepEqual(first.batchItemFailures, [
    { itemIdentifier: "message-1" },
    { itemIdentifier: "message-3" },
    { itemIdentifier: "message-5" },
  ]);
  assert.deepEqual(failures, ["message-1", "message-3", "message-5"]);
  assert.deepEqual(env.calls.get(objectKey(0)), 1, "named twice in a batch, processed once");
  // SQS delivers the batch again (all of it, as a redrive would): done objects are skipped.
  const second = await handler(event);
  assert.deepEqual(second.batchItemFailures, [
    { itemIdentifier: "message-3" },
    { itemIdentifier: "message-5" },
  ]);
  assert.deepEqual(
    Object.fromEntries(env.done),
    { [objectKey(0)]: 1, [objectKey(1)]: 1, [objectKey(2)]: 1 },
  );
  for (const key of [objectKey(0), objectKey(1), objectKey(2)]) {
    assert.equal(await env.manifests.contains(key), true, key);
  }
});

Deno.test("lambdaHandler() answers a message whose object another worker holds", async () => {
  await using env = await startEngineEnv(2);
  await env.manifests.claim(objectKey(1), { owner: "other-worker", leaseMs: 60_000 });
  const errors: unknown[] = [];
  const handler = lambdaHandler({
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    handle: env.handle,
    onFailure: (error) => void errors.push(error),
  });
  const response = await handler(
    sqsEvent([notification([objectKey(0)]), notification([objectKey(1)])]),
  );
  assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "message-1" }]);
  assert.ok(errors[0] instanceof ObjectHeldError);
  assert.match((errors[0] as Error).message, /other-worker holds its claim/);
  assert.equal(env.calls.get(objectKey(1)), undefined, "the held object is not read");
});

Deno.test("lambdaHandler() invoked directly by S3 rejects when an object is not done", async () => {
  await using env = await startEngineEnv(3);
  env.failOnce.add(objectKey(1));
  const handler = lambdaHandler({
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    handle: env.handle,
  });
  const event = notification([objectKey(0), objectKey(1), objectKey(2)]);
  await assert.rejects(() => handler(event as never), {
    name: "AggregateError",
    message: `Cannot finish 1 of 3 objects: s3://${BUCKET}/${
      objectKey(1)
    } (Error: the sink refused ${objectKey(1)})`,
  });
  // Lambda retries the invocation: only the failed object is processed again.
  assert.deepEqual(await handler(event as never), { batchItemFailures: [] });
  assert.deepEqual([0, 1, 2].map((i) => env.calls.get(objectKey(i))), [1, 2, 1]);
  assert.deepEqual([0, 1, 2].map((i) => env.done.get(objectKey(i))), [1, 1, 1]);
});

Deno.test("distributedMapHandler() processes a batch of listed items and counts", async () => {
  await using env = await startEngineEnv(4);
  env.failOnce.add(objectKey(3));
  const handler = distributedMapHandler({
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    handle: env.handle,
  });
  const batch = {
    Items: [0, 1, 2, 3].map((i) => ({
      Key: objectKey(i),
      Size: env.s3.get(BUCKET, objectKey(i))!.body.length,
      Etag: env.s3.get(BUCKET, objectKey(i))!.etag,
      LastModified: 1764494100,
      StorageClass: "STANDARD",
    })),
    BatchInput: { bucket: BUCKET },
  };
  await assert.rejects(() => handler(batch), /^AggregateError: Cannot finish 1 of 4 objects/);
  // The map's Retry runs the batch again.
  assert.deepEqual(await handler(batch), { processed: 1, alreadyDone: 3, events: 5, badRows: 0 });
  assert.deepEqual([...env.done.values()], [1, 1, 1, 1]);
  await assert.rejects(() => handler({ Items: batch.Items }), {
    name: "TypeError",
    message:
      "Invalid Distributed Map batch: no bucket (set the bucket option or BatchInput.bucket)",
  });
});

Deno.test("lambdaHandler() and distributedMapHandler() check their options at once", () => {
  assert.throws(() => lambdaHandler({} as never), {
    name: "TypeError",
    message: "Invalid option handle for lambdaHandler(): expected a function",
  });
  assert.throws(
    () => distributedMapHandler({ manifests: "t", s3: {}, handle() {}, concurrency: 0 } as never),
    { name: "RangeError", message: /^Invalid option concurrency for distributedMapHandler\(\)/ },
  );
});

Deno.test("lambdaHandler() with unitOf processes a sealed run folder once", async () => {
  await using env = await startEngineEnv(0);
  const run = "enriched/archive/run=2026-11-30-09-00-00/";
  env.s3.put({ bucket: BUCKET, key: `${run}part-00000` }, "not an event\n");
  env.s3.put({ bucket: BUCKET, key: `${run}part-00001` }, "still not\n");
  env.s3.put({ bucket: BUCKET, key: `${run}_SUCCESS` }, "");
  const seen: [string, number][] = [];
  const handler = lambdaHandler({
    manifests: env.manifests,
    s3: env.s3.awsOptions(),
    // The seal stands for its folder; the folder's other objects need nothing.
    unitOf: (object) =>
      object.key.endsWith("/_SUCCESS")
        ? { bucket: object.bucket, key: object.key.slice(0, -"_SUCCESS".length) }
        : object,
    filter: (unit) => unit.key.endsWith("/"),
    async handle(id, records) {
      let badRows = 0;
      for await (const record of records) if (record.badRow) badRows++;
      seen.push([id, badRows]);
    },
  });
  const event = sqsEvent([
    notification([`${run}part-00000`]),
    notification([`${run}_SUCCESS`]),
    notification([`${run}part-00001`]),
    notification([`${run}_SUCCESS`]),
  ]);
  assert.deepEqual(await handler(event), { batchItemFailures: [] });
  assert.deepEqual(seen, [[run, 2]]);
  assert.equal(await env.manifests.contains(run), true);
});
