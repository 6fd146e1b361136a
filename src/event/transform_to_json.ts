/**
 * The flat JSON form as JSON text: the bytes path on a string.
 *
 * @module
 */

import { ByteSink } from "./_byte_sink.ts";
import { transform, type TransformOptions } from "./transform.ts";
import { writeEventJson } from "./transform_bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** The UTF-8 of the line being converted, and the sink of its JSON (reused by every call). */
let input = new Uint8Array(1 << 12);
const sink = new ByteSink(1 << 13);

/**
 * The flat JSON form of a line as JSON text, without building the object first:
 * `JSON.parse(transformToJson(line, options))` deep-equals
 * `JSON.parse(JSON.stringify(transform(line, options)))`, and for payloads written the way
 * `JSON.stringify` writes them the two texts are identical.
 *
 * The line is encoded to UTF-8 and written by {@linkcode writeEventJson} (payloads are copied,
 * not parsed and serialised again), and its result decoded; the lines that path does not vouch
 * for (invalid values, unpaired surrogates, escaped member names, numbers a copy would change,
 * and so on) take `JSON.stringify(transform(line, options))`, so errors are `transform`'s.
 *
 * @example Write one NDJSON line
 * ```ts
 * import { transform, transformToJson } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[52] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 7 } }],
 * });
 * const line = fields.join("\t");
 *
 * assert.equal(transformToJson(line), '{"app_id":"shop","contexts_com_acme_user_1":[{"id":7}]}');
 * assert.equal(transformToJson(line), JSON.stringify(transform(line)));
 * ```
 *
 * @param line One enriched event: 131 tab-separated fields.
 * @param options What shape to produce.
 * @returns The flat JSON form as compact JSON text (no line break).
 * @throws {TransformError} Exactly when {@linkcode transform} throws.
 */
export function transformToJson(line: string, options?: TransformOptions): string {
  // The line ends where transform() ends it: before a final "\n" or "\r\n". A "\r" left at
  // its end is part of the last field there, while the bytes path would drop it.
  let end = line.length;
  if (line.charCodeAt(end - 1) === 10) {
    end--;
    if (line.charCodeAt(end - 1) === 13) end--;
  }
  if (line.charCodeAt(end - 1) === 13) return JSON.stringify(transform(line, options));
  // TextEncoder would replace an unpaired surrogate, which JSON.stringify escapes.
  if (!line.isWellFormed()) return JSON.stringify(transform(line, options));
  if (input.length < 3 * end) input = new Uint8Array(3 * end + 1024);
  // (At most 3 bytes per UTF-16 unit, so it all fits.)
  const { written } = encoder.encodeInto(end === line.length ? line : line.slice(0, end), input);
  sink.reset();
  if (!writeEventJson(input, 0, written, sink, options)) {
    return JSON.stringify(transform(line, options));
  }
  return decoder.decode(sink.bytes.subarray(0, sink.length - 1)); // without the line feed
}
