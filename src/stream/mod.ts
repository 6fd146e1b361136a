/**
 * Streams of enriched events: read a file, a `fetch` body or stdin (plain or gzip, also
 * multi-member gzip) as events and bad rows, or straight to NDJSON bytes, with counters and
 * bounded memory. Web streams only, so it runs on Deno, Deno Deploy and workerd.
 *
 * @module
 */

export type { BadRow, LineTooLongJson } from "./bad_row.ts";
export {
  type BadRowLine,
  type EventLine,
  type EventResult,
  EventStream,
  type EventStreamOptions,
} from "./event_stream.ts";
export { GunzipStream, isGzip } from "./gzip.ts";
export type { GunzipPair } from "./line_source.ts";
export { JsonStringifyStream, NdjsonEncodeStream } from "./json_stringify_stream.ts";
export { NdjsonStream } from "./ndjson_stream.ts";
export { StreamReadError } from "./stream_read_error.ts";
export type { StreamStats } from "./stream_stats.ts";
