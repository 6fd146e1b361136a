/**
 * The public module, bundled, in a separate Deno process with only `--allow-net` (and read
 * access to the bundle), as on Deno Deploy: `Deno.serve` with the self-test's fetch handler.
 */
import assert from "node:assert/strict";
import { selfTestInChild, SERVE_SCRIPT } from "../support/runtime.ts";

Deno.test("the bundled module passes the self-test in Deno with only --allow-net", async () => {
  const report = await selfTestInChild("deno", Deno.execPath(), (bundle) => [
    "run",
    "--no-config",
    "--allow-net=127.0.0.1",
    `--allow-read=${bundle.dir}`,
    SERVE_SCRIPT,
    bundle.path,
  ]);
  assert.equal(report.version, Deno.version.deno);
});
