/**
 * The type of the flat JSON form that {@linkcode transform} returns: every atomic field at its
 * TypeScript type, `geo_location`, and the shredded `contexts_*` / `unstruct_event_*` columns.
 *
 * The field list mirrors the field table (`ENRICHED_EVENT_FIELDS`); a test type-checks each of
 * the 131 fields against it.
 *
 * @module
 */

/**
 * The value of each atomic field of the flat JSON form, by name: the 128 fields of the
 * enriched event that are not JSON columns (`contexts`, `unstruct_event` and `derived_contexts`
 * are shredded instead, see {@linkcode ShreddedColumns}).
 *
 * @example The type of one field
 * ```ts
 * import type { AtomicFieldTypes } from "@snowplow/analytics-sdk";
 *
 * const width: AtomicFieldTypes["br_viewwidth"] = 1024;
 * const cookies: AtomicFieldTypes["br_cookies"] = true;
 * const at: AtomicFieldTypes["collector_tstamp"] = "2013-11-26T00:02:05Z";
 * ```
 */
export type AtomicFieldTypes = {
  /** Field 0 (`string`): text, as in the line. */
  app_id: string;
  /** Field 1 (`string`): text, as in the line. */
  platform: string;
  /** Field 2 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  etl_tstamp: string;
  /** Field 3 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  collector_tstamp: string;
  /** Field 4 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  dvce_created_tstamp: string;
  /** Field 5 (`string`): text, as in the line. */
  event: string;
  /** Field 6 (`string`): text, as in the line. */
  event_id: string;
  /** Field 7 (`int`): an integer. */
  txn_id: number;
  /** Field 8 (`string`): text, as in the line. */
  name_tracker: string;
  /** Field 9 (`string`): text, as in the line. */
  v_tracker: string;
  /** Field 10 (`string`): text, as in the line. */
  v_collector: string;
  /** Field 11 (`string`): text, as in the line. */
  v_etl: string;
  /** Field 12 (`string`): text, as in the line. */
  user_id: string;
  /** Field 13 (`string`): text, as in the line. */
  user_ipaddress: string;
  /** Field 14 (`string`): text, as in the line. */
  user_fingerprint: string;
  /** Field 15 (`string`): text, as in the line. */
  domain_userid: string;
  /** Field 16 (`int`): an integer. */
  domain_sessionidx: number;
  /** Field 17 (`string`): text, as in the line. */
  network_userid: string;
  /** Field 18 (`string`): text, as in the line. */
  geo_country: string;
  /** Field 19 (`string`): text, as in the line. */
  geo_region: string;
  /** Field 20 (`string`): text, as in the line. */
  geo_city: string;
  /** Field 21 (`string`): text, as in the line. */
  geo_zipcode: string;
  /** Field 22 (`double`): a finite number. */
  geo_latitude: number;
  /** Field 23 (`double`): a finite number. */
  geo_longitude: number;
  /** Field 24 (`string`): text, as in the line. */
  geo_region_name: string;
  /** Field 25 (`string`): text, as in the line. */
  ip_isp: string;
  /** Field 26 (`string`): text, as in the line. */
  ip_organization: string;
  /** Field 27 (`string`): text, as in the line. */
  ip_domain: string;
  /** Field 28 (`string`): text, as in the line. */
  ip_netspeed: string;
  /** Field 29 (`string`): text, as in the line. */
  page_url: string;
  /** Field 30 (`string`): text, as in the line. */
  page_title: string;
  /** Field 31 (`string`): text, as in the line. */
  page_referrer: string;
  /** Field 32 (`string`): text, as in the line. */
  page_urlscheme: string;
  /** Field 33 (`string`): text, as in the line. */
  page_urlhost: string;
  /** Field 34 (`int`): an integer. */
  page_urlport: number;
  /** Field 35 (`string`): text, as in the line. */
  page_urlpath: string;
  /** Field 36 (`string`): text, as in the line. */
  page_urlquery: string;
  /** Field 37 (`string`): text, as in the line. */
  page_urlfragment: string;
  /** Field 38 (`string`): text, as in the line. */
  refr_urlscheme: string;
  /** Field 39 (`string`): text, as in the line. */
  refr_urlhost: string;
  /** Field 40 (`int`): an integer. */
  refr_urlport: number;
  /** Field 41 (`string`): text, as in the line. */
  refr_urlpath: string;
  /** Field 42 (`string`): text, as in the line. */
  refr_urlquery: string;
  /** Field 43 (`string`): text, as in the line. */
  refr_urlfragment: string;
  /** Field 44 (`string`): text, as in the line. */
  refr_medium: string;
  /** Field 45 (`string`): text, as in the line. */
  refr_source: string;
  /** Field 46 (`string`): text, as in the line. */
  refr_term: string;
  /** Field 47 (`string`): text, as in the line. */
  mkt_medium: string;
  /** Field 48 (`string`): text, as in the line. */
  mkt_source: string;
  /** Field 49 (`string`): text, as in the line. */
  mkt_term: string;
  /** Field 50 (`string`): text, as in the line. */
  mkt_content: string;
  /** Field 51 (`string`): text, as in the line. */
  mkt_campaign: string;
  /** Field 53 (`string`): text, as in the line. */
  se_category: string;
  /** Field 54 (`string`): text, as in the line. */
  se_action: string;
  /** Field 55 (`string`): text, as in the line. */
  se_label: string;
  /** Field 56 (`string`): text, as in the line. */
  se_property: string;
  /** Field 57 (`string`): text, as in the line. */
  se_value: string;
  /** Field 59 (`string`): text, as in the line. */
  tr_orderid: string;
  /** Field 60 (`string`): text, as in the line. */
  tr_affiliation: string;
  /** Field 61 (`double`): a finite number. */
  tr_total: number;
  /** Field 62 (`double`): a finite number. */
  tr_tax: number;
  /** Field 63 (`double`): a finite number. */
  tr_shipping: number;
  /** Field 64 (`string`): text, as in the line. */
  tr_city: string;
  /** Field 65 (`string`): text, as in the line. */
  tr_state: string;
  /** Field 66 (`string`): text, as in the line. */
  tr_country: string;
  /** Field 67 (`string`): text, as in the line. */
  ti_orderid: string;
  /** Field 68 (`string`): text, as in the line. */
  ti_sku: string;
  /** Field 69 (`string`): text, as in the line. */
  ti_name: string;
  /** Field 70 (`string`): text, as in the line. */
  ti_category: string;
  /** Field 71 (`double`): a finite number. */
  ti_price: number;
  /** Field 72 (`int`): an integer. */
  ti_quantity: number;
  /** Field 73 (`int`): an integer. */
  pp_xoffset_min: number;
  /** Field 74 (`int`): an integer. */
  pp_xoffset_max: number;
  /** Field 75 (`int`): an integer. */
  pp_yoffset_min: number;
  /** Field 76 (`int`): an integer. */
  pp_yoffset_max: number;
  /** Field 77 (`string`): text, as in the line. */
  useragent: string;
  /** Field 78 (`string`): text, as in the line. */
  br_name: string;
  /** Field 79 (`string`): text, as in the line. */
  br_family: string;
  /** Field 80 (`string`): text, as in the line. */
  br_version: string;
  /** Field 81 (`string`): text, as in the line. */
  br_type: string;
  /** Field 82 (`string`): text, as in the line. */
  br_renderengine: string;
  /** Field 83 (`string`): text, as in the line. */
  br_lang: string;
  /** Field 84 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_pdf: boolean;
  /** Field 85 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_flash: boolean;
  /** Field 86 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_java: boolean;
  /** Field 87 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_director: boolean;
  /** Field 88 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_quicktime: boolean;
  /** Field 89 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_realplayer: boolean;
  /** Field 90 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_windowsmedia: boolean;
  /** Field 91 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_gears: boolean;
  /** Field 92 (`bool`): `true` for `1`, `false` for `0`. */
  br_features_silverlight: boolean;
  /** Field 93 (`bool`): `true` for `1`, `false` for `0`. */
  br_cookies: boolean;
  /** Field 94 (`string`): text, as in the line. */
  br_colordepth: string;
  /** Field 95 (`int`): an integer. */
  br_viewwidth: number;
  /** Field 96 (`int`): an integer. */
  br_viewheight: number;
  /** Field 97 (`string`): text, as in the line. */
  os_name: string;
  /** Field 98 (`string`): text, as in the line. */
  os_family: string;
  /** Field 99 (`string`): text, as in the line. */
  os_manufacturer: string;
  /** Field 100 (`string`): text, as in the line. */
  os_timezone: string;
  /** Field 101 (`string`): text, as in the line. */
  dvce_type: string;
  /** Field 102 (`bool`): `true` for `1`, `false` for `0`. */
  dvce_ismobile: boolean;
  /** Field 103 (`int`): an integer. */
  dvce_screenwidth: number;
  /** Field 104 (`int`): an integer. */
  dvce_screenheight: number;
  /** Field 105 (`string`): text, as in the line. */
  doc_charset: string;
  /** Field 106 (`int`): an integer. */
  doc_width: number;
  /** Field 107 (`int`): an integer. */
  doc_height: number;
  /** Field 108 (`string`): text, as in the line. */
  tr_currency: string;
  /** Field 109 (`double`): a finite number. */
  tr_total_base: number;
  /** Field 110 (`double`): a finite number. */
  tr_tax_base: number;
  /** Field 111 (`double`): a finite number. */
  tr_shipping_base: number;
  /** Field 112 (`string`): text, as in the line. */
  ti_currency: string;
  /** Field 113 (`double`): a finite number. */
  ti_price_base: number;
  /** Field 114 (`string`): text, as in the line. */
  base_currency: string;
  /** Field 115 (`string`): text, as in the line. */
  geo_timezone: string;
  /** Field 116 (`string`): text, as in the line. */
  mkt_clickid: string;
  /** Field 117 (`string`): text, as in the line. */
  mkt_network: string;
  /** Field 118 (`string`): text, as in the line. */
  etl_tags: string;
  /** Field 119 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  dvce_sent_tstamp: string;
  /** Field 120 (`string`): text, as in the line. */
  refr_domain_userid: string;
  /** Field 121 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  refr_dvce_tstamp: string;
  /** Field 123 (`string`): text, as in the line. */
  domain_sessionid: string;
  /** Field 124 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  derived_tstamp: string;
  /** Field 125 (`string`): text, as in the line. */
  event_vendor: string;
  /** Field 126 (`string`): text, as in the line. */
  event_name: string;
  /** Field 127 (`string`): text, as in the line. */
  event_format: string;
  /** Field 128 (`string`): text, as in the line. */
  event_version: string;
  /** Field 129 (`string`): text, as in the line. */
  event_fingerprint: string;
  /** Field 130 (`tstamp`): an ISO 8601 UTC timestamp, e.g. `2013-11-26T00:02:05.123Z`. */
  true_tstamp: string;
};

