/**
 * The flat JSON form of an enriched event (docs/contract.md §3): typed atomic
 * fields, shredded contexts and unstruct event.
 *
 * @module
 */

import { type EnrichedEvent, FIELD_COUNT } from "./fields.ts";
import { TransformError, type TransformIssue } from "./transform_error.ts";
import { FIELD_STARTS, issue, scanLine } from "./read_field.ts";
import {
  BOOL,
  CONTEXTS,
  DOUBLE,
  expected,
  GEO_LOCATION,
  GEO_SEPARATOR,
  INT,
  KINDS,
  LATITUDE,
  LONGITUDE,
  NAMES,
  STRING,
  TSTAMP,
  UNSTRUCT,
} from "./_rules.ts";
import { shredContexts, shredContextsText, shredUnstruct, shredUnstructText } from "./shred.ts";
import { readDoubleAt, readIntAt, readTimestampAt } from "./values.ts";
import type { Contexts, UnstructEvent } from "./self_describing.ts";
import type { FlatEvent } from "./flat_event.ts";

/** Options for the flat JSON form. */
export interface TransformOptions {
  /**
   * Put `geo_location` (`"<latitude>,<longitude>"`) first when both coordinates are present.
   *
   * @default {true}
   */
  geoLocation?: boolean;
  /**
   * Emit `null` for every empty atomic field instead of leaving it out (the Scala / .NET shape,
   * for fixed warehouse schemas).
   *
   * @default {false}
   */
  nulls?: boolean;
  /**
   * Add `"_schema_version": "MODEL-REVISION-ADDITION"` to each context object (the Scala 3.2
   * shape, so the revision is not lost).
   *
   * @default {false}
   */
  schemaVersion?: boolean;
}

/**
 * Transforms one enriched-event TSV line into the flat JSON form.
 *
 * - `geo_location` first (when both coordinates are present and the option is on);
 * - then every non-empty field in TSV order, typed (`int`/`double` as numbers, `bool` as
 *   booleans, timestamps as ISO 8601 strings);
 * - `contexts` and `derived_contexts` shredded into `contexts_<vendor>_<name>_<model>` arrays
 *   (contexts of one column merged, nothing overwritten), `unstruct_event` into
 *   `unstruct_event_<vendor>_<name>_<model>`.
 *
 * A trailing `\n` or `\r\n` is ignored. Every invalid field is collected into one
 * {@linkcode TransformError}.
 *
 * @example Transform a line
 * ```ts
 * import { transform } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";                      // app_id
 * fields[3] = "2013-11-26 00:02:05";       // collector_tstamp
 * fields[22] = "37.443604";                // geo_latitude
 * fields[23] = "-122.4124";                // geo_longitude
 * fields[58] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
 *   data: { schema: "iglu:com.acme/link_click/jsonschema/1-0-1", data: { url: "/a" } },
 * });
 *
 * assert.deepEqual(transform(fields.join("\t")), {
 *   geo_location: "37.443604,-122.4124",
 *   app_id: "shop",
 *   collector_tstamp: "2013-11-26T00:02:05Z",
 *   geo_latitude: 37.443604,
 *   geo_longitude: -122.4124,
 *   unstruct_event_com_acme_link_click_1: { url: "/a" },
 * });
 * ```
 *
 * @param line One enriched event: 131 tab-separated fields.
 * @param options What shape to produce.
 * @returns The flat JSON form, typed as {@linkcode FlatEvent} (`FlatEvent<true>` with
 * `nulls: true`).
 * @throws {TransformError} When the line is not TSV, has another field count, or has invalid
 * values.
 */
