import assert from "node:assert/strict";
import { S3Error, sendAwsRequest } from "../../src/aws/mod.ts";
import { listObjects, type S3Object } from "../../src/s3/mod.ts";
import { objectUrl } from "../../src/s3/request_url.ts";
import {
  cyclicListing,
  FakeS3,
  faultCycle,
  type FaultPlan,
  listingPage,
  s3Fault,
} from "../support/fake_s3.ts";
import { putObject, s3rverOptions, startS3rver } from "../support/s3rver.ts";

const ODD_KEYS = [
  "runs/a b/c d.txt",
  "runs/plus+sign/x+y",
  "runs/unicode/é-ü-日本-😀",
  "runs/percent%20literal/%2F",
  "runs/amp&lt;/<tag>\"'",
  "runs/tab\there",
  "runs/ctrl\u0001char",
  "runs/question?hash#",
  "runs/tilde~star*(paren)!",
];

Deno.test("listObjects() follows continuation tokens and decodes url-encoded keys", async () => {
  await using s3 = await FakeS3.start();
  const keys = [...ODD_KEYS];
  for (let i = 0; i < 25; i++) keys.push(`runs/part-${String(i).padStart(5, "0")}`);
  for (const [i, key] of keys.entries()) {
    s3.put(
      { bucket: "bucket", key, storageClass: i === 3 ? "GLACIER" : "STANDARD" },
      "x".repeat(i),
    );
  }
  s3.put({ bucket: "bucket", key: "other/not-listed" }, "x");

  const objects = await Array.fromAsync(
    listObjects("s3://bucket/runs", s3.awsOptions({ pageSize: 4 })),
  );
  assert.deepEqual(
    objects.map((o) => o.key),
    s3.keys("bucket").filter((k) => k.startsWith("runs/")),
  );
  assert.equal(objects.length, keys.length);
  const byKey = new Map<string, S3Object>(objects.map((o) => [o.key, o]));
  for (const [i, key] of keys.entries()) {
    const object = byKey.get(key)!;
    assert.equal(object.size, i, key);
    assert.equal(object.storageClass, i === 3 ? "GLACIER" : "STANDARD", key);
    assert.ok(object.lastModified instanceof Date && !Number.isNaN(object.lastModified.getTime()));
    assert.equal(object.etag, s3.get("bucket", key)!.etag);
    assert.match(object.etag, /^"[0-9a-f]{32}"$/);
  }
  const lists = s3.requests.filter((r) => r.operation === "ListObjectsV2");
  assert.equal(lists.length, Math.ceil(keys.length / 4));
  assert.ok(lists.every((r) => r.query.get("encoding-type") === "url"));
  assert.ok(lists.slice(1).every((r) => r.query.has("continuation-token")));
});

Deno.test("listObjects() takes a { bucket, prefix } location as is", async () => {
  await using s3 = await FakeS3.start();
  s3.put({ bucket: "bucket", key: "abc" }, "1");
  s3.put({ bucket: "bucket", key: "abd/x" }, "2");
  s3.put({ bucket: "bucket", key: "b" }, "3");
  const objects = await Array.fromAsync(
    listObjects({ bucket: "bucket", prefix: "ab" }, s3.awsOptions()),
  );
  assert.deepEqual(objects.map((o) => o.key), ["abc", "abd/x"]);
  const all = await Array.fromAsync(listObjects("s3://bucket", s3.awsOptions()));
  assert.deepEqual(all.map((o) => o.key), ["abc", "abd/x", "b"]);
});

Deno.test("listObjects() throws caller mistakes at once", () => {
  const options = { credentials: { accessKeyId: "a", secretAccessKey: "b" } };
  assert.throws(() => listObjects("http://bucket/x", options), TypeError);
  assert.throws(() => listObjects({ bucket: "a b", prefix: "" }, options), TypeError);
  assert.throws(() => listObjects("s3://bucket/x", { ...options, pageSize: 0 }), RangeError);
});

Deno.test("listObjects() with a wrong secret fails with SignatureDoesNotMatch on the first attempt", async () => {
  await using s3 = await FakeS3.start();
  s3.put({ bucket: "bucket", key: "a" }, "1");
  const secret = "wrong-secret-DO-NOT-PRINT";
  const options = s3.awsOptions({
    credentials: { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: secret },
  });
  await assert.rejects(Array.fromAsync(listObjects("s3://bucket/", options)), (e: unknown) => {
    assert.ok(e instanceof S3Error);
    assert.equal(e.code, "SignatureDoesNotMatch");
    assert.equal(e.status, 403);
    assert.equal(e.operation, "ListObjectsV2");
    assert.equal(e.retryable, false);
    assert.match(e.requestId ?? "", /^FAKES3/);
    assert.ok(!e.message.includes(secret));
    assert.ok(!e.message.includes(s3.credentials.secretAccessKey));
    assert.ok(!JSON.stringify(e).includes(secret));
    return true;
  });
  assert.equal(s3.requests.length, 1);
});

