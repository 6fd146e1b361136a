/**
 * Enriched events: the 131-field layout, parsing, validation and the flat JSON form.
 *
 * @module
 */

export * from "./fields.ts";
export * from "./self_describing.ts";
export * from "./transform_error.ts";
export * from "./transform.ts";
export * from "./flat_event.ts";
export * from "./parse.ts";
export * from "./transform_to_json.ts";
export * from "./access.ts";
export * from "./transform_bytes.ts";
