/**
 * Parquet output: flat events → one typed Parquet file, row group by row group.
 *
 * @module
 */

export * from "./to_parquet.ts";
export * from "./parquet_stream.ts";
