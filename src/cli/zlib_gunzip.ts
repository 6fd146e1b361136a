/**
 * The transform threads' gunzip: `node:zlib`'s inflate driven directly, writing into buffers
 * that the reader gives back once it has copied what they hold, so that the same few buffers
 * serve a whole file. (The stream form, `native_gunzip.ts`, hands out a fresh buffer for every
 * 256 KiB: on the project VM touching that fresh memory cost as much as a third of the inflate.)
 *
 * It drives the handle under `node:zlib`'s stream the way `node:zlib` itself does (its
 * `writeSync` and `_writeState`, in Deno as in Node); where a runtime lacks them,
 * {@linkcode ZlibGunzip.create} returns `undefined` and the caller uses the stream form.
 *
 * It behaves as `nativeGunzip()` does: every member of a multi-member file is read, each one's
 * CRC-32 and length are checked, zero padding after the last member ends the data (what follows
 * it is ignored, as `gzip -d` and `node:zlib` do), and on corrupt or cut data everything
 * decompressed before is delivered, then the error.
 *
 * @module
 */

import { constants, createGunzip } from "node:zlib";

/** Bytes of text a buffer holds (as `nativeGunzip()`'s chunks). */
const BUFFER_BYTES = 256 * 1024;
/** Buffers kept for reuse at most (the reader holds a few while it waits for a line end). */
const SPARE_BUFFERS = 16;

/** The `node:zlib` handle's synchronous write, as `node:zlib`'s stream calls it. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputBytes: number,
    output: Uint8Array,
    outputOffset: number,
    outputBytes: number,
  ): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

/** What `node:zlib`'s stream keeps of its handle (internal in Node and Deno alike). */
interface ZlibInternals {
  _handle?: Partial<ZlibHandle>;
  /** After each write: the output bytes left free, then the input bytes left unread. */
  _writeState?: Uint32Array;
  close(): void;
}

/** A buffer being written or read: how many views of it are out. */
interface BufferUse {
  views: number;
}

/** A gunzip that writes into reused buffers; see the module doc. */
export class ZlibGunzip {
  readonly #zlib: ZlibInternals;
  readonly #handle: ZlibHandle;
  readonly #state: Uint32Array;
  #error: Error | undefined;
  /** Set once the data ended before the input did (zero padding): the rest is ignored. */
  #ended = false;
  #buffer: Uint8Array<ArrayBuffer>;
  #used = 0;
  /** The views of each buffer still out (the buffer is reused once none is). */
  readonly #uses = new Map<ArrayBuffer, BufferUse>();
  readonly #spare: ArrayBuffer[] = [];

  private constructor(zlib: ZlibInternals, handle: ZlibHandle, state: Uint32Array) {
    this.#zlib = zlib;
    this.#handle = handle;
    this.#state = state;
    handle.onerror = (message, errno, code) => {
      this.#error = Object.assign(new Error(message), { errno, code });
    };
    this.#buffer = this.#nextBuffer();
  }

  /** A gunzip, or `undefined` when this runtime's `node:zlib` cannot be driven directly. */
  static create(): ZlibGunzip | undefined {
    const zlib = createGunzip() as unknown as ZlibInternals;
    const handle = zlib._handle;
    const state = zlib._writeState;
    if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array)) {
      zlib.close();
      return undefined;
    }
    return new ZlibGunzip(zlib, handle as ZlibHandle, state);
  }

  /**
   * Decompresses `source`: yields the text as views of this gunzip's buffers, each to be read
   * (or given back with {@linkcode release}) before the next is asked for. Throws what
   * `source` throws, or why the data is corrupt or cut short, after the text before it.
   */
  async *decompress(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array<ArrayBuffer>> {
    try {
      for await (const compressed of source) {
        if (!this.#ended) yield* this.#inflate(constants.Z_NO_FLUSH, compressed);
      }
      if (!this.#ended) yield* this.#inflate(constants.Z_FINISH, new Uint8Array(0));
    } finally {
      this.#zlib.close();
    }
  }

  /**
   * Gives back a view this gunzip yielded (or the rest of one) once nothing reads it any more:
   * its buffer is written again once all its views are back. Other bytes are ignored.
   */
  release(view: Uint8Array): void {
    const buffer = view.buffer as ArrayBuffer;
    const use = this.#uses.get(buffer);
    if (use === undefined || --use.views > 0) return;
    if (buffer !== this.#buffer.buffer) this.#reuse(buffer);
  }

  *#inflate(flush: number, input: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
    let offset = 0;
    let bytes = input.length;
    for (;;) {
      const free = this.#buffer.length - this.#used;
      this.#handle.writeSync(flush, input, offset, bytes, this.#buffer, this.#used, free);
      if (this.#error !== undefined) throw this.#error;
      const [freeAfter, left] = this.#state;
      const written = free - freeAfter;
      if (written > 0) {
        const view = this.#buffer.subarray(this.#used, this.#used + written);
        this.#used += written;
        this.#uses.get(this.#buffer.buffer)!.views++;
        yield view;
      }
      offset += bytes - left;
      bytes = left;
      if (freeAfter === 0) {
        this.#retire();
        continue; // more may be waiting in zlib
      }
      // Output room was left: zlib took all it could. Input left over means the data ended.
      if (bytes > 0) this.#ended = true;
      return;
    }
  }

  /** The full buffer is done with; the next write goes to another. */
  #retire(): void {
    const full = this.#buffer.buffer;
    this.#buffer = this.#nextBuffer();
    if (this.#uses.get(full)!.views === 0) this.#reuse(full);
  }

  #reuse(buffer: ArrayBuffer): void {
    this.#uses.delete(buffer);
    if (this.#spare.length < SPARE_BUFFERS) this.#spare.push(buffer);
  }

  #nextBuffer(): Uint8Array<ArrayBuffer> {
    const buffer = this.#spare.pop() ?? new ArrayBuffer(BUFFER_BYTES);
    this.#uses.set(buffer, { views: 0 });
    this.#used = 0;
    return new Uint8Array(buffer);
  }
}
