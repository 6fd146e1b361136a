import assert from "node:assert/strict";
import { parseAwsXml, S3Error } from "../../src/aws/mod.ts";

Deno.test("parseAwsXml() keeps every value a string and decodes entities", () => {
  const doc = parseAwsXml(
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><KeyCount>00123</KeyCount>' +
      "<IsTruncated>true</IsTruncated><Contents><ETag>&quot;abc&quot;</ETag></Contents>" +
      "</ListBucketResult>",
    { operation: "ListObjectsV2", arrays: ["Contents", "CommonPrefixes"] },
  );
  assert.deepEqual(doc, {
    ListBucketResult: { KeyCount: "00123", IsTruncated: "true", Contents: [{ ETag: '"abc"' }] },
  });
});

Deno.test("parseAwsXml() refuses DOCTYPE and entity declarations without expanding them", async (t) => {
  const bodies = [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>',
    '<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>x</a>',
    "<!entity x 'y'><a/>",
  ];
  for (const [i, body] of bodies.entries()) {
    await t.step(`body ${i + 1}`, () => {
      assert.throws(
        () => parseAwsXml(body, { operation: "ListObjectsV2", status: 200 }),
        (e: unknown) => {
          assert.ok(e instanceof S3Error);
          assert.equal(e.code, "InvalidResponse");
          assert.equal(e.retryable, false);
          assert.match(e.message, /^S3 ListObjectsV2 failed: 200 InvalidResponse: refused/);
          assert.doesNotMatch(e.message, /lol|passwd/);
          return true;
        },
      );
    });
  }
});

Deno.test("parseAwsXml() names the operation for malformed or truncated XML", async (t) => {
  for (const body of ["<ListBucketResult><Contents><Key>a</Key>", "not xml at all", ""]) {
    await t.step(JSON.stringify(body), () => {
      assert.throws(
        () => parseAwsXml(body, { operation: "ListObjectsV2", requestId: "R1" }),
        (e: unknown) =>
          e instanceof S3Error && e.code === "InvalidResponse" && e.operation === "ListObjectsV2" &&
          e.requestId === "R1",
      );
    });
  }
});
