/**
 * A transform thread of `transform --jobs N` (N ≥ 2): converts the pieces of text the main
 * thread cut at line ends into NDJSON and bad rows, and sends them back. Started by
 * `transform_threads.ts`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { ndjsonOfLines } from "../stream/_ndjson_lines.ts";
import type { PieceRequest, PieceResult } from "./transform_threads.ts";

self.onmessage = (event: MessageEvent<PieceRequest>) => {
  const { id, text, firstLine, final, options, output } = event.data;
  const { ndjson, badRows, counts } = ndjsonOfLines(options, text, firstLine, final, output);
  const result: PieceResult = { id, ndjson, badRows, counts, text: text.buffer };
  self.postMessage(result, [ndjson.buffer, text.buffer]);
};
