/**
 * The command line's gunzip thread: a `Worker` that reads a gzip file and decompresses it with
 * `node:zlib` (every member, each one's CRC-32 and length checked, zero padding after the last
 * one ignored: `native_gunzip.ts`), posting the text to the thread that transforms it. Started
 * by `threaded_gunzip.ts`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { messageOf } from "../_error_message.ts";
import { fileSource } from "./file_source.ts";
import { nativeGunzip } from "./native_gunzip.ts";
import type { GunzipMessage, GunzipRequest } from "./threaded_gunzip.ts";

/** Chunks posted and not yet taken by the transforming thread, at most. */
const MAX_IN_FLIGHT = 8;

let inFlight = 0;
let wake: (() => void) | undefined;

function post(message: GunzipMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function gunzipFile(path: string): Promise<void> {
  let compressed = 0;
  /** The file's own read error (not worded as a decompression failure). */
  let readError: { error: unknown } | undefined;
  const file = fileSource(await Deno.open(path)).getReader();
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await file.read();
        if (done) return controller.close();
        compressed += value.length;
        controller.enqueue(value);
      } catch (error) {
        readError = { error };
        throw error;
      }
    },
    cancel: (reason) => file.cancel(reason),
  });
  try {
    // Everything decompressed before a failure is posted before the error.
    for await (const piece of counted.pipeThrough(nativeGunzip())) {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => wake = resolve);
      const text = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength
        ? piece
        : piece.slice();
      inFlight++;
      post({ type: "text", text, compressed }, [text.buffer as ArrayBuffer]);
    }
  } catch (error) {
    const message = error === readError?.error
      ? messageOf(error)
      : `Cannot decompress gzip input: ${messageOf(error)}`;
    return post({ type: "error", message });
  }
  post({ type: "end", compressed });
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
    post({ type: "error", message: messageOf(error) });
  });
};
