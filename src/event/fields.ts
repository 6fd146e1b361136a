/**
 * The layout of a Snowplow enriched event: 131 tab-separated fields, as data.
 *
 * @module
 */

import type { Contexts, UnstructEvent } from "./self_describing.ts";

/**
 * What a field holds, which decides how its text is validated and converted.
 *
 * - `string`: any text, unchanged.
 * - `int`: an optional sign and decimal digits within ±(2^53−1).
 * - `double`: a finite decimal number.
 * - `bool`: `1` or `0`.
 * - `tstamp`: `YYYY-MM-DD hh:mm:ss[.fffffffff]`, a real UTC date and time.
 * - `contexts`: self-describing JSON whose `data` is an array of self-describing objects.
 * - `unstruct`: self-describing JSON whose `data` is one self-describing object.
 */
export type FieldKind = "string" | "int" | "double" | "bool" | "tstamp" | "contexts" | "unstruct";

/**
 * Every field of an enriched event with its typed value; `null` means the TSV field was empty.
 *
 * Timestamps are ISO 8601 strings (`2013-11-26T00:02:05.123Z`, digits kept as given).
 *
 * @example Read typed values
 * ```ts
 * import { type EnrichedEvent, parse } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[0] = "shop";
 * fields[103] = "1920"; // dvce_screenwidth
 * const event: EnrichedEvent = parse(fields.join("\t"));
 * assert.equal(event.app_id, "shop");
 * assert.equal(event.dvce_screenwidth, 1920);
 * assert.equal(event.platform, null);
 * ```
 */
