import assert from "node:assert/strict";
import { staticGraph } from "../support/module_graph.ts";
import { PROJECT_ROOT } from "../support/runtime.ts";

Deno.test("the gunzip worker loads node:zlib's gunzip, not the pure-JavaScript decoder", async () => {
  const loaded = await staticGraph(`${PROJECT_ROOT}src/cli/gunzip_worker.ts`);
  assert.ok(loaded.some((s) => s.endsWith("/src/cli/native_gunzip.ts")), loaded.join("\n"));
  const decoders = loaded.filter((s) => /fflate|\/src\/stream\//.test(s));
  assert.deepEqual(decoders, []);
});
