/**
 * A transform thread of `transform --jobs N` (N ≥ 2): converts the pieces of text the main
 * thread cut at line ends into NDJSON and bad rows, and sends them back. Started by
 * `transform_threads.ts`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { NdjsonLines } from "../stream/_ndjson_lines.ts";
import type { PieceRequest, PieceResult } from "./transform_threads.ts";

self.onmessage = (event: MessageEvent<PieceRequest>) => {
  const { id, text, firstLine, final, options, output } = event.data;
  // NDJSON is about 1.25 times the TSV it comes from: one buffer, rarely grown.
  const lines = new NdjsonLines(options, firstLine, output ?? Math.ceil(text.length * 1.3));
  lines.push(text);
  if (final) lines.finish();
  const { ndjson, badRows, counts } = lines.take();
  const result: PieceResult = { id, ndjson, badRows, counts, text: text.buffer };
  self.postMessage(result, [ndjson.buffer, text.buffer]);
};
