/**
 * Corpus helpers shared by the benchmarks.
 *
 * @module
 */

/**
 * The non-empty lines of `bytes`, each decoded from UTF-8 on its own as the stream layer does
 * (so each is a flat string, not a slice of one large string).
 */
export function readLines(bytes: Uint8Array): string[] {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) lines.push(decoder.decode(bytes.subarray(start, end)));
    start = end + 1;
  }
  return lines;
}
