/**
 * Reading a byte stream chunk by chunk, into buffers that are read into again.
 *
 * @module
 */

/** The first buffers: enough for a small body without holding megabytes. */
const FIRST_BUFFER_BYTES = 64 * 1024;
/** The buffers once a read has filled one: 1 MiB. */
const FULL_BUFFER_BYTES = 1024 * 1024;
/** How many released buffers are kept for the next reads (one is read into while one is used). */
const SPARE_BUFFERS = 2;

/**
 * Reads a stream's chunks. From a byte stream (a file, most `fetch` bodies, the command
 * line's file source) it reads with a BYOB reader into buffers of its own, and a buffer whose
 * chunk was {@linkcode ChunkReader.release}d is read into again: no buffer is allocated per
 * chunk. Any other stream is read with a default reader.
 */
export class ChunkReader {
  /** The stream's reader: BYOB for a byte stream, else default. */
  readonly #reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  /** `#reader` when it is a BYOB reader. */
  readonly #byob: ReadableStreamBYOBReader | null;
  #size = FIRST_BUFFER_BYTES;
  readonly #spare: ArrayBuffer[] = [];

  /** @param stream The stream to read; it is locked to this reader. */
  constructor(stream: ReadableStream<Uint8Array>) {
    let byob: ReadableStreamBYOBReader | null = null;
    try {
      byob = stream.getReader({ mode: "byob" });
    } catch {
      // Not a byte stream (or a runtime without BYOB readers): read it as it comes. A locked
      // stream makes the default reader throw its own error.
    }
    this.#byob = byob;
    this.#reader = byob ?? stream.getReader();
  }

  /** The next chunk (never empty), as a default reader gives it. */
  async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.#byob === null) {
      return await (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read();
    }
    for (;;) {
      const buffer = this.#spare.pop() ?? new ArrayBuffer(this.#size);
      const result = await this.#byob.read(new Uint8Array(buffer));
      if (result.done) return { done: true, value: undefined };
      const chunk = result.value;
      if (chunk.length === this.#size && this.#size < FULL_BUFFER_BYTES) {
        this.#size = FULL_BUFFER_BYTES; // a fast source: read more at a time
        this.#spare.length = 0;
      }
      if (chunk.length > 0) return { done: false, value: chunk };
      this.release(chunk);
    }
  }

  /**
   * Says that nothing refers to `chunk` (one this reader returned) any more: its buffer may be
   * read into again. Not calling it is always safe.
   *
   * @param chunk A chunk from {@linkcode ChunkReader.read}.
   */
  release(chunk: Uint8Array): void {
    const buffer = chunk.buffer;
    if (
      this.#byob !== null && buffer instanceof ArrayBuffer && buffer.byteLength === this.#size &&
      this.#spare.length < SPARE_BUFFERS
    ) {
      this.#spare.push(buffer);
    }
  }

  /**
   * Cancels the stream.
   *
   * @param reason Why.
   */
  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }

  /** Unlocks the stream. */
  releaseLock(): void {
    this.#reader.releaseLock();
  }
}
