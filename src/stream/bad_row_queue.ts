/**
 * The bad rows of an {@linkcode NdjsonStream}, as a stream of their own.
 *
 * @module
 */

import type { BadRow } from "./bad_row.ts";
import type { StreamStats } from "./stream_stats.ts";

/** How much raw text of unread bad rows {@linkcode BadRowQueue} holds: 4 MiB. */
export const BAD_ROW_QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Bad rows handed to a reader through {@linkcode BadRowQueue.readable}, with a bound on the raw
 * text queued and not yet read: the producer checks {@linkcode BadRowQueue.full} before it reads
 * on, and waits for {@linkcode BadRowQueue.drained}. Once cancelled, rows are only counted.
 */
export class BadRowQueue {
  /** The rows, in the order they were added. */
  readonly readable: ReadableStream<BadRow>;
  readonly #stats: StreamStats;
  #controller!: ReadableStreamDefaultController<BadRow>;
  /** Whether rows are still queued (not closed, errored or cancelled). */
  #open = true;
  /** Resolves the producer's wait for the reader. */
  #pulled: (() => void) | null = null;
  /** The error `readable` ends with once the rows queued before it are read. */
  #failure: { error: unknown } | undefined;

  /** @param stats Where the rows are counted (`badRows`). */
  constructor(stats: StreamStats) {
    this.#stats = stats;
    this.readable = new ReadableStream<BadRow>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: (controller) => {
        this.#wake();
        if (this.#failure !== undefined && controller.desiredSize === BAD_ROW_QUEUE_BYTES) {
          this.#open = false; // every row queued before the failure has been read
          controller.error(this.#failure.error);
        }
      },
      cancel: () => {
        this.#open = false;
        this.#wake();
      },
    }, { highWaterMark: BAD_ROW_QUEUE_BYTES, size: (row) => row.raw.length + 100 });
  }

  /** Whether the reader is behind: the producer should wait for {@linkcode BadRowQueue.drained}. */
  get full(): boolean {
    return this.#open && (this.#controller.desiredSize ?? 1) <= 0;
  }

  /** Resolves at the reader's next read, or when the queue is cancelled or ended. */
  drained(): Promise<void> {
    return new Promise<void>((resolve) => this.#pulled = resolve);
  }

  /** Counts a row and queues it (unless the reader cancelled). */
  add(row: BadRow): void {
    this.#stats.badRows++;
    if (this.#open) this.#controller.enqueue(row);
  }

  /**
   * Closes `readable` after the rows already queued; with an `error`, errors it instead once
   * those rows have been read.
   */
  end(error?: unknown): void {
    if (!this.#open) return;
    if (error === undefined) {
      this.#open = false;
      this.#controller.close(); // after the queued rows, as `close` always is
    } else if (this.#controller.desiredSize === BAD_ROW_QUEUE_BYTES) {
      this.#open = false;
      this.#controller.error(error);
    } else {
      this.#failure = { error }; // the pull that finds the queue empty errors it
    }
    this.#wake();
  }

  #wake(): void {
    this.#pulled?.();
    this.#pulled = null;
  }
}
