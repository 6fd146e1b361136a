/**
 * Bad rows: the input lines that did not become events, with why.
 *
 * @module
 */

import type { ParsingErrorJson } from "../event/mod.ts";

/** Why a line longer than the limit was not read. */
export interface LineTooLongJson {
  /** Always `"LineTooLong"`. */
  type: "LineTooLong";
  /** The line's full length in bytes (without its `\n` or `\r\n`). */
  bytes: number;
  /** The limit it exceeded (the `maxLineBytes` option). */
  maxLineBytes: number;
}

/**
 * One input line that is not a valid enriched event. `JSON.stringify(badRow)` is its NDJSON
 * form, such as
 * `{"line":3,"raw":"oops","error":{"type":"NotTSV"}}`.
 */
export interface BadRow {
  /** The 1-based line number in the (decompressed) input. */
  line: number;
  /**
   * The line as read, without its `\n` or `\r\n`. For a line longer than `maxLineBytes`, only
   * its first 1024 bytes (cut at a character boundary).
   */
  raw: string;
  /**
   * Why: the `TransformError`'s JSON (the Scala SDK's `ParsingError` shape), or
   * {@linkcode LineTooLongJson} for a line over the limit.
   */
  error: ParsingErrorJson | LineTooLongJson;
}
