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
import { nativeGunzip } from "./native_gunzip.ts";
import { openOutputFile, type Output, OutputError } from "./output.ts";
import type { JobRequest, JobResult } from "./parallel_transform.ts";
import { messageOf } from "../_error_message.ts";

const encoder = new TextEncoder();

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
  const spools: Output[] = [];
  const written = { out: 0, bad: 0 };
  let wholeEvents = 0; // the bytes of `out` up to the end of its last whole event
  try {
    const open = (spool: string) =>
      openOutputFile(spool).catch((error) => Promise.reject(new OutputError(spool, error)));
    const outFile = await open(out);
    spools.push(outFile);
    const badFile = await open(bad);
    spools.push(badFile);
    // Gzip decompressed here, by node:zlib (native): this thread is the whole job.
    const ndjson = new NdjsonStream(fileSource(handle), { ...options, gunzip: nativeGunzip });
    stats = ndjson.stats;
    const writeEvents = async () => {
      const reader = ndjson.getReader({ mode: "byob" });
      let buffer = new ArrayBuffer(1024 * 1024);
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done) break;
        await outFile.write(value);
        const end = value.lastIndexOf(0x0a);
        if (end >= 0) wholeEvents = written.out + end + 1;
        written.out += value.length;
        buffer = value.buffer;
      }
    };
    const writeBadRows = async () => {
      for await (const row of ndjson.badRows) {
        const bytes = encoder.encode(badRowJson(path, row));
        await badFile.write(bytes);
        written.bad += bytes.length;
      }
    };
    await Promise.all([writeEvents(), writeBadRows()]);
    // Closing checks that each spool holds every byte written (and flushes it).
    for (const spool of spools) await spool.close();
    return { type: "done", stats: { ...stats }, written };
  } catch (error) {
    await Promise.all(spools.map((spool) => spool.abort()));
    stats = stats && { ...stats };
    if (error instanceof OutputError) {
      // A write failure, not the input's: the main thread copies the whole events before it
      // (a read of the NDJSON may end inside an event), then throws it as its own.
      const spool = { output: error.output, reason: messageOf(error.cause) };
      return {
        type: "failed",
        message: error.message,
        status: EXIT.ioError,
        opened: true,
        stats,
        written: { out: wholeEvents, bad: written.bad },
        spool,
      };
    }
    const message = error instanceof StreamReadError
      ? `${path}: ${error.message}`
      : `${path}: ${messageOf(error)}`;
    return {
      type: "failed",
      message,
      status: EXIT.ioError,
      opened: true,
      stats,
      written,
    };
  }
}

self.onmessage = async (event: MessageEvent<JobRequest>) => {
  self.postMessage(await transformToSpool(event.data));
};
