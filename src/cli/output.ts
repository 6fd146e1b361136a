/**
 * Writing text and bytes to stdout, stderr or a file through one held writer, so that every
 * failure to write is seen: a full disk, a closed pipe, a failed flush.
 *
 * @module
 */

import { messageOf } from "../_error_message.ts";

const encoder = new TextEncoder();

/**
 * Writing to an output failed: an I/O error (exit status 1), reported in one line.
 * `output` names it (`stdout`, or the file's path); the original error is the `cause`.
 */
export class OutputError extends Error {
  /** What could not be written: `stdout`, `stderr` or a file's path. */
  readonly output: string;

  constructor(output: string, cause: unknown) {
    super(`Cannot write to ${output}: ${messageOf(cause)}`, { cause });
    this.name = "OutputError";
    this.output = output;
  }
}

/** A byte sink that accepts text and bytes, in order. */
export class Output {
  /** What it writes to, for messages: `stdout`, `stderr` or a file's path. */
  readonly name: string;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  /**
   * @param writable Where the bytes go; it stays locked to this output until `close`.
   * @param name What it is, for error messages.
   */
  constructor(writable: WritableStream<Uint8Array>, name = "output") {
    this.#writer = writable.getWriter();
    this.name = name;
  }

  /**
   * Writes `data` (text is UTF-8 encoded) and waits until the sink took it: once this has
   * resolved, the caller may fill the same buffer again (the NDJSON output does).
   *
   * @throws {OutputError} When the write failed.
   */
  async write(data: Uint8Array | string): Promise<void> {
    try {
      await this.#writer.write(typeof data === "string" ? encoder.encode(data) : data);
    } catch (error) {
      throw new OutputError(this.name, error);
    }
  }

  /**
   * Waits for pending writes, then closes the sink (a file is flushed to the disk first).
   *
   * @throws {OutputError} When a write, the flush or the close failed.
   */
  async close(): Promise<void> {
    try {
      await this.#writer.close();
    } catch (error) {
      throw new OutputError(this.name, error);
    }
  }

  /** Drops the sink without waiting for pending writes (a file is closed); never throws. */
  async abort(reason?: unknown): Promise<void> {
    await this.#writer.abort(reason).catch(() => {});
  }

  /** Waits for pending writes and releases the sink without closing it. */
  async release(): Promise<void> {
    await this.#writer.ready;
    this.#writer.releaseLock();
  }
}

/** Something bytes are written to, such as `Deno.stdout` or a `Deno.FsFile`. */
export interface ByteWriter {
  /** Writes some of `bytes` (at least one) and returns how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Writes all of `bytes`: a short write is continued where it stopped, and a write that takes
 * nothing is an error (not an endless loop).
 */
export async function writeAll(writer: ByteWriter, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const written = await writer.write(bytes.subarray(offset));
    if (!(written > 0)) throw new Error(`the write took ${written} of ${bytes.length} bytes`);
    offset += written;
  }
}

/**
 * A writable that writes each chunk whole with {@linkcode writeAll}. Unlike `FsFile.writable`,
 * whose final flush at close can fail without an error, every failure of a write rejects it.
 */
export function writerWritable(writer: ByteWriter): WritableStream<Uint8Array> {
  return new WritableStream({ write: (chunk) => writeAll(writer, chunk) });
}

/** The standard output, written so that every failure is seen. */
export function stdoutOutput(): Output {
  return new Output(writerWritable(Deno.stdout), "stdout");
}

/** The standard error, written so that every failure is seen. */
export function stderrOutput(): Output {
  return new Output(writerWritable(Deno.stderr), "stderr");
}

/**
 * Creates (or truncates) the file at `path` for writing. Every write is checked; closing the
 * output flushes the data to the disk (`fdatasync`), checks that the file holds every byte
 * written, and only then resolves: a full disk is an {@linkcode OutputError} at the latest
 * there, never a short file that looks complete. A failed write closes the file. (A path that
 * is not a regular file, such as `/dev/null`, is only written: there is nothing to flush.)
 *
 * @param path The file to write.
 * @throws The error of `Deno.open` when the file cannot be created.
 */
export async function openOutputFile(path: string): Promise<Output> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  // A device or a pipe (`--bad /dev/null`) has nothing to flush to a disk and no size to check.
  const regular = (await file.stat()).isFile;
  let open = true;
  let written = 0;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      try {
        await writeAll(file, chunk);
        written += chunk.length;
      } catch (error) {
        close();
        throw error;
      }
    },
    async close() {
      try {
        if (!regular) return;
        await file.syncData();
        const { size } = await file.stat();
        if (size !== written) {
          throw new Error(`the file holds ${size} bytes but ${written} were written`);
        }
      } finally {
        close();
      }
    },
    abort() {
      close();
    },
  });
  return new Output(writable, path);
}
