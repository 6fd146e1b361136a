/** The public module, bundled, in Node (a child process serving the self-test on 127.0.0.1). */
import assert from "node:assert/strict";
import { selfTestInChild, SERVE_SCRIPT } from "../support/runtime.ts";

Deno.test("the bundled module passes the self-test in Node", async () => {
  const report = await selfTestInChild("node", "node", (bundle) => [SERVE_SCRIPT, bundle.path]);
  assert.match(report.version, /^\d+\.\d+\.\d+$/);
});
