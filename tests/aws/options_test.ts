import assert from "node:assert/strict";
import { awsOptionsFromEnv, serviceEndpoint } from "../../src/aws/mod.ts";

const BASE = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "top-secret-value" };

Deno.test("awsOptionsFromEnv() reads credentials, session token and region", () => {
  assert.deepEqual(
    awsOptionsFromEnv({ ...BASE, AWS_SESSION_TOKEN: "tok", AWS_REGION: "eu-west-1" }),
    {
      region: "eu-west-1",
      credentials: {
        accessKeyId: "AKIDTEST",
        secretAccessKey: "top-secret-value",
        sessionToken: "tok",
      },
    },
  );
});

Deno.test("awsOptionsFromEnv() prefers AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1", async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" }, "eu-west-1"],
    [{ AWS_DEFAULT_REGION: "ap-south-1" }, "ap-south-1"],
    [{ AWS_REGION: "", AWS_DEFAULT_REGION: "ap-south-1" }, "ap-south-1"],
    [{}, "us-east-1"],
  ];
  for (const [env, region] of cases) {
    await t.step(JSON.stringify(env), () => {
      assert.equal(awsOptionsFromEnv({ ...BASE, ...env }).region, region);
    });
  }
});

Deno.test("awsOptionsFromEnv() lets the service-specific endpoint win", async (t) => {
  const env = {
    ...BASE,
    AWS_ENDPOINT_URL: "http://127.0.0.1:1",
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:2",
    AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:3",
  };
  await t.step(
    "s3",
    () => assert.equal(awsOptionsFromEnv(env, "s3").endpoint, "http://127.0.0.1:2"),
  );
  await t.step("dynamodb", () => {
    assert.equal(awsOptionsFromEnv(env, "dynamodb").endpoint, "http://127.0.0.1:3");
  });
  await t.step(
    "no service",
    () => assert.equal(awsOptionsFromEnv(env).endpoint, "http://127.0.0.1:1"),
  );
  await t.step("general only", () => {
    assert.equal(
      awsOptionsFromEnv({ ...BASE, AWS_ENDPOINT_URL: "http://127.0.0.1:1" }, "s3").endpoint,
      "http://127.0.0.1:1",
    );
  });
  await t.step("none", () => assert.equal("endpoint" in awsOptionsFromEnv(BASE, "s3"), false));
});

Deno.test("awsOptionsFromEnv() names a missing variable without any value", async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ AWS_SECRET_ACCESS_KEY: "top-secret-value" }, "AWS_ACCESS_KEY_ID"],
    [{ AWS_ACCESS_KEY_ID: "AKIDTEST" }, "AWS_SECRET_ACCESS_KEY"],
    [{ AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "" }, "AWS_SECRET_ACCESS_KEY"],
  ];
  for (const [env, name] of cases) {
    await t.step(name, () => {
      assert.throws(() => awsOptionsFromEnv(env), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, new RegExp(name));
        assert.ok(!e.message.includes("top-secret-value"));
        assert.ok(!e.message.includes("AKIDTEST"));
        return true;
      });
    });
  }
});

Deno.test("serviceEndpoint() builds AWS endpoints and checks custom ones", async (t) => {
  await t.step("dynamodb default region", () => {
    assert.equal(serviceEndpoint("dynamodb", {}).href, "https://dynamodb.us-east-1.amazonaws.com/");
  });
  await t.step("china region", () => {
    assert.equal(
      serviceEndpoint("s3", { region: "cn-north-1" }).href,
      "https://s3.cn-north-1.amazonaws.com.cn/",
    );
  });
  await t.step("custom endpoint kept", () => {
    assert.equal(
      serviceEndpoint("dynamodb", { endpoint: "http://127.0.0.1:8000" }).href,
      "http://127.0.0.1:8000/",
    );
  });
  await t.step("bad endpoint", () => {
    assert.throws(() => serviceEndpoint("s3", { endpoint: "localhost:9000/x" }), TypeError);
    assert.throws(() => serviceEndpoint("s3", { endpoint: "not a url" }), TypeError);
  });
  await t.step("bad region", () => {
    assert.throws(() => serviceEndpoint("s3", { region: "" }), RangeError);
    assert.throws(() => serviceEndpoint("s3", { region: "evil.com/x" }), RangeError);
  });
});
