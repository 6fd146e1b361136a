/**
 * The one place where an enriched line becomes JSON text in the stream layer.
 *
 * @module
 */

import { transform, type TransformOptions } from "../event/mod.ts";

/**
 * The flat JSON form of `line` as JSON text: equal to `JSON.stringify(transform(line,
 * options))`. Throws `TransformError` for an invalid line.
 */
export function eventToJson(line: string, options?: TransformOptions): string {
  return JSON.stringify(transform(line, options));
}
