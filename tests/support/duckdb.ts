/**
 * Reading Parquet files back with DuckDB (npm `@duckdb/node-api`, in-process), the real engine
 * the Parquet tests check the writer against.
 *
 * @module
 */

import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";

/** A column as DuckDB sees it. */
export interface DuckColumn {
  name: string;
  /** DuckDB's type name: `VARCHAR`, `INTEGER`, `TIMESTAMP WITH TIME ZONE`, `JSON` … */
  type: string;
}

/** What DuckDB reads from a Parquet file. */
export interface DuckFile {
  columns: DuckColumn[];
  /**
   * Every row in file order. Timestamps are read as microseconds since the epoch (`bigint`,
   * DuckDB's `epoch_us`), JSON as its text, the rest as JavaScript values.
   */
  rows: Record<string, unknown>[];
  /** How many row groups the file has. */
  rowGroups: number;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Reads a whole Parquet file with DuckDB. */
export async function readWithDuckDb(path: string): Promise<DuckFile> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const file = `'${path.replaceAll("'", "''")}'`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`);
    const columns = described.getRowObjectsJS().map((row) => ({
      name: String(row.column_name),
      type: String(row.column_type),
    }));
    const select = columns.map(({ name, type }) =>
      type.startsWith("TIMESTAMP") ? `epoch_us(${quote(name)}) AS ${quote(name)}` : quote(name)
    );
    const data = await connection.runAndReadAll(
      `SELECT ${select.join(", ")} FROM read_parquet(${file}, file_row_number = true) ` +
        "ORDER BY file_row_number",
    );
    const rows = data.getRowObjectsJS() as Record<string, unknown>[];
    const groups = await connection.runAndReadAll(
      `SELECT num_row_groups AS n FROM parquet_file_metadata(${file})`,
    );
    return { columns, rows, rowGroups: Number(groups.getRowObjectsJS()[0].n) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
