import assert from "node:assert/strict";
import { parseS3Uri } from "../../src/s3/mod.ts";

Deno.test("parseS3Uri() splits bucket and prefix for s3, s3n and s3a", async (t) => {
  const cases: [string, string, string][] = [
    ["s3://bucket/storage/enriched-archive", "bucket", "storage/enriched-archive/"],
    ["s3://bucket/storage/enriched-archive/", "bucket", "storage/enriched-archive/"],
    ["s3n://bucket/a", "bucket", "a/"],
    ["s3a://bucket/a/b/", "bucket", "a/b/"],
    ["S3://bucket/a", "bucket", "a/"],
    ["s3://bucket", "bucket", ""],
    ["s3://bucket/", "bucket", ""],
    ["s3://my.dotted-bucket_1/x", "my.dotted-bucket_1", "x/"],
    ["s3://bucket/with space/+plus/é?#%", "bucket", "with space/+plus/é?#%/"],
  ];
  for (const [uri, bucket, prefix] of cases) {
    await t.step(uri, () => assert.deepEqual(parseS3Uri(uri), { bucket, prefix }));
  }
});

Deno.test("parseS3Uri() throws a TypeError naming the problem", async (t) => {
  const cases: [unknown, RegExp][] = [
    ["https://bucket/x", /start with s3:\/\/, s3n:\/\/ or s3a:\/\//],
    ["bucket/x", /start with s3:\/\//],
    ["s3:/bucket/x", /start with s3:\/\//],
    ["gs://bucket/x", /start with s3:\/\//],
    ["s3://", /bucket name is missing/],
    ["s3:///prefix", /bucket name is missing/],
    ["s3://bu cket/x", /bucket name "bu cket"/],
    ["s3://user@bucket/x", /bucket name "user@bucket"/],
    [42, /expected a string/],
  ];
  for (const [uri, message] of cases) {
    await t.step(String(uri), () => {
      assert.throws(() => parseS3Uri(uri as string), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});
