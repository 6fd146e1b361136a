/**
 * NDJSON pieces → one line at a time, for a consumer that may stop between lines (a full row
 * group) and go on later.
 *
 * @module
 */

const NEWLINE = 10;
const EMPTY = new Uint8Array(0);

/** The lines of NDJSON pushed in pieces; a line may span pieces. */
export class _NdjsonLines {
  readonly #line: (bytes: Uint8Array, start: number, end: number) => void;
  #piece: Uint8Array = EMPTY;
  #at = 0;
  /** The start of a line whose end has not arrived yet (copied out of earlier pieces). */
  #carry: Uint8Array = EMPTY;
  #ended = false;

  constructor(line: (bytes: Uint8Array, start: number, end: number) => void) {
    this.#line = line;
  }

  /** Adds the next piece; call only after {@linkcode next} returned `false`. */
  push(piece: Uint8Array): void {
    this.#piece = piece;
    this.#at = 0;
  }

  /** The input ended: a last line without a line feed is still a line. */
  end(): void {
    this.#ended = true;
  }

  /** Hands one line to the consumer; `false` when no whole line is waiting. */
  next(): boolean {
    const piece = this.#piece;
    const start = this.#at;
    const end = piece.indexOf(NEWLINE, start);
    if (end < 0) {
      if (start < piece.length) this.#keep(piece.subarray(start));
      this.#piece = EMPTY;
      this.#at = 0;
      if (!this.#ended || this.#carry.length === 0) return false;
      const last = this.#carry;
      this.#carry = EMPTY;
      this.#emit(last, 0, last.length);
      return true;
    }
    this.#at = end + 1;
    if (this.#carry.length > 0) {
      this.#keep(piece.subarray(start, end));
      const line = this.#carry;
      this.#carry = EMPTY;
      this.#emit(line, 0, line.length);
    } else this.#emit(piece, start, end);
    return true;
  }

  #emit(bytes: Uint8Array, start: number, end: number): void {
    if (end > start && bytes[end - 1] === 13) end--;
    if (end > start) this.#line(bytes, start, end);
  }

  #keep(part: Uint8Array): void {
    const joined = new Uint8Array(this.#carry.length + part.length);
    joined.set(this.#carry);
    joined.set(part, this.#carry.length);
    this.#carry = joined;
  }
}