Deno.test("listObjects() signs with the session token and region", async (t) => {
  await using s3 = await FakeS3.start({
    region: "eu-west-1",
    credentials: [{
      accessKeyId: "ASIATEMP",
      secretAccessKey: "temp-secret",
      sessionToken: "tok/en+=",
    }],
  });
  s3.put({ bucket: "bucket", key: "a" }, "1");
  await t.step("right token and region", async () => {
    const objects = await Array.fromAsync(listObjects("s3://bucket/", s3.awsOptions()));
    assert.deepEqual(objects.map((o) => o.key), ["a"]);
  });
  await t.step("missing token", async () => {
    const options = s3.awsOptions({
      credentials: { accessKeyId: "ASIATEMP", secretAccessKey: "temp-secret" },
    });
    await assert.rejects(
      Array.fromAsync(listObjects("s3://bucket/", options)),
      (e: unknown) => e instanceof S3Error && e.code === "InvalidToken" && e.status === 403,
    );
  });
  await t.step("wrong region", async () => {
    await assert.rejects(
      Array.fromAsync(listObjects("s3://bucket/", s3.awsOptions({ region: "us-west-2" }))),
      (e: unknown) => e instanceof S3Error && e.code === "AuthorizationHeaderMalformed",
    );
  });
});

Deno.test("listObjects() reports a missing bucket as NoSuchBucket", async () => {
  await using s3 = await FakeS3.start();
  await assert.rejects(
    Array.fromAsync(listObjects("s3://nope/", s3.awsOptions())),
    (e: unknown) => e instanceof S3Error && e.code === "NoSuchBucket" && e.status === 404,
  );
});

Deno.test("listObjects() retries throttling, 5xx, resets and cut bodies within the budget", async () => {
  await using s3 = await FakeS3.start({
    faults: faultCycle([
      "SlowDown",
      "ok",
      "InternalError",
      "reset",
      "ok",
      "cut",
      "ServiceUnavailable",
      "ok",
      "reset",
      "ok",
    ]),
  });
  for (let i = 0; i < 40; i++) {
    s3.put({ bucket: "bucket", key: `k/${String(i).padStart(3, "0")}` }, "x");
  }
  const objects = await Array.fromAsync(
    listObjects("s3://bucket/k/", s3.awsOptions({ pageSize: 7 })),
  );
  assert.deepEqual(objects.map((o) => o.key), s3.keys("bucket"));
  const succeeded = s3.requests.filter((r) => r.status === 200).length;
  assert.ok(s3.attemptCount > succeeded + 3, `${s3.attemptCount} attempts`);
});

