/**
 * The command line's gzip decompressor: `node:zlib`, native and about four times faster than
 * the pure-JavaScript one the stream API uses by default.
 *
 * @module
 */

import { Duplex } from "node:stream";
import { createGunzip } from "node:zlib";
import type { GunzipPair } from "../stream/mod.ts";

/**
 * A `node:zlib` gunzip as a stream pair: reads every member of a multi-member file, checks
 * each member's CRC-32 and length, and ignores zero padding after the last member (as
 * `gzip -d` does).
 */
export function nativeGunzip(): GunzipPair {
  return Duplex.toWeb(createGunzip()) as unknown as GunzipPair;
}