/**
 * The shredded self-describing columns of the flat JSON form. Each context of the `contexts`
 * and `derived_contexts` columns adds its `data` to the array under
 * `contexts_<vendor>_<name>_<model>` (contexts of one schema share one array, in order); the
 * `unstruct_event` column puts its event's `data` under
 * `unstruct_event_<vendor>_<name>_<model>`. Names follow the Scala rule: `-` and `.` become
 * `_`, camelCase becomes snake_case.
 *
 * @example Read a shredded context
 * ```ts
 * import { type ShreddedColumns, transform } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[52] = JSON.stringify({
 *   schema: "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: "u1" } }],
 * });
 * const columns: ShreddedColumns = transform(fields.join("\t"));
 * assert.deepEqual(columns.contexts_com_acme_user_1, [{ id: "u1" }]);
 * ```
 */
export type ShreddedColumns = {
  /** The `data` of each context with this schema, in order. */
  [column: `contexts_${string}`]: unknown[];
  /** The `data` of the unstruct event with this schema. */
  [column: `unstruct_event_${string}`]: unknown;
};

/**
 * The flat JSON form of an enriched event, as {@linkcode transform} returns it.
 *
 * - `geo_location`: `"<latitude>,<longitude>"`, present when both coordinates are (and the
 *   `geoLocation` option is on);
 * - every atomic field at its type ({@linkcode AtomicFieldTypes}): with `Nulls` `false` (the
 *   default) an empty field is left out, so each is optional; with `Nulls` `true` (the `nulls`
 *   option) every one is present, `null` when empty;
 * - the shredded `contexts_*` and `unstruct_event_*` columns ({@linkcode ShreddedColumns}).
 *
 * When the `nulls` option is a `boolean` that is not known when compiling, `Nulls` is
 * `boolean` and the type is the union of both shapes.
 *
 * @typeParam Nulls Whether empty fields are `null` (`true`) or left out (`false`).
 *
 * @example Typed fields
 * ```ts
 * import { type FlatEvent, transform } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const fields = Array(131).fill("");
 * fields[95] = "1024"; // br_viewwidth
 * const event: FlatEvent = transform(fields.join("\t"));
 * const width: number | undefined = event.br_viewwidth;
 * assert.equal(width, 1024);
 *
 * const withNulls: FlatEvent<true> = transform(fields.join("\t"), { nulls: true });
 * const height: number | null = withNulls.br_viewheight;
 * assert.equal(height, null);
 * ```
 */
export type FlatEvent<Nulls extends boolean = false> =
  & {
    /** `"<latitude>,<longitude>"` as the two fields are written in the line. */
    geo_location?: string;
  }
  & (Nulls extends true ? { [Name in keyof AtomicFieldTypes]: AtomicFieldTypes[Name] | null }
    : { [Name in keyof AtomicFieldTypes]?: AtomicFieldTypes[Name] })
  & ShreddedColumns;
