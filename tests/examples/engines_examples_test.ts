import assert from "node:assert/strict";

const decoder = new TextDecoder();

async function run(script: string): Promise<string> {
  const path = new URL(`../../examples/${script}`, import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  return decoder.decode(stdout);
}

function assertLines(out: string, lines: string[]): void {
  for (const line of lines) {
    assert.ok(out.split("\n").includes(line), `missing line: ${line}\n${out}`);
  }
}

Deno.test("examples/aws-lambda runs its three functions on local servers", async () => {
  const out = await run("aws-lambda/run_local.ts");
  assertLines(out, [
    '   answer: {"batchItemFailures":[]}',
    '   output: {"processed":3,"alreadyDone":3,"events":30,"badRows":0}',
    "Local servers stopped.",
  ]);
  const loaded = out.split("\n").filter((line) => line.startsWith('{"loaded":'));
  assert.equal(loaded.length, 6, "each of the 6 objects is loaded once");
  assert.equal(new Set(loaded.map((line) => JSON.parse(line).loaded)).size, 6);
  const records = out.split("\n").filter((line) => line.startsWith('{"record":'));
  assert.deepEqual(records.map((line) => JSON.parse(line).encoding), ["plain", "zstd", "gzip"]);
});

Deno.test("examples/cloudflare-queues runs in workerd with a local Queue", async () => {
  const out = await run("cloudflare-queues/run_local.ts");
  assertLines(out, [
    "3. queue(): the consumer processed all 30 objects",
    "4. R2 OUTPUT holds 30 NDJSON files, 147 events",
    "5. the producer again (POST /produce): 0 objects sent, every one is done",
    "Local servers stopped.",
  ]);
});

Deno.test("examples/deno-deploy processes at most MAX_OBJECTS files per tick", async () => {
  const out = await run("deno-deploy/run_local.ts");
  assertLines(out, [
    "tick 1: 5 processed, 0 already done, 7 left for the next tick, 0 failed",
    "tick 2: 5 processed, 5 already done, 2 left for the next tick, 0 failed",
    "tick 3: 2 processed, 10 already done, 0 left for the next tick, 0 failed",
    "tick 4: 0 processed, 12 already done, 0 left for the next tick, 0 failed",
  ]);
  const loaded = out.split("\n").filter((line) => line.startsWith('{"loaded":'));
  assert.equal(new Set(loaded.map((line) => JSON.parse(line).loaded)).size, 12);
  assert.equal(loaded.length, 12, "none twice");
});

Deno.test("the engines examples type-check", async () => {
  const files = [
    "aws-lambda/handler.ts",
    "aws-lambda/run_local.ts",
    "cloudflare-queues/worker.ts",
    "cloudflare-queues/run_local.ts",
    "deno-deploy/main.ts",
    "deno-deploy/run_local.ts",
  ].map((file) => new URL(`../../examples/${file}`, import.meta.url).pathname);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...files],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
});
