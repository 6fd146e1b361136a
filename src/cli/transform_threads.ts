/**
 * `transform --jobs N` (N ≥ 2, NDJSON of whole events): this thread reads each input,
 * decompresses it and cuts the text into pieces at line ends; N transform threads
 * (`transform_thread.ts`) convert the pieces; this thread writes their NDJSON and bad rows in
 * input order. One file uses every thread, and so do several files (their pieces follow each
 * other). Memory stays bounded: at most {@linkcode PIECES_PER_THREAD} pieces per thread are
 * out at once.
 *
 * @module
 */

import type { BadRow, EventStreamOptions, StreamStats } from "../stream/mod.ts";
import { isGzip, StreamReadError } from "../stream/mod.ts";
import {
  type LineCounts,
  NdjsonLines,
  type NdjsonOfLines,
  ndjsonOfLines,
} from "../stream/_ndjson_lines.ts";
import { LineFeedFinder } from "../stream/line_feed.ts";
import { DEFAULT_MAX_LINE_BYTES } from "../stream/line_source.ts";
import { _emptyStreamStats } from "../stream/stream_stats.ts";
import { EXIT } from "./exit_codes.ts";
import { nativeGunzip } from "./native_gunzip.ts";
import { ZlibGunzip } from "./zlib_gunzip.ts";
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";
import { messageOf } from "../_error_message.ts";

/** The transform options a thread needs (those that can cross to a worker). */
export type ThreadOptions = Pick<
  EventStreamOptions,
  "geoLocation" | "nulls" | "schemaVersion" | "maxLineBytes"
>;

/**
 * What this thread sends a transform thread: lines `text` of an input, from `firstLine`, and a
 * buffer to write their NDJSON into (one written before, handed back for reuse).
 */
export interface PieceRequest {
  id: number;
  text: Uint8Array<ArrayBuffer>;
  firstLine: number;
  /** Whether the text ends the input (its last line may have no newline). */
  final: boolean;
  options: ThreadOptions;
  output?: ArrayBuffer;
}

/** What a transform thread sends back (with the text's buffer, for reuse). */
export interface PieceResult extends NdjsonOfLines {
  id: number;
  text: ArrayBuffer;
}

/** Why an input failed: the message, the exit status, and whether it was opened. */
export interface InputFailure {
  message: string;
  status: number;
  opened: boolean;
}

/** An opened input: its bytes and, for a file, its size. */
export interface OpenedInput {
  source: ReadableStream<Uint8Array>;
  size?: number;
}

/** Where the output goes. */
export interface ThreadSinks {
  stdout: Output;
  progress: Progress;
  /** Writes one bad row of `file`. */
  badRow(file: string, row: BadRow): Promise<void>;
}

/**
 * Text is cut into pieces of about 1 MiB (some 400 events of the usual size: a few
 * milliseconds of work against about 0.1 ms to hand a piece over and back).
 */
export const PIECE_BYTES = 1024 * 1024;
/**
 * Pieces out per thread before the oldest must be written: enough to keep the threads busy while
 * this thread, which they share with it on a small machine, decompresses (on the project's 2-core
 * VM 6 gave two gzip files 2–5% sooner than 3, in three interleaved runs each).
 */
export const PIECES_PER_THREAD = 6;

/**
 * The threads start only once this much text (of all inputs, about 12,000 events) has been
 * converted on the main thread, or as soon as an input's size says that more than this is coming:
 * starting them and warming up their code cost 0.2–0.3 s on the project VM, more than they save
 * on smaller inputs (docs/scale.md).
 */
export const THREADS_AFTER_BYTES = 32 * 1024 * 1024;

/**
 * How many bytes of text a byte of gzip is taken to hold when deciding to start the threads early
 * (enriched events compress about 6.5 to 1; a lower figure errs towards the main thread).
 */
const GZIP_TEXT_RATIO = 4;

