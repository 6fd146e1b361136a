/**
 * Snowplow Analytics SDK for Deno: turn Snowplow enriched events into typed JSON, and track
 * which pipeline runs a job already processed.
 *
 * @module
 */

export * from "./src/event/mod.ts";
export * from "./src/aws/mod.ts";
export * from "./src/s3/mod.ts";
export * from "./src/stream/mod.ts";
export * from "./src/manifest/mod.ts";
export * from "./src/job/mod.ts";
