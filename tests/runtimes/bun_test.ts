/** The public module, bundled, in Bun (a child process serving the self-test on 127.0.0.1). */
import assert from "node:assert/strict";
import { BUN_VERSION, bunBinary, selfTestInChild, SERVE_SCRIPT } from "../support/runtime.ts";

Deno.test("the bundled module passes the self-test in Bun", async () => {
  const bun = await bunBinary();
  const report = await selfTestInChild("bun", bun, (bundle) => [SERVE_SCRIPT, bundle.path]);
  assert.equal(report.version, BUN_VERSION);
});