/**
 * Transforms `files` in order on `threads` transform threads and writes their NDJSON and bad
 * rows in input order. Stops at the first input that fails: what was read of it before the
 * failure is written first. Returns that input's failure.
 *
 * @throws {OutputError} When the output cannot be written.
 */
export async function transformOnThreads(
  files: string[],
  threads: number,
  options: ThreadOptions,
  open: (file: string) => Promise<OpenedInput | InputFailure>,
  sinks: ThreadSinks,
): Promise<InputFailure | undefined> {
  const pool = new ThreadPool(threads, options);
  try {
    for (const file of files) {
      const opened = await open(file);
      if (!("source" in opened)) return opened;
      const failure = await new InputCutter(file, opened, pool, options, sinks).run();
      if (failure !== undefined) return failure;
    }
    return undefined;
  } finally {
    pool.close();
  }
}

/**
 * The transform threads, started once {@linkcode THREADS_AFTER_BYTES} of text were converted on
 * this thread or are known to be coming (until then `convert` converts here).
 */
class ThreadPool {
  readonly #size: number;
  readonly #options: ThreadOptions;
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, PromiseWithResolvers<NdjsonOfLines>>();
  #next = 0;
  /** Text converted on this thread before the threads were started. */
  #convertedHere = 0;
  /** Set once a thread failed: no piece is given out after it (it would never come back). */
  #failure: Error | undefined;
  /** Buffers that held text, back from the threads, to cut the next pieces into. */
  readonly #textBuffers: ArrayBuffer[] = [];
  /** Buffers that held NDJSON, written out, to give the threads again. */
  readonly #outputBuffers: ArrayBuffer[] = [];

  constructor(size: number, options: ThreadOptions) {
    this.#size = size;
    this.#options = options;
  }

  /** How many pieces may be out at once. */
  get capacity(): number {
    return this.#size * PIECES_PER_THREAD;
  }

  /**
   * A buffer of at least `bytes` bytes to cut a piece into (reused: fresh memory costs page
   * faults on the first write, about as much as the copy itself).
   */
  textBuffer(bytes: number): Uint8Array<ArrayBuffer> {
    const reused = this.#textBuffers.pop();
    if (reused !== undefined && reused.byteLength >= bytes) return new Uint8Array(reused, 0, bytes);
    return new Uint8Array(new ArrayBuffer(Math.max(bytes, 2 * PIECE_BYTES)), 0, bytes);
  }

  /**
   * Starts the threads now if `bytes` more text is coming (an input's size says so) and that
   * passes {@linkcode THREADS_AFTER_BYTES}: they then warm up while this thread converts the
   * input's first pieces, instead of after them.
   */
  expect(bytes: number): void {
    if (this.#workers.length === 0 && this.#convertedHere + bytes > THREADS_AFTER_BYTES) {
      this.#start();
    }
  }

  /** Takes back the buffer of NDJSON that has been written. */
  written(ndjson: Uint8Array): void {
    if (this.#outputBuffers.length < this.capacity) {
      this.#outputBuffers.push(ndjson.buffer as ArrayBuffer);
    }
  }

