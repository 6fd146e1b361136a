/**
 * The flat JSON form written straight from UTF-8 bytes to UTF-8 bytes: the bytes path, which
 * NDJSON output takes. Nothing is decoded to JS strings or encoded back on the good path;
 * every value is validated on its bytes, and the self-describing payloads are checked by a
 * validating JSON scanner (`_json_bytes.ts`) and then copied as bytes (`_line_writer.ts`).
 *
 * @module
 */

import type { ByteSink } from "./_byte_sink.ts";

export { ByteSink } from "./_byte_sink.ts";
import { LineWriter } from "./_line_writer.ts";
import type { TransformOptions } from "./transform.ts";

/** The writer of every call (a call runs to its end before the next can start). */
const writer = new LineWriter();

/**
 * Appends the flat JSON form of one enriched-event line, given as UTF-8 bytes, followed by
 * `"\n"` to `sink`, without decoding it to a string: the fast path for NDJSON output.
 *
 * The line is `bytes[start, end)` without its line feed (a trailing `\r` is ignored). When it
 * returns `true`, `JSON.parse` of the written text deep-equals
 * `JSON.parse(JSON.stringify(transform(line, options)))` for the decoded line, and for the
 * canonical compact lines that Snowplow Enrich writes the text is the same
 * ({@linkcode transformToJson} is this function on a string). When it returns `false` the sink
 * is unchanged and the line
 * must take the general path ({@linkcode transform}), which also reports the errors: it does
 * so for every line that `transform` rejects, for invalid UTF-8, and for the rare valid lines
 * whose payloads it cannot vouch for (whitespace other than spaces, escaped member names or
 * schemas, numbers that overflow or are negative zero, nesting deeper than 64 (the limit of
 * every path, `MAX_JSON_DEPTH`, is 1,000; see docs/event.md), with
 * `schemaVersion` a top-level member of a context's data that is escaped or named
 * `_schema_version`, a leading byte order mark).
 *
 * @example Write NDJSON, falling back to the general path
 * ```ts
 * import { ByteSink, transform, writeEventJson } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[7] = "42";
 * fields[52] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 7 } }],
 * });
 * const good = new TextEncoder().encode(fields.join("\t"));
 * const bad = new TextEncoder().encode(fields.join("\t").replace("42", "x"));
 *
 * const sink = new ByteSink();
 * assert.equal(writeEventJson(good, 0, good.length, sink), true);
 * assert.equal(writeEventJson(bad, 0, bad.length, sink), false); // transform() throws for it
 * assert.equal(
 *   new TextDecoder().decode(sink.take()),
 *   '{"app_id":"shop","txn_id":42,"contexts_com_acme_user_1":[{"id":7}]}\n',
 * );
 * assert.throws(() => transform(new TextDecoder().decode(bad)));
 * ```
 *
 * @param bytes UTF-8 bytes holding the line.
 * @param start Where the line starts in `bytes`.
 * @param end Where the line ends (exclusive, before its line feed).
 * @param sink Where to append the JSON text and a line feed.
 * @param options What shape to produce (as for {@linkcode transform}).
 * @returns Whether the line was written; `false` means: use the general path.
 * @throws {RangeError} When `[start, end)` is not a range of `bytes`.
 */
export function writeEventJson(
  bytes: Uint8Array,
  start: number,
  end: number,
  sink: ByteSink,
  options?: TransformOptions,
): boolean {
  if (!(start >= 0 && start <= end && end <= bytes.length)) {
    throw new RangeError(
      `Invalid line for writeEventJson(): [${start}, ${end}) is not within the ${bytes.length} bytes`,
    );
  }
  return writer.write(bytes, start, end, sink, options);
}
