/**
 * Counting across files, the live progress line and the final summary of `transform`.
 *
 * @module
 */

import type { StreamStats } from "../stream/mod.ts";
import type { Output } from "./output.ts";

/** Counts summed over every input file. */
export interface Totals {
  /** Input files (stdin counts as one). */
  files: number;
  /** Lines read, including empty lines. */
  lines: number;
  /** Lines that became events. */
  events: number;
  /** Lines that became bad rows. */
  badRows: number;
  /** Empty lines. */
  emptyLines: number;
  /** Lines in which invalid UTF-8 was replaced. */
  invalidUtf8Lines: number;
}

const INTERVAL_MS = 250;
/** The progress line appears only once a run has lasted this long. */
const DELAY_MS = 1000;

/** Keeps the totals and writes the progress line and the summary to stderr. */
export class Progress {
  readonly totals: Totals = {
    files: 0,
    lines: 0,
    events: 0,
    badRows: 0,
    emptyLines: 0,
    invalidUtf8Lines: 0,
  };
  readonly #stderr: Output;
  readonly #live: boolean;
  readonly #start = performance.now();
  #lastDraw = 0;
  #drawn = false;

  /**
   * @param stderr Where progress and the summary go.
   * @param live Whether to draw a live progress line (stderr is a terminal, not quiet).
   */
  constructor(stderr: Output, live: boolean) {
    this.#stderr = stderr;
    this.#live = live;
  }

  /** Adds a finished (or failed) file's counts. */
  add(stats: StreamStats): void {
    const t = this.totals;
    t.files++;
    t.lines += stats.lines;
    t.events += stats.events;
    t.badRows += stats.badRows;
    t.emptyLines += stats.emptyLines;
    t.invalidUtf8Lines += stats.invalidUtf8Lines;
  }

  /** Redraws the progress line when it is due; `current` is the file being read. */
  async tick(current: StreamStats, file: string, size?: number): Promise<void> {
    if (!this.#live) return;
    const now = performance.now();
    if (now - this.#start < DELAY_MS || now - this.#lastDraw < INTERVAL_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    const events = this.totals.events + current.events;
    const percent = size ? ` ${Math.min(100, (100 * current.sourceBytes) / size).toFixed(0)}%` : "";
    const text = `${file}${percent}: ${this.totals.lines + current.lines} lines, ${events} ` +
      `events, ${this.totals.badRows + current.badRows} bad rows, ${this.#rate(events)} events/s`;
    await this.#stderr.write(`\r\x1b[K${text}`);
  }

  /** Clears the progress line. */
  async clear(): Promise<void> {
    if (this.#drawn) await this.#stderr.write("\r\x1b[K");
    this.#drawn = false;
  }

  /** The one-line summary. */
  summary(): string {
    const t = this.totals;
    const seconds = (performance.now() - this.#start) / 1000;
    let text = `transform: ${t.lines} lines, ${t.events} events, ${t.badRows} bad rows, ` +
      `${t.emptyLines} empty lines in ${seconds.toFixed(2)} s (${this.#rate(t.events)} events/s)`;
    if (t.files > 1) text += `, ${t.files} files`;
    if (t.invalidUtf8Lines > 0) {
      text += `; ${t.invalidUtf8Lines} lines had invalid UTF-8 (replaced by U+FFFD)`;
    }
    return text;
  }

  #rate(events: number): number {
    const seconds = (performance.now() - this.#start) / 1000;
    return seconds > 0 ? Math.round(events / seconds) : 0;
  }
}
