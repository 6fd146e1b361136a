/**
 * The public module, bundled, in workerd (Cloudflare Workers' runtime) through miniflare,
 * in-process: the bundle is the Worker's script; it serves on 127.0.0.1 until `dispose()`.
 */
import { Miniflare } from "npm:miniflare@4.20260426.0";
import {
  assertReport,
  bundleSelfTest,
  requestSelfTest,
  startLocalAws,
} from "../support/runtime.ts";
import assert from "node:assert/strict";

Deno.test("the bundled module passes the self-test in workerd (miniflare)", async () => {
  const bundle = await bundleSelfTest();
  try {
    await using aws = await startLocalAws();
    const mf = new Miniflare({
      modules: true,
      script: await Deno.readTextFile(bundle.path),
      compatibilityDate: "2025-01-01",
      host: "127.0.0.1",
      port: 0,
    });
    try {
      const url = await mf.ready;
      assert.equal(url.hostname, "127.0.0.1");
      const report = await requestSelfTest(url.href, aws.env);
      assertReport(report, aws.env, "workerd");
    } finally {
      await mf.dispose();
    }
  } finally {
    await Deno.remove(bundle.dir, { recursive: true });
  }
});
