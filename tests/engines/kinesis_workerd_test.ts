/**
 * `kinesisHandler` (and so `decodeEnrichedRecord`: fzstd, the zstd frame checks, gzip) in
 * workerd through miniflare: plain, zstd and gzip records, and a zstd record with a bad
 * checksum.
 */
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { Miniflare } from "npm:miniflare@4.20260426.0";
// deno-lint-ignore no-import-prefix
import { gzipSync } from "npm:fflate@0.8.3";
import type { EnrichedStreamRecord } from "../../src/engines/mod.ts";
import { transform } from "../../src/event/mod.ts";
import { bundleWorker } from "../support/runtime.ts";
import { generateCorpus } from "../support/generator.ts";

const ENTRY = new URL("./kinesis_worker.ts", import.meta.url).pathname;
const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

Deno.test("kinesisHandler() decodes plain, zstd and gzip records in workerd", async () => {
  const { dir, path } = await bundleWorker(ENTRY, "kinesis-worker-");
  try {
    const lines = generateCorpus(31, 60);
    const z = zlib as unknown as {
      zstdCompressSync(data: Uint8Array, options: unknown): Uint8Array;
      constants: Record<string, number>;
    };
    const zstd = (bytes: Uint8Array) =>
      new Uint8Array(
        z.zstdCompressSync(bytes, { params: { [z.constants.ZSTD_c_checksumFlag]: 1 } }),
      );
    const corrupt = zstd(encoder.encode(lines.join("\n")));
    corrupt[corrupt.length - 1] ^= 1;
    const data = [
      encoder.encode(lines[0]),
      zstd(encoder.encode(lines.slice(1, 40).join("\n"))),
      gzipSync(encoder.encode(lines.slice(40).join("\n"))),
      corrupt,
    ];
    const event = {
      Records: data.map((bytes, i) => ({
        kinesis: { partitionKey: `pk-${i}`, sequenceNumber: `${100 + i}`, data: base64(bytes) },
        eventSource: "aws:kinesis",
      })),
    };
    const mf = new Miniflare({
      modules: true,
      script: await Deno.readTextFile(path),
      compatibilityDate: "2025-01-01",
    });
    try {
      const answer = await mf.dispatchFetch("http://localhost/", {
        method: "POST",
        body: JSON.stringify(event),
      });
      const { response, records, errors } = await answer.json() as {
        response: unknown;
        records: EnrichedStreamRecord[];
        errors: string[];
      };
      assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: "103" }] });
      assert.deepEqual(records.map((r) => r.encoding), ["plain", "zstd", "gzip"]);
      assert.deepEqual(
        records.flatMap((r) => r.events),
        JSON.parse(JSON.stringify(lines.map((line) => transform(line)))),
      );
      assert.match(errors[0], /the content checksum does not match/);
    } finally {
      await mf.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
