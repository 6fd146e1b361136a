/**
 * The one place where an enriched line becomes JSON text in the stream layer.
 *
 * @module
 */

import { type TransformOptions, transformToJson } from "../event/mod.ts";

/**
 * The flat JSON form of `line` as JSON text (`transformToJson`: it parses to the same value
 * as `JSON.stringify(transform(line, options))`). Throws `TransformError` for an invalid line.
 */
export function eventToJson(line: string, options?: TransformOptions): string {
  return transformToJson(line, options);
}
