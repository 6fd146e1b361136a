/**
 * The counters every event stream keeps.
 *
 * @module
 */

/**
 * What an event stream has read so far. The object is live: it is updated after each input
 * chunk, and final once the stream has closed (`done` is then `true`). Every line is counted
 * exactly once: `lines === events + badRows + emptyLines`.
 */
export interface StreamStats {
  /** Lines read, including empty lines. */
  lines: number;
  /** Lines that became events. */
  events: number;
  /** Lines that became bad rows (invalid events and lines over `maxLineBytes`). */
  badRows: number;
  /** Lines with no characters; they are neither events nor bad rows. */
  emptyLines: number;
  /** Lines in which invalid UTF-8 bytes were replaced by U+FFFD (they are still read). */
  invalidUtf8Lines: number;
  /** Bytes read from the source (compressed bytes for gzip input). */
  sourceBytes: number;
  /** Bytes of text read (after decompression). */
  textBytes: number;
  /** Whether the input was read as gzip. */
  gzip: boolean;
  /** Whether the input has ended (or the stream was cancelled or failed). */
  done: boolean;
}

/** The counters of a stream that has read nothing yet (a fresh object each call). */
export function _emptyStreamStats(): StreamStats {
  return {
    lines: 0,
    events: 0,
    badRows: 0,
    emptyLines: 0,
    invalidUtf8Lines: 0,
    sourceBytes: 0,
    textBytes: 0,
    gzip: false,
    done: false,
  };
}