  /**
   * Gives `text` (lines from `firstLine`, its buffer is handed over) to the next thread, or
   * converts it here while the threads are not started; resolves with what it became.
   */
  convert(
    text: Uint8Array<ArrayBuffer>,
    firstLine: number,
    final: boolean,
  ): Promise<NdjsonOfLines> {
    if (this.#failure !== undefined) {
      const failed = Promise.reject(this.#failure);
      failed.catch(() => {}); // as below: never an unhandled rejection
      return failed;
    }
    if (this.#workers.length === 0) {
      if (this.#convertedHere + text.length <= THREADS_AFTER_BYTES) {
        this.#convertedHere += text.length;
        const output = this.#outputBuffers.pop();
        const result = ndjsonOfLines(this.#options, text, firstLine, final, output);
        this.#textBuffers.push(text.buffer);
        return Promise.resolve(result);
      }
      this.#start();
    }
    const id = this.#next++;
    const waiting = Promise.withResolvers<NdjsonOfLines>();
    this.#waiting.set(id, waiting);
    const output = this.#outputBuffers.pop();
    const request: PieceRequest = { id, text, firstLine, final, options: this.#options, output };
    const transfer = output === undefined ? [text.buffer] : [text.buffer, output];
    this.#workers[id % this.#size].postMessage(request, transfer);
    // Rejected when the pool stops early: an output error, awaited or not, must not also
    // surface as an unhandled rejection.
    waiting.promise.catch(() => {});
    return waiting.promise;
  }

  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
    const error = new Error("Cannot finish the transform: the transform threads were stopped");
    this.#failure = error;
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }

  #start(): void {
    for (let i = 0; i < this.#size; i++) {
      const url = new URL("./transform_thread.ts", import.meta.url);
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (event: MessageEvent<PieceResult>) => {
        const { id, text, ...result } = event.data;
        if (this.#textBuffers.length < this.capacity) this.#textBuffers.push(text);
        this.#waiting.get(id)?.resolve(result);
        this.#waiting.delete(id);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        // Every piece out fails with it: the input whose turn it is reports it.
        const error = new Error(`Cannot transform on a thread: ${event.message}`);
        this.#failure = error;
        for (const waiting of this.#waiting.values()) waiting.reject(error);
        this.#waiting.clear();
      };
      this.#workers.push(worker);
    }
  }
}

/**
 * One input: read, decompressed, cut at line ends and handed out, while the results are
 * written in order as they come (reading goes on while a write is under way).
 */
class InputCutter {
  readonly #file: string;
  readonly #input: OpenedInput;
  readonly #pool: ThreadPool;
  readonly #options: ThreadOptions;
  readonly #sinks: ThreadSinks;
  readonly #maxLineBytes: number;
  readonly stats: StreamStats = _emptyStreamStats();
  /** Results not yet written, oldest first (the first may be being written). */
  readonly #out: Promise<NdjsonOfLines>[] = [];
  /** The loop that writes `#out` (the last one started). */
  #writing: Promise<void> | undefined;
  #writerRunning = false;
  /** Why writing failed. */
  #writeFailure: { error: unknown } | undefined;
  /** Wakes the reader once a result is written (there is room for another piece). */
  #room: (() => void) | undefined;
  /** Text read but not yet handed out (ending inside a line). */
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  /** How many of the held chunks (the first ones) are known to have no line end. */
  #heldWithoutLineEnd = 0;
  /** The number of the next line to hand out. */
  #line = 1;
  /** A line too long to hold, converted here as it comes. */
  #long: NdjsonLines | null = null;
  /** The gunzip whose buffers come back once their text is cut into a piece. */
  #gunzip: ZlibGunzip | undefined;
  /** The source's own error, to tell it from the decompressor's. */
  #sourceError: unknown = undefined;

  constructor(
    file: string,
    input: OpenedInput,
    pool: ThreadPool,
    options: ThreadOptions,
    sinks: ThreadSinks,
  ) {
    this.#file = file;
    this.#input = input;
    this.#pool = pool;
    this.#options = options;
    this.#sinks = sinks;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Transforms the input; returns why it failed, if it did. */
  async run(): Promise<InputFailure | undefined> {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      let failure: InputFailure | undefined;
      try {
        reader = (await this.#text()).getReader();
      } catch (error) {
        return this.#readFailure(error);
      }
      for (;;) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          failure = this.#readFailure(error);
          break;
        }
        if (result.done) break;
        await this.#take(result.value);
      }
      if (failure === undefined) await this.#end();
      else await this.#handOut(this.#cut(lastLineEnd(this.#held, this.#heldBytes)), false); // whole lines before it
      await this.#writing;
      if (this.#writeFailure !== undefined) throw this.#writeFailure.error;
      return failure;
    } catch (error) {
      await reader?.cancel(error).catch(() => {});
      throw error;
    } finally {
      this.stats.done = true;
      this.#sinks.progress.add(this.stats);
    }
  }

  /** The input's text: decompressed when it starts with the gzip magic bytes. */
  async #text(): Promise<ReadableStream<Uint8Array>> {
    const source = this.#input.source.getReader();
    const stats = this.stats;
    const failed = (error: unknown) => {
      this.#sourceError = error;
      throw error;
    };
    let head: Uint8Array | undefined;
    // Two bytes tell gzip; a first read may give fewer.
    while (head === undefined || head.length < 2) {
      const { done, value } = await source.read().catch(failed);
      if (done) break;
      stats.sourceBytes += value.length;
      head = head === undefined ? value : join([head, value], head.length + value.length);
    }
    const counted = new ReadableStream<Uint8Array>({
      start(controller) {
        if (head !== undefined && head.length > 0) controller.enqueue(head);
      },
      async pull(controller) {
        const { done, value } = await source.read().catch(failed);
        if (done) return controller.close();
        stats.sourceBytes += value.length;
        controller.enqueue(value);
      },
      cancel: (reason) => source.cancel(reason),
    });
    const gzip = head !== undefined && isGzip(head);
    if (this.#input.size !== undefined) {
      this.#pool.expect(this.#input.size * (gzip ? GZIP_TEXT_RATIO : 1));
    }
    if (!gzip) return counted;
    stats.gzip = true;
    const gunzip = ZlibGunzip.create();
    if (gunzip === undefined) return counted.pipeThrough(nativeGunzip());
    this.#gunzip = gunzip;
    return ReadableStream.from(gunzip.decompress(counted));
  }

  /** The failure of reading the input, worded as `EventStream` words it. */
  #readFailure(error: unknown): InputFailure {
    const gunzip = this.stats.gzip && error !== this.#sourceError;
    const message = gunzip ? `Cannot decompress gzip input: ${messageOf(error)}` : messageOf(error);
    const lines = this.#line - 1 + countLineFeeds(this.#held);
    const failure = new StreamReadError(
      `Cannot read the input after line ${lines}: ${message}`,
      { line: lines, cause: error },
    );
    return { message: `${this.#file}: ${failure.message}`, status: EXIT.ioError, opened: true };
  }

  /** Takes the next text: hands out the whole lines once a piece's worth is held. */
  async #take(chunk: Uint8Array): Promise<void> {
    if (this.#long !== null) {
      chunk = this.#continueLongLine(chunk);
      if (chunk.length === 0) return;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes < PIECE_BYTES) return;
    // Only the chunks that came since the last look can hold a line end: a long line is not
    // searched again for every chunk.
    const end = lastLineEnd(this.#held, this.#heldBytes, this.#heldWithoutLineEnd);
    if (end > 0) await this.#handOut(this.#cut(end), false);
    this.#heldWithoutLineEnd = this.#held.length; // what is left after the last line end
    if (this.#heldBytes > this.#maxLineBytes) this.#startLongLine();
  }

  /** The end of the input: the rest is handed out (its last line may have no newline). */
  async #end(): Promise<void> {
    if (this.#long !== null) {
      this.#long.finish();
      const long = this.#long;
      this.#long = null;
      this.#queue(Promise.resolve(long.take()));
      return;
    }
    await this.#handOut(this.#cut(this.#heldBytes), true);
  }

  /** The first `bytes` held bytes, in one buffer; the rest stays held. */
  #cut(bytes: number): Uint8Array<ArrayBuffer> {
    const piece = this.#pool.textBuffer(bytes);
    const rest: Uint8Array[] = [];
    let at = 0;
    for (const chunk of this.#held) {
      const part = at < bytes ? chunk.subarray(0, bytes - at) : chunk.subarray(0, 0);
      piece.set(part, at);
      at += part.length;
      if (part.length < chunk.length) rest.push(chunk.subarray(part.length));
      else this.#gunzip?.release(chunk); // copied: its buffer can be written again
    }
    this.#held = rest;
    this.#heldBytes -= bytes;
    this.#heldWithoutLineEnd = 0;
    return piece;
  }

