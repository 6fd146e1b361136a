/**
 * The file footer: Parquet's `FileMetaData` (schema, row groups, column chunk metadata).
 *
 * @module
 */

import { _Bytes } from "./bytes.ts";
import { type _ChunkMeta, _physicalType } from "./column.ts";
import type { _ColumnSpec } from "./columns.ts";
import { _ThriftWriter } from "./thrift.ts";

/** One written row group. */
export interface _RowGroupMeta {
  numRows: number;
  /** Where its first column chunk starts. */
  fileOffset: number;
  /** Its column chunks by column name. */
  chunks: Map<string, _ChunkMeta>;
}

const OPTIONAL = 1;
const CONVERTED_UTF8 = 0;
const CONVERTED_TIMESTAMP_MICROS = 10;
const CONVERTED_JSON = 19;

/** What the footer says the file was written by. */
export const _CREATED_BY = "@snowplow/analytics-sdk (Deno) parquet writer";

/** The Thrift-encoded `FileMetaData` of a file with these columns and row groups. */
export function _encodeFooter(
  columns: readonly _ColumnSpec[],
  rowGroups: readonly _RowGroupMeta[],
): Uint8Array {
  const out = new _Bytes(4096 + columns.length * rowGroups.length * 128);
  const t = new _ThriftWriter(out);
  t.message(() => {
    t.i32(1, 1); // version
    t.list(2, "struct", [undefined, ...columns], (column) => {
      if (column === undefined) {
        t.string(4, "schema");
        t.i32(5, columns.length);
      } else writeSchemaElement(t, column);
    });
    t.i64(3, rowGroups.reduce((sum, group) => sum + group.numRows, 0));
    t.list(4, "struct", rowGroups, (group) => writeRowGroup(t, columns, group));
    t.string(6, _CREATED_BY);
    // Every column is ordered by its type (signed for INT32/INT64, numeric for DOUBLE), which
    // tells readers how to read min_value and max_value.
    t.list(7, "struct", columns, () => t.struct(1, () => {}));
  });
  return out.content().slice();
}

function writeSchemaElement(t: _ThriftWriter, column: _ColumnSpec): void {
  t.i32(1, _physicalType(column.kind));
  t.i32(3, OPTIONAL);
  t.string(4, column.name);
  switch (column.kind) {
    case "string":
      t.i32(6, CONVERTED_UTF8);
      t.struct(10, () => t.struct(1, () => {}));
      break;
    case "json":
      t.i32(6, CONVERTED_JSON);
      t.struct(10, () => t.struct(12, () => {}));
      break;
    case "tstamp":
      t.i32(6, CONVERTED_TIMESTAMP_MICROS);
      t.struct(10, () =>
        t.struct(8, () => {
          t.bool(1, true); // isAdjustedToUTC
          t.struct(2, () => t.struct(2, () => {})); // unit: MICROS
        }));
      break;
  }
}

function writeRowGroup(
  t: _ThriftWriter,
  columns: readonly _ColumnSpec[],
  group: _RowGroupMeta,
): void {
  let uncompressed = 0;
  let compressed = 0;
  t.list(1, "struct", columns, (column) => {
    const chunk = group.chunks.get(column.name)!;
    uncompressed += chunk.uncompressedSize;
    compressed += chunk.compressedSize;
    t.i64(2, chunk.dictionaryPageOffset ?? chunk.dataPageOffset);
    t.struct(3, () => writeColumnMetaData(t, column, chunk));
  });
  t.i64(2, uncompressed);
  t.i64(3, group.numRows);
  t.i64(5, group.fileOffset);
  t.i64(6, compressed);
}

function writeColumnMetaData(t: _ThriftWriter, column: _ColumnSpec, chunk: _ChunkMeta): void {
  t.i32(1, chunk.type);
  t.list(2, "i32", chunk.encodings);
  t.list(3, "string", [column.name]);
  t.i32(4, chunk.codec);
  t.i64(5, chunk.numValues);
  t.i64(6, chunk.uncompressedSize);
  t.i64(7, chunk.compressedSize);
  t.i64(9, chunk.dataPageOffset);
  if (chunk.dictionaryPageOffset !== undefined) t.i64(11, chunk.dictionaryPageOffset);
  t.struct(12, () => {
    t.i64(3, chunk.nullCount);
    if (chunk.max !== undefined) t.binary(5, chunk.max);
    if (chunk.min !== undefined) t.binary(6, chunk.min);
  });
}
