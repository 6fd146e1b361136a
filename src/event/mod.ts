/**
 * Enriched events: the 131-field layout, parsing, validation and the flat JSON form, from text
 * (`transform`, `parse`) or from UTF-8 bytes (`writeEventJson` into a `ByteSink`).
 *
 * @module
 */

export * from "./transform.ts";
export * from "./transform_error.ts";
export * from "./transform_to_json.ts";
export * from "./transform_bytes.ts";
export * from "./parse.ts";
export * from "./access.ts";
export * from "./fields.ts";
export * from "./self_describing.ts";
export * from "./flat_event.ts";
