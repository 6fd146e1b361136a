/**
 * What the idle-timeout guard of response bodies costs: reading 256 MiB in 64 KiB chunks from an
 * in-memory body, raw (the baseline) and through `guardResponse` (an idle timer and an abort
 * listener per body, a promise per read), in the same run.
 *
 * ```sh
 * deno bench -A bench/aws_body_bench.ts
 * ```
 *
 * @module
 */

import { guardResponse } from "../src/aws/idle.ts";

const CHUNK = new Uint8Array(64 * 1024).fill(65);
const CHUNKS = 4096;

function body(): Response {
  let sent = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < CHUNKS) controller.enqueue(CHUNK);
        else controller.close();
      },
    }, { highWaterMark: 0 }),
  );
}

async function drain(response: Response): Promise<void> {
  const reader = response.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  if (bytes !== CHUNK.length * CHUNKS) throw new Error(`read ${bytes} bytes`);
}

Deno.bench("raw body, 4,096 reads", { group: "body", baseline: true }, async () => {
  await drain(body());
});

Deno.bench("guarded body (idle timeout 60 s, a signal)", { group: "body" }, async () => {
  const controller = new AbortController();
  await drain(
    guardResponse(body(), {
      idleTimeoutMs: 60_000,
      signal: controller.signal,
      onIdle: () => new Error("idle"),
    }),
  );
});
