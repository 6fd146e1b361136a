import assert from "node:assert/strict";
import { crc32 } from "../../src/aws/crc32.ts";

Deno.test("crc32() matches the standard check value and DynamoDB's header", async (t) => {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  await t.step("check value", () => assert.equal(crc32(text("123456789")), 0xcbf43926));
  await t.step("empty", () => assert.equal(crc32(new Uint8Array()), 0));
  // x-amz-crc32 that dynalite sent for this ListTables body.
  await t.step("dynalite body", () => assert.equal(crc32(text('{"TableNames":[]}')), 1315925753));
});
