/**
 * One file of `transform --jobs N`, on a worker thread: the file (plain or gzip) → NDJSON and
 * bad rows, each written to a spool file that the main thread copies to the output in input
 * order. Started by `parallel_transform.ts`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { NdjsonStream, StreamReadError, type StreamStats } from "../stream/mod.ts";
import { badRowJson } from "./bad_row_json.ts";
import { EXIT } from "./exit_codes.ts";
import { fileSource } from "./file_source.ts";
import type { JobRequest, JobResult } from "./parallel_transform.ts";

const encoder = new TextEncoder();

/** Writes all of `bytes` (a short write is continued; an error is thrown). */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

async function transformToSpool(request: JobRequest): Promise<JobResult> {
  const { path, out, bad, options } = request;
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(path);
    const info = await handle.stat();
    if (info.isDirectory) {
      handle.close();
      const message = `Cannot read ${path}: it is a directory`;
      return { type: "failed", message, status: EXIT.ioError, opened: false, stats: null };
    }
  } catch (error) {
    const message = `Cannot open ${path}: ${messageOf(error)}`;
    const status = error instanceof Deno.errors.NotCapable ? EXIT.permission : EXIT.ioError;
    return { type: "failed", message, status, opened: false, stats: null };
  }
  let stats: StreamStats | null = null;
  try {
    using outFile = await Deno.open(out, { write: true, create: true, truncate: true });
    using badFile = await Deno.open(bad, { write: true, create: true, truncate: true });
    const ndjson = new NdjsonStream(fileSource(handle), options);
    stats = ndjson.stats;
    const writeEvents = async () => {
      const reader = ndjson.getReader({ mode: "byob" });
      let buffer = new ArrayBuffer(1024 * 1024);
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done) break;
        await writeAll(outFile, value);
        buffer = value.buffer;
      }
    };
    const writeBadRows = async () => {
      for await (const row of ndjson.badRows) {
        await writeAll(badFile, encoder.encode(badRowJson(path, row)));
      }
    };
    // No sync: the spool is read back by this process (the page cache has it), not kept.
    await Promise.all([writeEvents(), writeBadRows()]);
    return { type: "done", stats: { ...stats } };
  } catch (error) {
    const message = error instanceof StreamReadError
      ? `${path}: ${error.message}`
      : `${path}: ${messageOf(error)}`;
    return {
      type: "failed",
      message,
      status: EXIT.ioError,
      opened: true,
      stats: stats && { ...stats },
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

self.onmessage = async (event: MessageEvent<JobRequest>) => {
  self.postMessage(await transformToSpool(event.data));
};
