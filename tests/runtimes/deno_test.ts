/**
 * The public module, bundled, in a separate Deno process with only `--allow-net` (and read
 * access to the bundle), as on Deno Deploy: `Deno.serve` with the self-test's fetch handler.
 */
import {
  assertReport,
  bundleSelfTest,
  requestSelfTest,
  SERVE_SCRIPT,
  startLocalAws,
  startRuntimeServer,
} from "../support/runtime.ts";
import assert from "node:assert/strict";

Deno.test("the bundled module passes the self-test in Deno with only --allow-net", async () => {
  const bundle = await bundleSelfTest();
  try {
    await using aws = await startLocalAws();
    const server = await startRuntimeServer(Deno.execPath(), [
      "run",
      "--no-config",
      "--allow-net=127.0.0.1",
      `--allow-read=${bundle.dir}`,
      SERVE_SCRIPT,
      bundle.path,
    ]);
    try {
      const report = await requestSelfTest(server.url, aws.env);
      assertReport(report, aws.env, "deno");
      assert.equal(report.version, Deno.version.deno);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(bundle.dir, { recursive: true });
  }
});
