import assert from "node:assert/strict";
import { gzipSync } from "npm:fflate@0.8.3";
import { S3Error } from "../../src/aws/mod.ts";
import { readObject } from "../../src/s3/mod.ts";
import { FakeS3 } from "../support/fake_s3.ts";
import { generateLines } from "../support/generator.ts";

const encoder = new TextEncoder();
const KEY = "enriched/good/2026/11/20/10/2026-11-20-101500-0f3c2c1e.gz";

/** 40 lines, every fifth one bad, gzip; returns the labels in order. */
function seed(s3: FakeS3): string[] {
  const lines = [...generateLines({ seed: 3, count: 40, badRate: 0.2 })];
  s3.put(
    { bucket: "bucket", key: KEY },
    gzipSync(encoder.encode(lines.map((l) => l.line).join("\n") + "\n")),
  );
  return lines.map((l) => l.label);
}

Deno.test("readObject() streams one object's events and bad rows with key and line, in one GET", async () => {
  await using s3 = await FakeS3.start({ buckets: ["bucket"] });
  const labels = seed(s3);
  const results = await Array.fromAsync(readObject(`s3://bucket/${KEY}`, s3.awsOptions()));
  assert.equal(results.length, labels.length);
  results.forEach((result, i) => {
    assert.equal(result.key, KEY);
    assert.equal(result.line, i + 1);
    assert.equal(result.event !== undefined, labels[i] === "ok");
  });
  assert.deepEqual(s3.requests.map((r) => r.operation), ["GetObject"]);
});

Deno.test("readObject() resumes a body cut off mid-stream, with or without the listed version", async (t) => {
  for (const known of [false, true]) {
    await t.step(known ? "etag and size given" : "key alone", async () => {
      let cuts = 0;
      await using s3 = await FakeS3.start({
        faults: (_i, request) => {
          if (request.method !== "GET" || (request.headers.has("range") && cuts > 1)) {
            return undefined;
          }
          cuts++;
          return "cut";
        },
      });
      const labels = seed(s3);
      const stored = s3.get("bucket", KEY)!;
      const version = known ? { etag: stored.etag, size: stored.body.length } : {};
      const results = await Array.fromAsync(
        readObject({ bucket: "bucket", key: KEY }, { ...s3.awsOptions(), ...version }),
      );
      assert.equal(results.length, labels.length);
      const ranged = s3.requests.filter((r) => r.operation === "GetObject" && r.status === 206);
      assert.ok(ranged.length >= 1, `${ranged.length} ranged GETs`);
    });
  }
});

Deno.test("readObject() fails with NoSuchKey for a missing object, naming it", async () => {
  await using s3 = await FakeS3.start({ buckets: ["bucket"] });
  await assert.rejects(
    Array.fromAsync(readObject("s3://bucket/enriched/missing.gz", s3.awsOptions())),
    (e: unknown) =>
      e instanceof S3Error && e.code === "NoSuchKey" &&
      e.message.includes("s3://bucket/enriched/missing.gz"),
  );
});

Deno.test("readObject() rejects bad locations and options at once", async (t) => {
  const options = { credentials: { accessKeyId: "A", secretAccessKey: "B" } };
  const cases: [string, () => unknown, ErrorConstructor][] = [
    ["a bucket without a key", () => readObject("s3://bucket/", options), TypeError],
    ["an empty key", () => readObject({ bucket: "b", key: "" }, options), TypeError],
    ["a negative size", () => readObject("s3://b/k", { ...options, size: -1 }), RangeError],
    ["a fractional size", () => readObject("s3://b/k", { ...options, size: 1.5 }), RangeError],
    ["an etag number", () => readObject("s3://b/k", { ...options, etag: 1 as never }), TypeError],
  ];
  for (const [name, call, type] of cases) {
    await t.step(name, () => {
      assert.throws(call, type);
    });
  }
});
