/**
 * What `bench/gzip_bench.ts` and `bench/_gzip_rounds.ts` share: the corpus (the file named by
 * `SNOWPLOW_BENCH_CORPUS`, or 20,000 generated lines, seed 42) compressed into four gzip members,
 * an S3 answered from memory, the old decoder (fflate's `Gunzip`, trailers not checked), and one
 * drain of `NdjsonStream` and of `readRun` over them.
 *
 * @module
 */

import { Gunzip } from "npm:fflate@0.8.3";
import { NdjsonStream, readRun } from "../mod.ts";
import type { GunzipPair } from "../src/stream/mod.ts";
import { writeCorpus } from "../tests/support/generator.ts";

const GENERATED_EVENTS = 20_000;
export const MEMBERS = 4;
export const OBJECTS = 4;

async function corpusBytes(): Promise<Uint8Array> {
  const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
  if (given) return await Deno.readFile(given);
  const path = await Deno.makeTempFile({ prefix: "gzip_bench_", suffix: ".tsv" });
  try {
    await writeCorpus(path, 42, GENERATED_EVENTS);
    return await Deno.readFile(path);
  } finally {
    await Deno.remove(path);
  }
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `text` cut at line ends into `count` parts, each a gzip member, concatenated. */
async function members(text: Uint8Array, count: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 1; i <= count; i++) {
    let end = i === count ? text.length : Math.floor((text.length * i) / count);
    while (end < text.length && text[end - 1] !== 0x0a) end++;
    parts.push(await gzip(text.subarray(start, end)));
    start = end;
  }
  return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

/** The old built-in decoder: fflate's `Gunzip` over the whole input, trailers not checked. */
export function oldGunzip(): GunzipPair {
  let gunzip: Gunzip;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gunzip = new Gunzip((data) => {
        if (data.length > 0) controller.enqueue(data);
      });
    },
    transform(chunk) {
      gunzip.push(chunk);
    },
    flush() {
      gunzip.push(new Uint8Array(0), true);
    },
  });
}

export const text = await corpusBytes();
let lines = 0;
for (let i = 0; i < text.length; i++) if (text[i] === 0x0a) lines++;
if (text.length > 0 && text[text.length - 1] !== 0x0a) lines++;
/** Lines (events) in the corpus. */
export const events = lines;
const gz = await members(text, MEMBERS);

const bucket = "bench";
const prefix = "enriched/run=2026-01-01-00-00-00/";
const keys = Array.from({ length: OBJECTS }, (_, i) => `${prefix}part-${i}.gz`);
const awsOptions = {
  endpoint: "http://s3.bench.invalid",
  region: "us-east-1",
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  fetch: memoryS3,
};

/**
 * S3 answered from memory (ListObjectsV2 and GetObject of the objects above), so the benchmark
 * times the SDK rather than a local HTTP server sharing its thread.
 */
function memoryS3(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const etag = '"bench"';
  if (url.searchParams.get("list-type") === "2") {
    const contents = keys.map((key) =>
      `<Contents><Key>${key}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
      `<ETag>${etag}</ETag><Size>${gz.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`
    ).join("");
    const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>` +
      `<Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount>` +
      `<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
    return Promise.resolve(new Response(xml, { headers: { "content-type": "application/xml" } }));
  }
  void init;
  return Promise.resolve(
    new Response(source(), {
      headers: {
        "content-length": String(gz.length),
        etag,
        "content-type": "application/octet-stream",
      },
    }),
  );
}

/** Source chunks of 1 MiB, as a file or a fetch body gives them. */
function source(): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (offset >= gz.length) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const chunk = gz.slice(offset, offset + (1 << 20));
      offset += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

/** One drain of `NdjsonStream` over the gzip corpus (`gunzip`: the old path). */
export async function ndjson(gunzip?: () => GunzipPair): Promise<void> {
  const stream = new NdjsonStream(source(), gunzip ? { gunzip } : {});
  stream.badRows.cancel();
  for await (const _ of stream) { /* drain */ }
  const lines = stream.stats.events + stream.stats.badRows;
  if (lines !== events) throw new Error(`${lines} lines, expected ${events}`);
}

/** One drain of `readRun` over the four objects (`gunzip`: the old path). */
export async function run(gunzip?: () => GunzipPair): Promise<void> {
  let n = 0;
  const options = gunzip ? { ...awsOptions, gunzip } : awsOptions;
  for await (const _ of readRun({ bucket, prefix }, options)) n++;
  if (n !== events * OBJECTS) throw new Error(`${n} lines, expected ${events * OBJECTS}`);
}
