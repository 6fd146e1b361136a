/**
 * The command line's gunzip thread: a `Worker` that reads a gzip file and decompresses it
 * (member by member, each checked, with the SDK's decoder), posting the text to the thread that
 * transforms it. Started by `threaded_gunzip.ts`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { makeGunzipDecoder } from "../stream/gunzip_decoder.ts";
import type { GunzipMessage, GunzipRequest } from "./threaded_gunzip.ts";

/** Chunks posted and not yet taken by the transforming thread, at most. */
const MAX_IN_FLIGHT = 8;
/** Compressed bytes read at once. */
const READ_BYTES = 1024 * 1024;

let inFlight = 0;
let wake: (() => void) | undefined;

function post(message: GunzipMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function gunzipFile(path: string): Promise<void> {
  using file = await Deno.open(path);
  const decoder = await makeGunzipDecoder();
  let compressed = 0;
  for (;;) {
    const buffer = new Uint8Array(READ_BYTES);
    const read = await file.read(buffer);
    const final = read === null;
    const chunk = final ? new Uint8Array(0) : buffer.subarray(0, read);
    compressed += chunk.length;
    const { out, error } = await decoder.push(chunk, final);
    for (const piece of out) {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => wake = resolve);
      const text = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength
        ? piece
        : piece.slice();
      inFlight++;
      post({ type: "text", text, compressed }, [text.buffer as ArrayBuffer]);
    }
    if (error) return post({ type: "error", message: error.message });
    if (final) return post({ type: "end", compressed });
  }
}

self.onmessage = (event: MessageEvent<GunzipRequest>) => {
  const request = event.data;
  if (request.type === "taken") {
    inFlight--;
    wake?.();
    wake = undefined;
    return;
  }
  gunzipFile(request.path).catch((error) => {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  });
};
