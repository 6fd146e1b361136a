/**
 * Self-describing JSON and Iglu schema URIs: the shapes of the `contexts`,
 * `derived_contexts` and `unstruct_event` columns, and the names they are shredded to.
 *
 * @module
 */

/** A JSON value with the Iglu schema that describes it. */
export interface SelfDescribingJson<T = unknown> {
  /** An Iglu URI: `iglu:VENDOR/NAME/FORMAT/MODEL-REVISION-ADDITION`. */
  schema: string;
  /** The payload the schema describes. */
  data: T;
}

/** The `contexts` and `derived_contexts` columns: an envelope around a list of entities. */
export interface Contexts {
  /** The envelope's schema (not checked, as in other Snowplow SDKs). */
  schema: string;
  /** The context entities. */
  data: SelfDescribingJson[];
}

/** The `unstruct_event` column: an envelope around one self-describing event. */
export interface UnstructEvent {
  /** The envelope's schema (not checked, as in other Snowplow SDKs). */
  schema: string;
  /** The self-describing event. */
  data: SelfDescribingJson;
}

/** The parts of a valid Iglu schema URI. */
export interface IgluSchemaKey {
  /** Vendor, such as `com.snowplowanalytics.snowplow`. */
  vendor: string;
  /** Schema name, such as `link_click`. */
  name: string;
  /** Schema format, usually `jsonschema`. */
  format: string;
  /** SchemaVer `MODEL-REVISION-ADDITION`, such as `1-0-1`. */
  version: string;
  /** The first number of the SchemaVer. */
  model: number;
}

const IGLU_URI =
  /^iglu:([a-zA-Z0-9_.-]+)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/(([1-9][0-9]*)-(?:0|[1-9][0-9]*)-(?:0|[1-9][0-9]*))$/;

/**
 * Splits an Iglu schema URI into its parts, or returns `null` when it is not a valid one.
 *
 * Valid: `iglu:VENDOR/NAME/FORMAT/MODEL-REVISION-ADDITION`, VENDOR of `[a-zA-Z0-9-_.]`,
 * NAME and FORMAT of `[a-zA-Z0-9-_]`, MODEL a positive integer, REVISION and ADDITION
 * non-negative integers, none with leading zeros.
 *
 * @example Parse a schema URI
 * ```ts
 * import { parseIgluUri } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseIgluUri("iglu:org.w3/PerformanceTiming/jsonschema/1-0-0"), {
 *   vendor: "org.w3",
 *   name: "PerformanceTiming",
 *   format: "jsonschema",
 *   version: "1-0-0",
 *   model: 1,
 * });
 * assert.equal(parseIgluUri("com.acme/ctx/jsonschema/1.0.0"), null);
 * ```
 */
export function parseIgluUri(uri: string): IgluSchemaKey | null {
  const m = IGLU_URI.exec(uri);
  if (m === null) return null;
  return { vendor: m[1], name: m[2], format: m[3], version: m[4], model: Number(m[5]) };
}

/** Which column a shredded name is for: its prefix. */
export type ShreddedPrefix = "contexts" | "unstruct_event";

/**
 * The flat-form column name of an entity: `<prefix>_<vendor>_<name>_<model>`, with the
 * Scala SDK's rule (`.` and `-` become `_`, camelCase becomes snake_case, lower case).
 *
 * @example Name a context column
 * ```ts
 * import { parseIgluUri, shreddedName } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const key = parseIgluUri("iglu:org.w3/PerformanceTiming/jsonschema/1-0-0")!;
 * assert.equal(shreddedName("contexts", key), "contexts_org_w3_performance_timing_1");
 * ```
 */
export function shreddedName(prefix: ShreddedPrefix, key: IgluSchemaKey): string {
  const vendor = key.vendor.replace(/[.-]/g, "_").toLowerCase();
  const name = key.name.replace(/[.-]/g, "_").replace(/([^A-Z_])(?=[A-Z])/g, "$1_").toLowerCase();
  return `${prefix}_${vendor}_${name}_${key.model}`;
}
