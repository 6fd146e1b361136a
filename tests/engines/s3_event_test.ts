import assert from "node:assert/strict";
import { s3ObjectsFromEvent } from "../../src/engines/mod.ts";

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await Deno.readTextFile(new URL(`../testdata/${name}`, import.meta.url)));

const PUT = {
  bucket: "sp-loader-output",
  key: "enriched/2026/11/30/09/sp loader=v3 2026-11-30-091500-0f3c.gz",
  size: 48213,
  etag: "9b2cf535f27731c974343645a3985328",
  sequencer: "00656840A6DB1E5C21",
  eventName: "ObjectCreated:Put",
};
const MULTIPART = {
  bucket: "sp-loader-output",
  key: "enriched/2026/11/30/09/café+bar.gz",
  size: 26214400,
  etag: "c1d4a7e0b3f2e6c9d8a7b6c5d4e3f2a1-5",
  sequencer: "00656841080F000000",
  eventName: "ObjectCreated:CompleteMultipartUpload",
};
const EVENTBRIDGE = {
  bucket: "sp-loader-output",
  key: "enriched/2026/11/30/09/part with space+plus.gz",
  size: 3051,
  etag: "0d9f2a7c44b1e35a8f6c2b1d0e9a8b7c",
  sequencer: "0065684220AB12CD34",
  eventName: "PutObject",
};

Deno.test("s3ObjectsFromEvent() reads the envelopes AWS sends", async (t) => {
  await t.step("an S3 notification: keys decoded, deletes ignored", async () => {
    const event = await fixture("eng_s3_notification.json");
    assert.deepEqual(s3ObjectsFromEvent(event as never), [PUT, MULTIPART]);
  });
  await t.step("the test event gives no object", async () => {
    assert.deepEqual(s3ObjectsFromEvent(await fixture("eng_s3_test_event.json") as never), []);
  });
  await t.step("EventBridge Object Created: the key is taken as is", async () => {
    const event = await fixture("eng_eventbridge_created.json");
    assert.deepEqual(s3ObjectsFromEvent(event as never), [EVENTBRIDGE]);
  });
  await t.step("EventBridge Object Deleted gives no object", async () => {
    assert.deepEqual(
      s3ObjectsFromEvent(await fixture("eng_eventbridge_deleted.json") as never),
      [],
    );
  });
  await t.step("an SNS notification (as SNS delivers it to SQS)", async () => {
    const event = await fixture("eng_sns_notification.json");
    assert.deepEqual(s3ObjectsFromEvent(event as never), [MULTIPART]);
  });
  await t.step("an SQS event: S3, test event, SNS and EventBridge bodies", async () => {
    const event = await fixture("eng_sqs_event.json");
    assert.deepEqual(s3ObjectsFromEvent(event as never), [PUT, MULTIPART, EVENTBRIDGE]);
  });
  await t.step("one SQS message, and JSON text", async () => {
    const event = await fixture("eng_sqs_event.json") as { Records: unknown[] };
    assert.deepEqual(s3ObjectsFromEvent(event.Records[2] as never), [MULTIPART]);
    assert.deepEqual(s3ObjectsFromEvent(JSON.stringify(event.Records[0])), [PUT]);
    assert.deepEqual(s3ObjectsFromEvent(JSON.stringify(event.Records[1])), []);
  });
});

Deno.test("s3ObjectsFromEvent() keeps duplicates and their order", async () => {
  const event = await fixture("eng_s3_notification.json") as { Records: unknown[] };
  const twice = { Records: [event.Records[0], event.Records[0]] };
  assert.deepEqual(s3ObjectsFromEvent(twice as never), [PUT, PUT]);
});

Deno.test("s3ObjectsFromEvent() names what is wrong and where", async (t) => {
  const sqs = await fixture("eng_sqs_event.json") as { Records: Record<string, unknown>[] };
  const cases: [string, unknown, RegExp][] = [
    ["not JSON", "{oops", /^Invalid S3 event at event: expected JSON but got "\{oops"$/],
    ["a number", 42, /^Invalid S3 event at event: expected an object but got number 42$/],
    ["an unknown shape", { hello: "world" }, /expected an S3 notification, an SQS or SNS/],
    [
      "a body that is not JSON",
      { Records: [sqs.Records[0], { ...sqs.Records[0], body: "plain text" }] },
      /^Invalid S3 event at event\.Records\[1\]\.body: expected JSON but got "plain text"$/,
    ],
    [
      "a record without its key",
      {
        Records: [{
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: "b" }, object: { size: 1 } },
        }],
      },
      /^Invalid S3 event at event\.Records\[0\]\.s3\.object\.key: expected a string but got undefined/,
    ],
    [
      "a key that is not URL-encoded",
      {
        Records: [{
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: "b" }, object: { key: "100%" } },
        }],
      },
      /^Invalid S3 event at event\.Records\[0\]\.s3\.object\.key: "100%" is not URL-encoded$/,
    ],
    [
      "a negative size",
      {
        Records: [{
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: "b" }, object: { key: "k", size: -1 } },
        }],
      },
      /^Invalid S3 event at event\.Records\[0\]\.s3\.object\.size: expected a byte count/,
    ],
  ];
  for (const [name, event, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => s3ObjectsFromEvent(event as never), { name: "TypeError", message });
    });
  }
});