export interface EnrichedEvent {
  /** Field 0, kind `string`. */
  app_id: string | null;
  /** Field 1, kind `string`. */
  platform: string | null;
  /** Field 2, kind `tstamp`. */
  etl_tstamp: string | null;
  /** Field 3, kind `tstamp`. */
  collector_tstamp: string | null;
  /** Field 4, kind `tstamp`. */
  dvce_created_tstamp: string | null;
  /** Field 5, kind `string`. */
  event: string | null;
  /** Field 6, kind `string`. */
  event_id: string | null;
  /** Field 7, kind `int`. */
  txn_id: number | null;
  /** Field 8, kind `string`. */
  name_tracker: string | null;
  /** Field 9, kind `string`. */
  v_tracker: string | null;
  /** Field 10, kind `string`. */
  v_collector: string | null;
  /** Field 11, kind `string`. */
  v_etl: string | null;
  /** Field 12, kind `string`. */
  user_id: string | null;
  /** Field 13, kind `string`. */
  user_ipaddress: string | null;
  /** Field 14, kind `string`. */
  user_fingerprint: string | null;
  /** Field 15, kind `string`. */
  domain_userid: string | null;
  /** Field 16, kind `int`. */
  domain_sessionidx: number | null;
  /** Field 17, kind `string`. */
  network_userid: string | null;
  /** Field 18, kind `string`. */
  geo_country: string | null;
  /** Field 19, kind `string`. */
  geo_region: string | null;
  /** Field 20, kind `string`. */
  geo_city: string | null;
  /** Field 21, kind `string`. */
  geo_zipcode: string | null;
  /** Field 22, kind `double`. */
  geo_latitude: number | null;
  /** Field 23, kind `double`. */
  geo_longitude: number | null;
  /** Field 24, kind `string`. */
  geo_region_name: string | null;
  /** Field 25, kind `string`. */
  ip_isp: string | null;
  /** Field 26, kind `string`. */
  ip_organization: string | null;
  /** Field 27, kind `string`. */
  ip_domain: string | null;
  /** Field 28, kind `string`. */
  ip_netspeed: string | null;
  /** Field 29, kind `string`. */
  page_url: string | null;
  /** Field 30, kind `string`. */
  page_title: string | null;
  /** Field 31, kind `string`. */
  page_referrer: string | null;
  /** Field 32, kind `string`. */
  page_urlscheme: string | null;
  /** Field 33, kind `string`. */
  page_urlhost: string | null;
  /** Field 34, kind `int`. */
  page_urlport: number | null;
  /** Field 35, kind `string`. */
  page_urlpath: string | null;
  /** Field 36, kind `string`. */
  page_urlquery: string | null;
  /** Field 37, kind `string`. */
  page_urlfragment: string | null;
  /** Field 38, kind `string`. */
  refr_urlscheme: string | null;
  /** Field 39, kind `string`. */
  refr_urlhost: string | null;
  /** Field 40, kind `int`. */
  refr_urlport: number | null;
  /** Field 41, kind `string`. */
  refr_urlpath: string | null;
  /** Field 42, kind `string`. */
  refr_urlquery: string | null;
  /** Field 43, kind `string`. */
  refr_urlfragment: string | null;
  /** Field 44, kind `string`. */
  refr_medium: string | null;
  /** Field 45, kind `string`. */
  refr_source: string | null;
  /** Field 46, kind `string`. */
  refr_term: string | null;
  /** Field 47, kind `string`. */
  mkt_medium: string | null;
  /** Field 48, kind `string`. */
  mkt_source: string | null;
  /** Field 49, kind `string`. */
  mkt_term: string | null;
  /** Field 50, kind `string`. */
  mkt_content: string | null;
  /** Field 51, kind `string`. */
  mkt_campaign: string | null;
  /** Field 52, kind `contexts`. */
  contexts: Contexts | null;
  /** Field 53, kind `string`. */
  se_category: string | null;
  /** Field 54, kind `string`. */
  se_action: string | null;
  /** Field 55, kind `string`. */
  se_label: string | null;
  /** Field 56, kind `string`. */
  se_property: string | null;
  /** Field 57, kind `string`. */
  se_value: string | null;
  /** Field 58, kind `unstruct`. */
  unstruct_event: UnstructEvent | null;
  /** Field 59, kind `string`. */
  tr_orderid: string | null;
  /** Field 60, kind `string`. */
  tr_affiliation: string | null;
  /** Field 61, kind `double`. */
  tr_total: number | null;
  /** Field 62, kind `double`. */
  tr_tax: number | null;
  /** Field 63, kind `double`. */
  tr_shipping: number | null;
  /** Field 64, kind `string`. */
  tr_city: string | null;
  /** Field 65, kind `string`. */
  tr_state: string | null;
  /** Field 66, kind `string`. */
  tr_country: string | null;
  /** Field 67, kind `string`. */
  ti_orderid: string | null;
  /** Field 68, kind `string`. */
  ti_sku: string | null;
  /** Field 69, kind `string`. */
  ti_name: string | null;
  /** Field 70, kind `string`. */
  ti_category: string | null;
  /** Field 71, kind `double`. */
  ti_price: number | null;
  /** Field 72, kind `int`. */
  ti_quantity: number | null;
  /** Field 73, kind `int`. */
  pp_xoffset_min: number | null;
  /** Field 74, kind `int`. */
  pp_xoffset_max: number | null;
  /** Field 75, kind `int`. */
  pp_yoffset_min: number | null;
  /** Field 76, kind `int`. */
  pp_yoffset_max: number | null;
  /** Field 77, kind `string`. */
  useragent: string | null;
  /** Field 78, kind `string`. */
  br_name: string | null;
  /** Field 79, kind `string`. */
  br_family: string | null;
  /** Field 80, kind `string`. */
  br_version: string | null;
  /** Field 81, kind `string`. */
  br_type: string | null;
  /** Field 82, kind `string`. */
  br_renderengine: string | null;
  /** Field 83, kind `string`. */
  br_lang: string | null;
  /** Field 84, kind `bool`. */
  br_features_pdf: boolean | null;
  /** Field 85, kind `bool`. */
  br_features_flash: boolean | null;
  /** Field 86, kind `bool`. */
  br_features_java: boolean | null;
  /** Field 87, kind `bool`. */
  br_features_director: boolean | null;
  /** Field 88, kind `bool`. */
  br_features_quicktime: boolean | null;
  /** Field 89, kind `bool`. */
  br_features_realplayer: boolean | null;
  /** Field 90, kind `bool`. */
  br_features_windowsmedia: boolean | null;
  /** Field 91, kind `bool`. */
  br_features_gears: boolean | null;
  /** Field 92, kind `bool`. */
  br_features_silverlight: boolean | null;
  /** Field 93, kind `bool`. */
  br_cookies: boolean | null;
  /** Field 94, kind `string`. */
  br_colordepth: string | null;
  /** Field 95, kind `int`. */
  br_viewwidth: number | null;
  /** Field 96, kind `int`. */
  br_viewheight: number | null;
  /** Field 97, kind `string`. */
  os_name: string | null;
  /** Field 98, kind `string`. */
  os_family: string | null;
  /** Field 99, kind `string`. */
  os_manufacturer: string | null;
  /** Field 100, kind `string`. */
  os_timezone: string | null;
  /** Field 101, kind `string`. */
  dvce_type: string | null;
  /** Field 102, kind `bool`. */
  dvce_ismobile: boolean | null;
  /** Field 103, kind `int`. */
  dvce_screenwidth: number | null;
  /** Field 104, kind `int`. */
  dvce_screenheight: number | null;
  /** Field 105, kind `string`. */
  doc_charset: string | null;
  /** Field 106, kind `int`. */
  doc_width: number | null;
  /** Field 107, kind `int`. */
  doc_height: number | null;
  /** Field 108, kind `string`. */
  tr_currency: string | null;
  /** Field 109, kind `double`. */
  tr_total_base: number | null;
  /** Field 110, kind `double`. */
  tr_tax_base: number | null;
  /** Field 111, kind `double`. */
  tr_shipping_base: number | null;
  /** Field 112, kind `string`. */
  ti_currency: string | null;
  /** Field 113, kind `double`. */
  ti_price_base: number | null;
  /** Field 114, kind `string`. */
  base_currency: string | null;
  /** Field 115, kind `string`. */
  geo_timezone: string | null;
  /** Field 116, kind `string`. */
  mkt_clickid: string | null;
  /** Field 117, kind `string`. */
  mkt_network: string | null;
  /** Field 118, kind `string`. */
  etl_tags: string | null;
  /** Field 119, kind `tstamp`. */
  dvce_sent_tstamp: string | null;
  /** Field 120, kind `string`. */
  refr_domain_userid: string | null;
  /** Field 121, kind `tstamp`. */
  refr_dvce_tstamp: string | null;
  /** Field 122, kind `contexts`. */
  derived_contexts: Contexts | null;
  /** Field 123, kind `string`. */
  domain_sessionid: string | null;
  /** Field 124, kind `tstamp`. */
  derived_tstamp: string | null;
  /** Field 125, kind `string`. */
  event_vendor: string | null;
  /** Field 126, kind `string`. */
  event_name: string | null;
  /** Field 127, kind `string`. */
  event_format: string | null;
  /** Field 128, kind `string`. */
  event_version: string | null;
  /** Field 129, kind `string`. */
  event_fingerprint: string | null;
  /** Field 130, kind `tstamp`. */
  true_tstamp: string | null;
}