  /**
   * Hands `text` (whole lines, unless `final`) to a thread, or converts it here when it is all
   * of a small input (no thread started for it).
   */
  async #handOut(text: Uint8Array<ArrayBuffer>, final: boolean): Promise<void> {
    if (text.length === 0) return;
    const firstLine = this.#line;
    this.#line += countLineFeeds([text]);
    while (this.#out.length >= this.#pool.capacity && this.#writeFailure === undefined) {
      await new Promise<void>((resolve) => this.#room = resolve);
    }
    if (this.#writeFailure !== undefined) throw this.#writeFailure.error;
    this.#queue(this.#pool.convert(text, firstLine, final));
  }

  /**
   * The held text is one line longer than the limit: it is converted here as it comes (it
   * becomes a `LineTooLong` bad row), without being held.
   */
  #startLongLine(): void {
    const text = this.#cut(this.#heldBytes);
    this.#long = new NdjsonLines(this.#options, this.#line);
    this.#long.push(text);
  }

  /** Feeds the long line; returns the text after its end (empty while it goes on). */
  #continueLongLine(chunk: Uint8Array): Uint8Array {
    const end = chunk.indexOf(0x0a);
    const long = this.#long!;
    if (end < 0) {
      long.push(chunk);
      return new Uint8Array(0);
    }
    long.push(chunk.subarray(0, end + 1));
    this.#long = null;
    this.#line++;
    this.#queue(Promise.resolve(long.take()));
    return chunk.subarray(end + 1);
  }

  /** Adds a result to be written in its turn, and starts the writing loop if it is idle. */
  #queue(result: Promise<NdjsonOfLines>): void {
    this.#out.push(result);
    if (!this.#writerRunning && this.#writeFailure === undefined) {
      this.#writerRunning = true;
      this.#writing = this.#writeAll();
    }
  }

  /**
   * Writes the results in order, each one's NDJSON, then its bad rows, while there are any.
   * (It marks itself stopped in the same step that finds `#out` empty: a result queued after
   * that starts a new loop.) Never rejects: a failure is kept in `#writeFailure`.
   */
  async #writeAll(): Promise<void> {
    try {
      while (this.#out.length > 0) {
        const result = await this.#out[0];
        if (result.ndjson.length > 0) await this.#sinks.stdout.write(result.ndjson);
        this.#pool.written(result.ndjson);
        for (const row of result.badRows) await this.#sinks.badRow(this.#file, row);
        addCounts(this.stats, result.counts);
        this.#out.shift();
        this.#wake();
        await this.#sinks.progress.tick(this.stats, this.#file, this.#input.size);
      }
    } catch (error) {
      this.#writeFailure = { error };
    } finally {
      this.#writerRunning = false;
      this.#wake();
    }
  }

  #wake(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }
}

