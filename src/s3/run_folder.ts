import { isDateTime } from "../event/_rules.ts";

const RUN_SEGMENT = /^run=(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/;

/**
 * Whether a key prefix names a run folder: its last segment (the trailing `/` is optional) is
 * exactly `run=YYYY-MM-DD-HH-mm-ss`, zero-padded, with a real calendar date (leap years
 * included) and a time from `00-00-00` to `23-59-59`.
 *
 * Deliberately stricter than the Python SDK, which strips a character set and so also accepts
 * `nur=…` and names without `run=`.
 *
 * @example Run folders and near misses
 * ```ts
 * import { isRunFolder } from "@snowplow/analytics-sdk/s3";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isRunFolder("storage/enriched-archive/run=2017-01-01-00-00-00/"), true);
 * assert.equal(isRunFolder("run=2016-02-29-23-59-59"), true);
 * assert.equal(isRunFolder("storage/run=2017-13-01-00-00-00/"), false);
 * assert.equal(isRunFolder("storage/nur=2017-01-01-00-00-00/"), false);
 * assert.equal(isRunFolder("storage/run=2017-1-1-0-0-0/"), false);
 * ```
 */
export function isRunFolder(prefix: string): boolean {
  const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  const match = RUN_SEGMENT.exec(trimmed.slice(trimmed.lastIndexOf("/") + 1));
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  return isDateTime(year, month, day, hour, minute, second);
}