/** The name of one of the 131 enriched-event fields. */
export type EnrichedEventFieldName = keyof EnrichedEvent;

/** One column of the enriched TSV line. */
export interface FieldDefinition {
  /** Zero-based position in the TSV line. */
  readonly index: number;
  /** The column name (the canonical Snowplow atomic column). */
  readonly name: EnrichedEventFieldName;
  /** How the field's text is validated and converted. */
  readonly kind: FieldKind;
}

/**
 * The number of tab-separated fields in an enriched event line.
 *
 * @example Check a line's shape before reading it
 * ```ts
 * import { FIELD_COUNT } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const line = Array(FIELD_COUNT).fill("").join("\t");
 * assert.equal(line.split("\t").length, 131);
 * ```
 */
export const FIELD_COUNT = 131;

function field(index: number, name: EnrichedEventFieldName, kind: FieldKind): FieldDefinition {
  return Object.freeze({ index, name, kind });
}

/**
 * The 131 fields of an enriched event, in TSV order.
 *
 * @example Find a field's position and kind
 * ```ts
 * import { ENRICHED_EVENT_FIELDS } from "@snowplow/analytics-sdk/event";
 * import assert from "node:assert/strict";
 *
 * const lat = ENRICHED_EVENT_FIELDS.find((f) => f.name === "geo_latitude");
 * assert.deepEqual(lat, { index: 22, name: "geo_latitude", kind: "double" });
 * assert.equal(ENRICHED_EVENT_FIELDS.length, 131);
 * ```
 */