export function transform<Nulls extends boolean = false>(
  line: string,
  options?: TransformOptions & { nulls?: Nulls },
): FlatEvent<Nulls> {
  scanLine(line);
  const starts = FIELD_STARTS;
  const nulls = options?.nulls ?? false;
  const version = options?.schemaVersion ?? false;
  // Built without a prototype, then given Object.prototype: V8 keeps such an object in
  // dictionary mode, where adding about fifty keys in varying combinations is about a third
  // cheaper than walking hidden-class transitions (measured with bench/event_bench.ts). The
  // keys are field and column names, never "__proto__".
  const out: Record<string, unknown> = Object.create(null);
  if (
    (options?.geoLocation ?? true) && starts[LATITUDE + 1] - starts[LATITUDE] > 1 &&
    starts[LONGITUDE + 1] - starts[LONGITUDE] > 1
  ) {
    out[GEO_LOCATION] = line.slice(starts[LATITUDE], starts[LATITUDE + 1] - 1) + GEO_SEPARATOR +
      line.slice(starts[LONGITUDE], starts[LONGITUDE + 1] - 1);
  }
  let issues: TransformIssue[] | undefined;
  for (let i = 0; i < FIELD_COUNT; i++) {
    const start = starts[i];
    const stop = starts[i + 1] - 1;
    const kind = KINDS[i];
    if (stop === start) {
      if (nulls && kind < CONTEXTS) out[NAMES[i]] = null;
      continue;
    }
    let problem: string | undefined;
    switch (kind) {
      case STRING:
        out[NAMES[i]] = line.slice(start, stop);
        continue;
      case INT: {
        const value = readIntAt(line, start, stop);
        if (value === undefined) break;
        out[NAMES[i]] = value;
        continue;
      }
      case DOUBLE: {
        const value = readDoubleAt(line, start, stop);
        if (value === undefined) break;
        out[NAMES[i]] = value;
        continue;
      }
      case BOOL: {
        const c = stop - start === 1 ? line.charCodeAt(start) : 0;
        if (c !== 48 && c !== 49) break;
        out[NAMES[i]] = c === 49;
        continue;
      }
      case TSTAMP: {
        const value = readTimestampAt(line, start, stop);
        if (value === undefined) break;
        out[NAMES[i]] = value;
        continue;
      }
      case CONTEXTS:
        problem = shredContextsText(line.slice(start, stop), out, version);
        if (problem === undefined) continue;
        break;
      default:
        problem = shredUnstructText(line.slice(start, stop), out);
        if (problem === undefined) continue;
    }
    (issues ??= []).push(issue(i, line.slice(start, stop), problem ?? expected(kind)));
  }
  if (issues !== undefined) throw new TransformError("InvalidValues", 131, issues);
  return Object.setPrototypeOf(out, Object.prototype);
}

/**
 * The flat JSON form of a parsed event: for a canonical line,
 * `flatten(parse(line), options)` deep-equals `transform(line, options)`.
 *
 * `geo_location` is written from the numbers (`String(latitude)`), so a line with a
 * non-canonical coordinate such as `51.0` gives `"51,..."` here and `"51.0,..."` in
 * {@linkcode transform}. Context data objects are shared with `event`, not copied, unless
 * `schemaVersion` is on.
 *
 * @example Flatten a parsed and edited event
 * ```ts
 * import { flatten, parse } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * const event = parse(fields.join("\t"));
 * event.user_id = "u-42";
 * assert.deepEqual(flatten(event), { app_id: "shop", user_id: "u-42" });
 * ```
 *
 * @param event A parsed event.
 * @param options What shape to produce.
 * @returns The flat JSON form.
 */
export function flatten<Nulls extends boolean = false>(
  event: EnrichedEvent,
  options?: TransformOptions & { nulls?: Nulls },
): FlatEvent<Nulls> {
  const nulls = options?.nulls ?? false;
  const version = options?.schemaVersion ?? false;
  const out: Record<string, unknown> = {};
  const latitude = event.geo_latitude;
  const longitude = event.geo_longitude;
  if ((options?.geoLocation ?? true) && latitude != null && longitude != null) {
    out[GEO_LOCATION] = `${latitude}${GEO_SEPARATOR}${longitude}`;
  }
  const values = event as unknown as Record<string, unknown>;
  for (let i = 0; i < FIELD_COUNT; i++) {
    const name = NAMES[i];
    const kind = KINDS[i];
    const value = values[name];
    if (value == null) {
      if (nulls && kind < CONTEXTS) out[name] = null;
    } else if (kind < CONTEXTS) {
      out[name] = value;
    } else if (kind === CONTEXTS) {
      shredContexts(value as Contexts, out, version);
    } else if (kind === UNSTRUCT) {
      shredUnstruct(value as UnstructEvent, out);
    }
  }
  return out as FlatEvent<Nulls>;
}
