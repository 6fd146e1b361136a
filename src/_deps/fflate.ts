/**
 * fflate, pinned: the streaming gzip decoder that reads every member (`src/stream/gzip.ts`).
 *
 * @module
 */
export { Gunzip } from "npm:fflate@0.8.3";
