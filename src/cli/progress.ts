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
  readonly #now: () => number;
  readonly #start: number;
  #lastDraw = 0;
  #drawn = false;

  /**
   * @param stderr Where progress and the summary go.
   * @param live Whether to draw a live progress line (stderr is a terminal, not quiet).
   * @param now The clock in milliseconds (for tests).
   */
  constructor(stderr: Output, live: boolean, now: () => number = () => performance.now()) {
    this.#stderr = stderr;
    this.#live = live;
    this.#now = now;
    this.#start = now();
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
    const now = this.#now();
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
    const seconds = (this.#now() - this.#start) / 1000;
    let text = `transform: ${count(t.lines, "line")}, ${count(t.events, "event")}, ` +
      `${count(t.badRows, "bad row")}, ${count(t.emptyLines, "empty line")} in ` +
      `${seconds.toFixed(2)} s (${this.#rate(t.events)} events/s)`;
    if (t.files > 1) text += `, ${t.files} files`;
    if (t.invalidUtf8Lines > 0) {
      text += `; ${count(t.invalidUtf8Lines, "line")} with invalid UTF-8 (replaced by U+FFFD)`;
    }
    return text;
  }

  #rate(events: number): number {
    const seconds = (this.#now() - this.#start) / 1000;
    return seconds > 0 ? Math.round(events / seconds) : 0;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