function addCounts(stats: StreamStats, counts: LineCounts): void {
  stats.lines += counts.lines;
  stats.events += counts.events;
  stats.badRows += counts.badRows;
  stats.emptyLines += counts.emptyLines;
  stats.invalidUtf8Lines += counts.invalidUtf8Lines;
  stats.textBytes += counts.textBytes;
}

/** The first `bytes` bytes of `chunks`, as one buffer of its own. */
function join(chunks: Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The length of `chunks` (`bytes` in all) up to and including its last `\n` (0 when there is
 * none), searching only `chunks[from]` onwards (the chunks before it are known to have none).
 */
function lastLineEnd(chunks: Uint8Array[], bytes: number, from = 0): number {
  let before = bytes;
  for (let i = chunks.length - 1; i >= from; i--) {
    before -= chunks[i].length;
    const at = chunks[i].lastIndexOf(0x0a);
    if (at >= 0) return before + at + 1;
  }
  return 0;
}

function countLineFeeds(chunks: Uint8Array[]): number {
  let count = 0;
  for (const chunk of chunks) {
    const lineFeeds = new LineFeedFinder(chunk);
    for (let at = lineFeeds.indexOf(0); at >= 0; at = lineFeeds.indexOf(at + 1)) count++;
  }
  return count;
}
