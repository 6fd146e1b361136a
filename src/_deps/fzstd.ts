/**
 * fzstd: a pure-JavaScript Zstandard decompressor (the only npm dependency of the engines
 * area), pinned here so every importer resolves the same version.
 *
 * @module
 */

export { decompress as zstdDecompress } from "npm:fzstd@0.1.1";
