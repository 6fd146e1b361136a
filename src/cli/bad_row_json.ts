/**
 * The command line's form of a bad row: one NDJSON line with the file it came from.
 *
 * @module
 */

import type { BadRow } from "../stream/mod.ts";

/** `row` with its `file`, as one line of NDJSON. */
export function badRowJson(file: string, row: BadRow): string {
  return `${JSON.stringify({ file, ...row })}\n`;
}
