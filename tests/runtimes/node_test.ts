/** The public module, bundled, in Node (a child process serving the self-test on 127.0.0.1). */
import {
  assertReport,
  bundleSelfTest,
  requestSelfTest,
  SERVE_SCRIPT,
  startLocalAws,
  startRuntimeServer,
} from "../support/runtime.ts";
import assert from "node:assert/strict";

Deno.test("the bundled module passes the self-test in Node", async () => {
  const bundle = await bundleSelfTest();
  try {
    await using aws = await startLocalAws();
    const node = await startRuntimeServer("node", [SERVE_SCRIPT, bundle.path]);
    try {
      const report = await requestSelfTest(node.url, aws.env);
      assertReport(report, aws.env, "node");
      assert.match(report.version, /^\d+\./);
    } finally {
      await node.stop();
    }
  } finally {
    await Deno.remove(bundle.dir, { recursive: true });
  }
});