export const ENRICHED_EVENT_FIELDS: readonly FieldDefinition[] = Object.freeze([
  field(0, "app_id", "string"),
  field(1, "platform", "string"),
  field(2, "etl_tstamp", "tstamp"),
  field(3, "collector_tstamp", "tstamp"),
  field(4, "dvce_created_tstamp", "tstamp"),
  field(5, "event", "string"),
  field(6, "event_id", "string"),
  field(7, "txn_id", "int"),
  field(8, "name_tracker", "string"),
  field(9, "v_tracker", "string"),
  field(10, "v_collector", "string"),
  field(11, "v_etl", "string"),
  field(12, "user_id", "string"),
  field(13, "user_ipaddress", "string"),
  field(14, "user_fingerprint", "string"),
  field(15, "domain_userid", "string"),
  field(16, "domain_sessionidx", "int"),
  field(17, "network_userid", "string"),
  field(18, "geo_country", "string"),
  field(19, "geo_region", "string"),
  field(20, "geo_city", "string"),
  field(21, "geo_zipcode", "string"),
  field(22, "geo_latitude", "double"),
  field(23, "geo_longitude", "double"),
  field(24, "geo_region_name", "string"),
  field(25, "ip_isp", "string"),
  field(26, "ip_organization", "string"),
  field(27, "ip_domain", "string"),
  field(28, "ip_netspeed", "string"),
  field(29, "page_url", "string"),
  field(30, "page_title", "string"),
  field(31, "page_referrer", "string"),
  field(32, "page_urlscheme", "string"),
  field(33, "page_urlhost", "string"),
  field(34, "page_urlport", "int"),
  field(35, "page_urlpath", "string"),
  field(36, "page_urlquery", "string"),
  field(37, "page_urlfragment", "string"),
  field(38, "refr_urlscheme", "string"),
  field(39, "refr_urlhost", "string"),
  field(40, "refr_urlport", "int"),
  field(41, "refr_urlpath", "string"),
  field(42, "refr_urlquery", "string"),
  field(43, "refr_urlfragment", "string"),
  field(44, "refr_medium", "string"),
  field(45, "refr_source", "string"),
  field(46, "refr_term", "string"),
  field(47, "mkt_medium", "string"),
  field(48, "mkt_source", "string"),
  field(49, "mkt_term", "string"),
  field(50, "mkt_content", "string"),
  field(51, "mkt_campaign", "string"),
  field(52, "contexts", "contexts"),
  field(53, "se_category", "string"),
  field(54, "se_action", "string"),
  field(55, "se_label", "string"),
  field(56, "se_property", "string"),
  field(57, "se_value", "string"),
  field(58, "unstruct_event", "unstruct"),
  field(59, "tr_orderid", "string"),
  field(60, "tr_affiliation", "string"),
  field(61, "tr_total", "double"),
  field(62, "tr_tax", "double"),
  field(63, "tr_shipping", "double"),
  field(64, "tr_city", "string"),
  field(65, "tr_state", "string"),
  field(66, "tr_country", "string"),
  field(67, "ti_orderid", "string"),
  field(68, "ti_sku", "string"),
  field(69, "ti_name", "string"),
  field(70, "ti_category", "string"),
  field(71, "ti_price", "double"),
  field(72, "ti_quantity", "int"),
  field(73, "pp_xoffset_min", "int"),
  field(74, "pp_xoffset_max", "int"),
  field(75, "pp_yoffset_min", "int"),
  field(76, "pp_yoffset_max", "int"),
  field(77, "useragent", "string"),
  field(78, "br_name", "string"),
  field(79, "br_family", "string"),
  field(80, "br_version", "string"),
  field(81, "br_type", "string"),
  field(82, "br_renderengine", "string"),
  field(83, "br_lang", "string"),
  field(84, "br_features_pdf", "bool"),
  field(85, "br_features_flash", "bool"),
  field(86, "br_features_java", "bool"),
  field(87, "br_features_director", "bool"),
  field(88, "br_features_quicktime", "bool"),
  field(89, "br_features_realplayer", "bool"),
  field(90, "br_features_windowsmedia", "bool"),
  field(91, "br_features_gears", "bool"),
  field(92, "br_features_silverlight", "bool"),
  field(93, "br_cookies", "bool"),
  field(94, "br_colordepth", "string"),
  field(95, "br_viewwidth", "int"),
  field(96, "br_viewheight", "int"),
  field(97, "os_name", "string"),
  field(98, "os_family", "string"),
  field(99, "os_manufacturer", "string"),
  field(100, "os_timezone", "string"),
  field(101, "dvce_type", "string"),
  field(102, "dvce_ismobile", "bool"),
  field(103, "dvce_screenwidth", "int"),
  field(104, "dvce_screenheight", "int"),
  field(105, "doc_charset", "string"),
  field(106, "doc_width", "int"),
  field(107, "doc_height", "int"),
  field(108, "tr_currency", "string"),
  field(109, "tr_total_base", "double"),
  field(110, "tr_tax_base", "double"),
  field(111, "tr_shipping_base", "double"),
  field(112, "ti_currency", "string"),
  field(113, "ti_price_base", "double"),
  field(114, "base_currency", "string"),
  field(115, "geo_timezone", "string"),
  field(116, "mkt_clickid", "string"),
  field(117, "mkt_network", "string"),
  field(118, "etl_tags", "string"),
  field(119, "dvce_sent_tstamp", "tstamp"),
  field(120, "refr_domain_userid", "string"),
  field(121, "refr_dvce_tstamp", "tstamp"),
  field(122, "derived_contexts", "contexts"),
  field(123, "domain_sessionid", "string"),
  field(124, "derived_tstamp", "tstamp"),
  field(125, "event_vendor", "string"),
  field(126, "event_name", "string"),
  field(127, "event_format", "string"),
  field(128, "event_version", "string"),
  field(129, "event_fingerprint", "string"),
  field(130, "true_tstamp", "tstamp"),
]);
