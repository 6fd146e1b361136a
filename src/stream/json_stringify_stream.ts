/**
 * Any values to NDJSON bytes.
 *
 * @module
 */

/**
 * Encodes any values as NDJSON bytes: `JSON.stringify(value)` and `\n` for each. It does what
 * `JsonStringifyStream` of `@std/json` does with its default options, but writes UTF-8 bytes
 * rather than strings, so its output can go straight to a file or a `Response`. Use it for bad
 * rows (`ndjson.badRows.pipeThrough(new JsonStringifyStream())`) or for events read with
 * {@linkcode EventStream}. (It was `NdjsonEncodeStream` before 0.2.)
 *
 * @example Bad rows as NDJSON bytes
 * ```ts
 * import { JsonStringifyStream } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const rows = ReadableStream.from([{ line: 1, raw: "x", error: { type: "NotTSV" } }]);
 * const text = await new Response(rows.pipeThrough(new JsonStringifyStream())).text();
 * assert.equal(text, '{"line":1,"raw":"x","error":{"type":"NotTSV"}}\n');
 * ```
 */
export class JsonStringifyStream extends TransformStream<unknown, Uint8Array> {
  /** A stream that writes each value it is given as one line of JSON. */
  constructor() {
    const encoder = new TextEncoder();
    super({
      transform(value, controller) {
        controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      },
    });
  }
}

/** @deprecated Use {@linkcode JsonStringifyStream}. */
export const NdjsonEncodeStream: typeof JsonStringifyStream = JsonStringifyStream;
/** @deprecated Use {@linkcode JsonStringifyStream}. */
export type NdjsonEncodeStream = JsonStringifyStream;