Deno.test("listObjects() gives up with the typed error after the retry budget", async (t) => {
  const cases: [string, Parameters<typeof FakeS3.start>[0], string, number][] = [
    ["SlowDown", { faults: () => s3Fault(503, "SlowDown") }, "SlowDown", 503],
    ["reset", { faults: () => "reset" }, "NetworkError", 0],
    ["cut body", { faults: () => "cut" }, "NetworkError", 0],
  ];
  for (const [name, serverOptions, code, status] of cases) {
    await t.step(name, async () => {
      await using s3 = await FakeS3.start(serverOptions);
      s3.put({ bucket: "bucket", key: "a" }, "1");
      const options = s3.awsOptions({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
      await assert.rejects(Array.fromAsync(listObjects("s3://bucket/", options)), (e: unknown) => {
        assert.ok(e instanceof S3Error);
        assert.equal(e.code, code);
        assert.equal(e.status, status);
        assert.equal(e.operation, "ListObjectsV2");
        assert.equal(e.retryable, true);
        return true;
      });
      assert.equal(s3.attemptCount, 3);
    });
  }
});

Deno.test("listObjects() stops at once when the signal aborts", async (t) => {
  await t.step("during a request that hangs", async () => {
    await using s3 = await FakeS3.start({ faults: () => "hang" });
    const controller = new AbortController();
    const listing = Array.fromAsync(
      listObjects("s3://bucket/", s3.awsOptions({ signal: controller.signal })),
    );
    setTimeout(() => controller.abort(new Error("stop now")), 20);
    await assert.rejects(listing, { message: "stop now" });
  });
  await t.step("during a backoff sleep", async () => {
    await using s3 = await FakeS3.start({ faults: () => s3Fault(503, "SlowDown") });
    const controller = new AbortController();
    const options = s3.awsOptions({
      signal: controller.signal,
      retry: { maxAttempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.999 },
    });
    const listing = Array.fromAsync(listObjects("s3://bucket/", options));
    while (s3.attemptCount === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("stop now"));
    await assert.rejects(listing, { message: "stop now" });
    assert.equal(s3.attemptCount, 1);
  });
  await t.step("already aborted", async () => {
    await using s3 = await FakeS3.start();
    const options = s3.awsOptions({ signal: AbortSignal.abort(new Error("early")) });
    await assert.rejects(Array.fromAsync(listObjects("s3://bucket/", options)), {
      message: "early",
    });
    assert.equal(s3.requests.length, 0);
  });
});

Deno.test("listObjects() refuses hostile and malformed listings with a typed error", async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      "DOCTYPE with entities",
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' +
      "<ListBucketResult><Contents><Key>&lol2;</Key><Size>1</Size></Contents></ListBucketResult>",
      /DOCTYPE or entity/,
    ],
    [
      "external entity",
      '<?xml version="1.0"?><!ENTITY xxe SYSTEM "file:///etc/passwd"><ListBucketResult/>',
      /DOCTYPE or entity/,
    ],
    ["HTML page", "<html><body><h1>Bad Gateway</h1></body></html>", /not a ListBucketResult/],
    ["HTML with br", "<html><body>Oops<br></body></html>", /not well-formed/],
    [
      "truncated XML",
      '<?xml version="1.0"?><ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a',
      /not well-formed/,
    ],
    ["empty body", "", /not well-formed|not an XML document/],
    ["other root", "<Error2><Code>x</Code></Error2>", /not a ListBucketResult/],
    [
      "truncated without token",
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
      /no NextContinuationToken/,
    ],
    [
      "bad IsTruncated",
      "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
      /IsTruncated/,
    ],
    [
      "bad size",
      "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
      /Size "-1"/,
    ],
    [
      "missing key",
      "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
      /no Key/,
    ],
    [
      "bad url encoding",
      "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%E0%A4%A</Key>" +
      "<Size>1</Size></Contents></ListBucketResult>",
      /not valid URL encoding/,
    ],
  ];
  for (const [name, body, message] of cases) {
    await t.step(name, async () => {
      await using s3 = await FakeS3.start({
        faults: () => ({ status: 200, body, headers: { "content-type": "application/xml" } }),
      });
      await assert.rejects(
        Array.fromAsync(listObjects("s3://bucket/", s3.awsOptions())),
        (e: unknown) => {
          assert.ok(e instanceof S3Error, String(e));
          assert.equal(e.code, "InvalidResponse");
          assert.equal(e.operation, "ListObjectsV2");
          assert.match(e.message, /^S3 ListObjectsV2 failed/);
          assert.match(e.message, message);
          assert.ok(!e.message.includes("passwd") || name === "external entity");
          return true;
        },
      );
      assert.equal(s3.attemptCount, 1);
    });
  }
});

Deno.test("listObjects() stops a listing whose continuation token does not advance", async () => {
  const body = "<ListBucketResult><IsTruncated>true</IsTruncated>" +
    "<NextContinuationToken>same</NextContinuationToken></ListBucketResult>";
  await using s3 = await FakeS3.start({ faults: () => ({ status: 200, body }) });
  await assert.rejects(
    Array.fromAsync(listObjects("s3://bucket/", s3.awsOptions())),
    (e: unknown) => e instanceof S3Error && /did not advance/.test(e.message),
  );
  assert.equal(s3.attemptCount, 2);
});

