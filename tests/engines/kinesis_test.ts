import assert from "node:assert/strict";
import * as zlib from "node:zlib";
// deno-lint-ignore no-import-prefix
import { gzipSync } from "npm:fflate@0.8.3";
import {
  type EnrichedStreamRecord,
  type KinesisEvent,
  kinesisHandler,
} from "../../src/engines/mod.ts";
import { transform } from "../../src/event/mod.ts";
import { generateCorpus } from "../support/generator.ts";

const encoder = new TextEncoder();
const LINES = generateCorpus(21, 30);

function zstd(bytes: Uint8Array): Uint8Array {
  const z = zlib as unknown as { zstdCompressSync(data: Uint8Array): Uint8Array };
  return new Uint8Array(z.zstdCompressSync(bytes));
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** The fixture's envelope with `data` for its three records. */
async function kinesisEvent(data: string[]): Promise<KinesisEvent> {
  const event = JSON.parse(
    await Deno.readTextFile(new URL("../testdata/eng_kinesis_event.json", import.meta.url)),
  ) as KinesisEvent;
  event.Records.forEach((record, i) => record.kinesis.data = data[i]);
  return event;
}

Deno.test("kinesisHandler() decodes plain, zstd and gzip records in one batch", async () => {
  const records: EnrichedStreamRecord[] = [];
  const handler = kinesisHandler({ handleRecord: (record) => void records.push(record) });
  const event = await kinesisEvent([
    base64(encoder.encode(LINES[0])),
    base64(zstd(encoder.encode([...LINES.slice(1, 20), "not an event"].join("\n")))),
    base64(gzipSync(encoder.encode(LINES.slice(20).join("\n") + "\n"))),
  ]);
  assert.deepEqual(await handler(event), { batchItemFailures: [] });
  assert.deepEqual(records.map((r) => [r.sequenceNumber.slice(-1), r.encoding]), [
    ["1", "plain"],
    ["2", "zstd"],
    ["3", "gzip"],
  ]);
  assert.deepEqual(records.flatMap((r) => r.events), LINES.map((line) => transform(line)));
  assert.deepEqual(records[1].badRows, [{
    line: 20,
    raw: "not an event",
    error: { type: "NotTSV" },
  }]);
  assert.equal(records[0].partitionKey, "2f6c3b9e-1a4d-4e7f-8b2c-5d0e9f1a3b7c");
  assert.equal(
    records[0].eventSourceARN,
    "arn:aws:kinesis:eu-west-1:210987654321:stream/sp-enriched-good",
  );
});

Deno.test("kinesisHandler() answers the first failed record and stops there", async (t) => {
  const good = base64(zstd(encoder.encode(LINES.join("\n"))));
  const cut = base64(zstd(encoder.encode(LINES.join("\n"))).subarray(0, 100));
  const cases: [string, string[], RegExp, number][] = [
    ["a cut zstd record", [good, cut, good], /^Cannot decompress zstd data/, 1],
    ["data that is not base64", ["%%%", good, good], /kinesis\.data: not base64$/, 0],
  ];
  for (const [name, data, message, failed] of cases) {
    await t.step(name, async () => {
      const seen: string[] = [];
      const errors: unknown[] = [];
      const handler = kinesisHandler({
        handleRecord: (record) => void seen.push(record.sequenceNumber),
        onFailure: (error) => void errors.push(error),
      });
      const event = await kinesisEvent(data);
      const failedId = event.Records[failed].kinesis.sequenceNumber;
      assert.deepEqual(await handler(event), { batchItemFailures: [{ itemIdentifier: failedId }] });
      assert.deepEqual(seen, event.Records.slice(0, failed).map((r) => r.kinesis.sequenceNumber));
      assert.equal(errors.length, 1);
      assert.match((errors[0] as Error).message, message);
    });
  }
  await t.step("a handler that throws", async () => {
    const seen: string[] = [];
    const handler = kinesisHandler({
      handleRecord(record) {
        seen.push(record.sequenceNumber);
        if (seen.length === 2) throw new Error("warehouse unavailable");
      },
    });
    const event = await kinesisEvent([good, good, good]);
    const second = event.Records[1].kinesis.sequenceNumber;
    assert.deepEqual(await handler(event), { batchItemFailures: [{ itemIdentifier: second }] });
    assert.equal(seen.length, 2);
  });
});

Deno.test("kinesisHandler() refuses a missing callback and an event that is not Kinesis", async () => {
  assert.throws(() => kinesisHandler({} as never), {
    name: "TypeError",
    message: "Invalid option handleRecord for kinesisHandler(): expected a function",
  });
  const handler = kinesisHandler({ handleRecord() {} });
  await assert.rejects(() => handler({} as never), {
    name: "TypeError",
    message: "Invalid Kinesis event: expected an object with a Records array",
  });
});
