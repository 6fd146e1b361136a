/**
 * Output files that appear only whole: written to `PATH.partial`, renamed to PATH once every
 * byte was written and the file closed, removed when anything failed. A failed run never
 * leaves a finished-looking file.
 *
 * @module
 */

import { toParquet, type ToParquetOptions } from "../parquet/mod.ts";
import { openOutputFile, type Output } from "./output.ts";

/** An output file being written; `commit` publishes it under its name, `abandon` drops it. */
export interface WholeFile {
  readonly output: Output;
  commit(): Promise<void>;
  abandon(): Promise<void>;
}

/** Starts writing `path` (as `path.partial`); throws the `Deno.open` error when it cannot. */
export async function openWholeFile(path: string): Promise<WholeFile> {
  const partial = `${path}.partial`;
  // Every write checked; `close` flushes to the disk and checks the size before the rename.
  const output = await openOutputFile(partial);
  let done = false;
  return {
    output,
    async commit() {
      if (done) return;
      done = true;
      try {
        await output.close();
        await Deno.rename(partial, path);
      } catch (error) {
        await Deno.remove(partial).catch(() => {});
        throw error;
      }
    },
    async abandon() {
      if (done) return;
      done = true;
      await output.abort();
      await Deno.remove(partial).catch(() => {});
    },
  };
}

/**
 * Writes `events` as one Parquet file at `path`, whole or not at all: an error of the events
 * (the input failed), of the writer or of the file removes the partial file and is thrown.
 */
export async function writeParquetFile(
  path: string,
  events: AsyncIterable<Record<string, unknown>>,
  options: ToParquetOptions,
): Promise<void> {
  await writeStreamFile(path, toParquet(events, options));
}

/**
 * Writes the bytes of `stream` as the file at `path`, whole or not at all: an error of the
 * stream or of the file removes the partial file and is thrown. `written` is called after
 * each piece.
 */
export async function writeStreamFile(
  path: string,
  stream: ReadableStream<Uint8Array>,
  written?: () => Promise<void>,
): Promise<void> {
  const file = await openWholeFile(path);
  try {
    for await (const piece of stream) {
      await file.output.write(piece);
      await written?.();
    }
    await file.commit();
  } catch (error) {
    await file.abandon();
    throw error;
  }
}

/** The message of a `toParquet` error without its "Cannot write event N to Parquet: " start. */
export function parquetErrorJson(error: Error): { type: string; message: string } {
  return {
    type: "ParquetUnwritable",
    message: error.message.replace(/^Cannot write event \d+ to Parquet: /, ""),
  };
}
