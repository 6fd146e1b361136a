/**
 * The core's gzip (no `node:zlib`: what Deno Deploy, workerd and `readRun` use), old against new
 * in the same run: `NdjsonStream` and `readRun` over multi-member gzip with
 *
 * - the old path: fflate's streaming `Gunzip` for the whole input (as the SDK did before it
 *   checked trailers; given here as the `gunzip` option, so it also passes through one pipe);
 * - the built-in decoder: each member found and decoded with `DecompressionStream` (native),
 *   its CRC-32 and ISIZE checked.
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS` (one enriched event per line), or 20,000
 * lines generated with seed 42 by `tests/support/generator.ts`; compressed here into four gzip
 * members (as the S3 Loader and `cat a.gz b.gz` write). `readRun` reads four such objects from an
 * S3 answered from memory (its `fetch` option), so the SDK is timed, not a local server.
 *
 * ```sh
 * deno bench -A bench/gzip_bench.ts
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/gzip_bench.ts
 * ```
 *
 * After the run it prints, for each case, events/s of the median iteration and the ratio new ÷
 * old of the medians; then, from rounds that run the old and the new path one after the other
 * (alternating which goes first), the median of the per-round ratios: on a shared machine the
 * medians of separate cases can be minutes apart, the paired rounds are not.
 *
 * @module
 */

import { Gunzip } from "npm:fflate@0.8.3";
import { NdjsonStream, readRun } from "../mod.ts";
import type { GunzipPair } from "../src/stream/mod.ts";
import { writeCorpus } from "../tests/support/generator.ts";
import { median, timed, timings } from "./_timings.ts";

const GENERATED_EVENTS = 20_000;
const MEMBERS = 4;
const OBJECTS = 4;

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
function oldGunzip(): GunzipPair {
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

const text = await corpusBytes();
let events = 0;
for (let i = 0; i < text.length; i++) if (text[i] === 0x0a) events++;
if (text.length > 0 && text[text.length - 1] !== 0x0a) events++;
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

async function ndjson(gunzip?: () => GunzipPair): Promise<void> {
  const stream = new NdjsonStream(source(), gunzip ? { gunzip } : {});
  stream.badRows.cancel();
  for await (const _ of stream) { /* drain */ }
  const lines = stream.stats.events + stream.stats.badRows;
  if (lines !== events) throw new Error(`${lines} lines, expected ${events}`);
}

async function run(gunzip?: () => GunzipPair): Promise<void> {
  let n = 0;
  const options = gunzip ? { ...awsOptions, gunzip } : awsOptions;
  for await (const _ of readRun({ bucket, prefix }, options)) n++;
  if (n !== events * OBJECTS) throw new Error(`${n} lines, expected ${events * OBJECTS}`);
}

const OLD_NDJSON = "NdjsonStream, old path (fflate Gunzip, trailers not checked)";
const NEW_NDJSON = "NdjsonStream, built-in (DecompressionStream per member, checked)";
const OLD_RUN = `readRun, ${OBJECTS} objects, old path (fflate Gunzip)`;
const NEW_RUN = `readRun, ${OBJECTS} objects, built-in (DecompressionStream per member)`;
const ndjsonCase = { group: "NdjsonStream over gzip", n: 7 };
const runCase = { group: "readRun over gzip", n: 7 };
Deno.bench(timed(OLD_NDJSON, () => ndjson(oldGunzip), { ...ndjsonCase, baseline: true }));
Deno.bench(timed(NEW_NDJSON, () => ndjson(), ndjsonCase));
Deno.bench(timed(OLD_RUN, () => run(oldGunzip), { ...runCase, baseline: true }));
Deno.bench(timed(NEW_RUN, () => run(), runCase));

/**
 * Old and new one after the other in each round (the order alternating), so that a slow spell
 * of the shared machine hits both: the ratio of each round, and their median.
 */
const pairedRatios = new Map<string, number[]>();
function paired(name: string, old: () => Promise<void>, now: () => Promise<void>) {
  let round = 0;
  Deno.bench({
    name,
    group: "old and new in the same round",
    n: 7,
    warmup: 1,
    async fn() {
      const time = async (f: () => Promise<void>) => {
        const start = performance.now();
        await f();
        return performance.now() - start;
      };
      let oldMs: number, newMs: number;
      if (round++ % 2 === 0) {
        oldMs = await time(old);
        newMs = await time(now);
      } else {
        newMs = await time(now);
        oldMs = await time(old);
      }
      const list = pairedRatios.get(name) ?? [];
      list.push(oldMs / newMs);
      pairedRatios.set(name, list);
    },
  });
}
paired("NdjsonStream, old then new", () => ndjson(oldGunzip), () => ndjson());
paired("readRun, old then new", () => run(oldGunzip), () => run());

globalThis.addEventListener("unload", () => {
  const report = [
    `corpus: ${events} events, ${(text.length / 1e6).toFixed(1)} MB, ${MEMBERS} gzip members`,
  ];
  const rate = (name: string, objects = 1) => {
    const list = timings.get(name);
    return list ? (events * objects) / (median(list) / 1000) : NaN;
  };
  for (
    const [name, objects] of [[OLD_NDJSON, 1], [NEW_NDJSON, 1], [OLD_RUN, OBJECTS], [
      NEW_RUN,
      OBJECTS,
    ]] as const
  ) {
    report.push(
      `${name}: ${Math.round(rate(name, objects))} events/s (median of ${
        timings.get(name)?.length ?? 0
      })`,
    );
  }
  report.push(`NdjsonStream new ÷ old: ${(rate(NEW_NDJSON) / rate(OLD_NDJSON)).toFixed(2)}`);
  report.push(`readRun new ÷ old: ${(rate(NEW_RUN, OBJECTS) / rate(OLD_RUN, OBJECTS)).toFixed(2)}`);
  for (const [name, ratios] of pairedRatios) {
    report.push(
      `${name}, new ÷ old per round: median ${median(ratios).toFixed(2)} of ${ratios.length} ` +
        `(${[...ratios].sort((x, y) => x - y).map((r) => r.toFixed(2)).join(", ")})`,
    );
  }
  console.error(report.join("\n"));
});
