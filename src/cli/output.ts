/**
 * Writing text and bytes to stdout, stderr or a file through one held writer.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A byte sink that accepts text and bytes, in order. */
export class Output {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  /** @param writable Where the bytes go; it stays locked to this output until `close`. */
  constructor(writable: WritableStream<Uint8Array>) {
    this.#writer = writable.getWriter();
  }

  /**
   * Writes `data` (text is UTF-8 encoded) and waits until the sink took it: once this has
   * resolved, the caller may fill the same buffer again (the NDJSON output does).
   */
  async write(data: Uint8Array | string): Promise<void> {
    await this.#writer.write(typeof data === "string" ? encoder.encode(data) : data);
  }

  /** Waits for pending writes, then closes the sink. */
  async close(): Promise<void> {
    await this.#writer.close();
  }

  /** Waits for pending writes and releases the sink without closing it. */
  async release(): Promise<void> {
    await this.#writer.ready;
    this.#writer.releaseLock();
  }
}
