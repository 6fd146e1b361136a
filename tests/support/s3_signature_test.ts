import assert from "node:assert/strict";
import { verifySigV4 } from "./s3_signature.ts";

// The AWS SigV4 test suite's "get-vanilla" case: the fake S3's verifier is its own SigV4
// implementation, so it must accept the official vector independently of aws4fetch.
const VANILLA = {
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
    "SignedHeaders=host;x-amz-date, " +
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  payload: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

function vanillaRequest(authorization: string): Request {
  return new Request("https://example.amazonaws.com/", {
    headers: {
      authorization,
      "x-amz-date": "20150830T123600Z",
      "x-amz-content-sha256": VANILLA.payload,
    },
  });
}

const keys = new Map([["AKIDEXAMPLE", {
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}]]);

function verify(
  authorization: string,
  options: { secret?: string; region?: string; host?: string } = {},
): Promise<string> {
  return verifySigV4(vanillaRequest(authorization), new Uint8Array(), {
    keys: options.secret === undefined
      ? keys
      : new Map([["AKIDEXAMPLE", { secretAccessKey: options.secret }]]),
    region: options.region ?? "us-east-1",
    service: "service",
    host: options.host ?? "example.amazonaws.com",
  }).then((verdict) => (verdict.ok ? `ok ${verdict.accessKeyId}` : verdict.code));
}

Deno.test("verifySigV4() accepts the AWS get-vanilla test vector", async () => {
  assert.equal(await verify(VANILLA.authorization), "ok AKIDEXAMPLE");
});

Deno.test("verifySigV4() rejects a changed signature, secret, host or region", async (t) => {
  const forged = VANILLA.authorization.replace(/Signature=5/, "Signature=6");
  await t.step("signature", async () => {
    assert.equal(await verify(forged), "SignatureDoesNotMatch");
  });
  await t.step("secret", async () => {
    assert.equal(await verify(VANILLA.authorization, { secret: "other" }), "SignatureDoesNotMatch");
  });
  await t.step("host", async () => {
    const host = "example.amazonaws.com:8443";
    assert.equal(await verify(VANILLA.authorization, { host }), "SignatureDoesNotMatch");
  });
  await t.step("region", async () => {
    const region = "eu-west-1";
    assert.equal(await verify(VANILLA.authorization, { region }), "AuthorizationHeaderMalformed");
  });
});
