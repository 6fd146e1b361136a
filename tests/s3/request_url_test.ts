import assert from "node:assert/strict";
import { bucketUrl, encodeRfc3986, objectUrl, queryString } from "../../src/s3/request_url.ts";

Deno.test("bucketUrl() uses virtual-hosted addressing on AWS for DNS-safe buckets", async (t) => {
  const cases: [string, string | undefined, string][] = [
    ["my-bucket", "eu-west-1", "https://my-bucket.s3.eu-west-1.amazonaws.com/"],
    ["my-bucket", undefined, "https://my-bucket.s3.us-east-1.amazonaws.com/"],
    ["abc", "cn-north-1", "https://abc.s3.cn-north-1.amazonaws.com.cn/"],
    ["my.dotted.bucket", "eu-west-1", "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/"],
    ["Legacy_Bucket", "us-east-1", "https://s3.us-east-1.amazonaws.com/Legacy_Bucket/"],
  ];
  for (const [bucket, region, url] of cases) {
    await t.step(
      `${bucket} in ${region}`,
      () => assert.equal(bucketUrl(bucket, { region }).href, url),
    );
  }
});

Deno.test("bucketUrl() uses path-style addressing for custom endpoints", async (t) => {
  const cases: [string, string][] = [
    ["http://127.0.0.1:9000", "http://127.0.0.1:9000/my-bucket/"],
    ["http://127.0.0.1:9000/", "http://127.0.0.1:9000/my-bucket/"],
    ["https://minio.example/s3", "https://minio.example/s3/my-bucket/"],
    ["https://minio.example/s3/", "https://minio.example/s3/my-bucket/"],
  ];
  for (const [endpoint, url] of cases) {
    await t.step(endpoint, () => assert.equal(bucketUrl("my-bucket", { endpoint }).href, url));
  }
});

Deno.test("objectUrl() percent-encodes each key segment and keeps slashes", () => {
  assert.equal(
    objectUrl("b", "run=2017-01-01-00-00-00/part 0+ü/*(x)!'~.gz", {
      endpoint: "http://127.0.0.1:1",
    })
      .href,
    "http://127.0.0.1:1/b/run%3D2017-01-01-00-00-00/part%200%2B%C3%BC/%2A%28x%29%21%27~.gz",
  );
});

Deno.test("queryString() encodes spaces as %20 and skips undefined values", () => {
  assert.equal(
    queryString({ "list-type": "2", prefix: "a b+c/é", "continuation-token": undefined, x: "1/=" }),
    "list-type=2&prefix=a%20b%2Bc%2F%C3%A9&x=1%2F%3D",
  );
  assert.equal(encodeRfc3986("!'()*-_.~"), "%21%27%28%29%2A-_.~");
});

Deno.test("objectUrl() refuses keys with . or .. segments instead of addressing another object", () => {
  const options = { endpoint: "http://127.0.0.1:1" };
  assert.throws(() => objectUrl("b", "run/../other", options), /"\." or "\.\." segment/);
  assert.throws(() => objectUrl("b", "./x", options), TypeError);
  assert.equal(objectUrl("b", "a..b/.x/x.", options).pathname, "/b/a..b/.x/x.");
});