Deno.test("listObjects() lists, pages and reads objects PUT to s3rver with signed requests", async () => {
  const server = await startS3rver(["smoke"]);
  try {
    const options = s3rverOptions(server.endpoint);
    const keys = ["data/run=2017-01-01-00-00-00/part-0", "data/run=2017-01-01-00-00-00/part-1"];
    for (let i = 0; i < 7; i++) keys.push(`data/more/${i}`);
    keys.push("data/odd key+plus%percent/ü");
    for (const key of keys) await putObject({ bucket: "smoke", key }, `body of ${key}`, options);
    const objects = await Array.fromAsync(
      listObjects("s3://smoke/data/", { ...options, pageSize: 3 }),
    );
    assert.deepEqual(objects.map((o) => o.key), [...keys].sort());
    assert.ok(objects.every((o) => o.size === new TextEncoder().encode(`body of ${o.key}`).length));
    for (const key of [keys[1], keys.at(-1)!]) {
      const got = await sendAwsRequest({
        service: "s3",
        operation: "GetObject",
        method: "GET",
        url: objectUrl("smoke", key, options),
      }, options);
      assert.equal(new TextDecoder().decode(got.body), `body of ${key}`);
    }
  } finally {
    await server.close();
  }
});

/** A plan answering the n-th listing request with `pages[n]` (the last page after that). */
function pagesPlan(pages: Parameters<typeof listingPage>[0][]): FaultPlan {
  let n = 0;
  return () => listingPage(pages[Math.min(n++, pages.length - 1)]);
}

Deno.test("listObjects() stops a listing whose continuation tokens cycle (A, B, A)", async () => {
  await using s3 = await FakeS3.start({ faults: cyclicListing("runs/") });
  const keys: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const object of listObjects("s3://bucket/runs/", s3.awsOptions())) {
        keys.push(object.key);
      }
    })(),
    (e: unknown) => {
      assert.ok(e instanceof S3Error, String(e));
      assert.equal(e.code, "InvalidResponse");
      assert.equal(e.retryable, false);
      assert.match(e.message, /page 3 gives a continuation token already followed/);
      return true;
    },
  );
  assert.equal(s3.attemptCount, 3);
  assert.equal(keys.length, 2, "the pages before the cycle was found");
});

Deno.test("listObjects() stops a listing that does not advance under fresh tokens", async (t) => {
  await t.step("a page repeating the keys of the one before", async () => {
    await using s3 = await FakeS3.start({
      faults: pagesPlan([
        { keys: ["runs/a", "runs/b"], next: "t1" },
        { keys: ["runs/a", "runs/b"], next: "t2" },
        { keys: ["runs/c"] },
      ]),
    });
    await assert.rejects(
      Array.fromAsync(listObjects("s3://bucket/runs/", s3.awsOptions())),
      (e: unknown) =>
        e instanceof S3Error && e.code === "InvalidResponse" &&
        /page 2 lists "runs\/a", which does not come after the pages before/.test(e.message),
    );
    assert.equal(s3.attemptCount, 2);
  });
  await t.step("a page going back in UTF-8 byte order", async () => {
    await using s3 = await FakeS3.start({
      faults: pagesPlan([{ keys: ["runs/\u{1F600}"], next: "t1" }, { keys: ["runs/\uFFFD"] }]),
    });
    await assert.rejects(
      Array.fromAsync(listObjects("s3://bucket/runs/", s3.awsOptions())),
      (e: unknown) => e instanceof S3Error && /does not come after/.test(e.message),
    );
  });
  await t.step("a directory bucket (no order): a key of the page before again", async () => {
    await using s3 = await FakeS3.start({
      faults: pagesPlan([
        { keys: ["runs/b", "runs/a"], next: "t1" },
        { keys: ["runs/c"], next: "t2" },
        { keys: ["runs/c"] },
      ]),
    });
    await assert.rejects(
      Array.fromAsync(listObjects("s3://bucket--usw2-az1--x-s3/runs/", s3.awsOptions())),
      (e: unknown) => e instanceof S3Error && /page 3 lists "runs\/c" again/.test(e.message),
    );
  });
  await t.step("empty pages with fresh tokens are followed to the end", async () => {
    await using s3 = await FakeS3.start({
      faults: pagesPlan([{ next: "t1" }, { keys: ["runs/a"], next: "t2" }, { keys: ["runs/b"] }]),
    });
    const keys = await Array.fromAsync(listObjects("s3://bucket/runs/", s3.awsOptions()));
    assert.deepEqual(keys.map((o) => o.key), ["runs/a", "runs/b"]);
  });
});

Deno.test("listObjects() refuses keys outside the prefix asked for", async () => {
  await using s3 = await FakeS3.start({
    faults: pagesPlan([{ keys: ["runs/a", "other/secret"] }]),
  });
  await assert.rejects(
    Array.fromAsync(listObjects("s3://bucket/runs/", s3.awsOptions())),
    (e: unknown) =>
      e instanceof S3Error && e.code === "InvalidResponse" &&
      /the key "other\/secret" is outside the prefix "runs\/" asked for/.test(e.message),
  );
});
