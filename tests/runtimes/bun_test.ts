/** The public module, bundled, in Bun (a child process serving the self-test on 127.0.0.1). */
import {
  assertReport,
  BUN_VERSION,
  bunBinary,
  bundleSelfTest,
  requestSelfTest,
  SERVE_SCRIPT,
  startLocalAws,
  startRuntimeServer,
} from "../support/runtime.ts";
import assert from "node:assert/strict";

Deno.test("the bundled module passes the self-test in Bun", async () => {
  const [bun, bundle] = await Promise.all([bunBinary(), bundleSelfTest()]);
  try {
    await using aws = await startLocalAws();
    const server = await startRuntimeServer(bun, [SERVE_SCRIPT, bundle.path]);
    try {
      const report = await requestSelfTest(server.url, aws.env);
      assertReport(report, aws.env, "bun");
      assert.equal(report.version, BUN_VERSION);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(bundle.dir, { recursive: true });
  }
});
