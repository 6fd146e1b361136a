/**
 * One record of Snowplow Enrich's stream (a Kinesis record, a Kafka message…): one enriched
 * event as TSV, or — from Enrich 6.11 with compression on — many events, one per line,
 * compressed with zstd or gzip. During a switch a stream carries both kinds.
 *
 * @module
 */

import { GunzipDecoder } from "../stream/gunzip_decoder.ts";
import { isGzip } from "../stream/gzip.ts";
import { decompressZstd, isZstd } from "./zstd.ts";

/** How a record was stored: `plain` TSV, or compressed. */
export type EnrichedRecordEncoding = "plain" | "gzip" | "zstd";

/** Which encoding the bytes of a record have, by their magic bytes. */
export function enrichedRecordEncoding(bytes: Uint8Array): EnrichedRecordEncoding {
  return isZstd(bytes) ? "zstd" : isGzip(bytes) ? "gzip" : "plain";
}

/**
 * The uncompressed bytes of one Enrich stream record: zstd (magic `28 b5 2f fd`) and gzip
 * (`1f 8b`) records are decompressed, with integrity checks (zstd: every frame's declared size
 * and content checksum; gzip: as {@linkcode GunzipStream} checks it, every member read to its
 * end); anything else is returned as it is.
 *
 * @throws {TypeError} `Cannot decompress …` when a compressed record is cut short or corrupt.
 */
export async function decompressEnrichedRecord(bytes: Uint8Array): Promise<Uint8Array> {
  const encoding = enrichedRecordEncoding(bytes);
  if (encoding === "zstd") return decompressZstd(bytes);
  if (encoding === "plain") return bytes;
  const { out, error } = await new GunzipDecoder().push(bytes, true);
  if (error !== undefined) throw error;
  if (out.length === 1) return out[0];
  const joined = new Uint8Array(
    out.reduce((sum: number, part: Uint8Array) => sum + part.length, 0),
  );
  let at = 0;
  for (const part of out) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/**
 * The lines of one Enrich stream record, whatever its encoding: a plain record (one enriched
 * event), or a zstd or gzip record of many events, one per line. The encoding is told by the
 * magic bytes, so streams that carry both kinds during a switch are read alike. Lines are
 * decoded as UTF-8 (invalid bytes become U+FFFD, as in {@linkcode EventStream}), split on `\n`
 * or `\r\n`; empty lines are left out. Feed each line to `transform`.
 *
 * The record is decompressed (and checked) before the first line is returned.
 *
 * @throws {TypeError} `Cannot decompress …` when a compressed record is cut short or corrupt:
 * then no line is returned.
 *
 * @example Plain and zstd records
 * ```ts
 * import { decodeEnrichedRecord } from "@snowplow/analytics-sdk/engines";
 * import assert from "node:assert/strict";
 *
 * const plain = new TextEncoder().encode("shop\tweb\t2026-11-30 09:15:02.117");
 * assert.deepEqual(await Array.fromAsync(decodeEnrichedRecord(plain)), ["shop\tweb\t2026-11-30 09:15:02.117"]);
 *
 * // Two lines, zstd-compressed (a frame with a content checksum, as `zstd` writes it).
 * const zstd = Uint8Array.from(atob("KLUv/QRYQQAAYQliCmMJZAoTDJYm"), (c) => c.charCodeAt(0));
 * assert.deepEqual(await Array.fromAsync(decodeEnrichedRecord(zstd)), ["a\tb", "c\td"]);
 * ```
 */
export async function* decodeEnrichedRecord(bytes: Uint8Array): AsyncGenerator<string> {
  yield* splitLines(await decompressEnrichedRecord(bytes));
}

function* splitLines(bytes: Uint8Array): Generator<string> {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  // A byte-order mark is not part of the first line.
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 0x0d) stop--;
    if (stop > start) yield decoder.decode(bytes.subarray(start, stop));
    start = end + 1;
  }
}
