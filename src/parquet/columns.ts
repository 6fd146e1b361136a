/**
 * The columns of the Parquet file: which key of the flat form becomes which typed column.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS } from "../event/mod.ts";

/** How a column's values are typed and encoded. */
export type _ColumnKind = "string" | "int" | "double" | "bool" | "tstamp" | "json";

/** One column of the file. */
export interface _ColumnSpec {
  /** The key of the flat form, and the column name. */
  readonly name: string;
  readonly kind: _ColumnKind;
}

/** `geo_location` and every atomic field, in the order of the flat form. */
export const _ATOMIC_COLUMNS: readonly _ColumnSpec[] = Object.freeze([
  { name: "geo_location", kind: "string" as const },
  ...ENRICHED_EVENT_FIELDS.flatMap((field): _ColumnSpec[] =>
    field.kind === "contexts" || field.kind === "unstruct"
      ? []
      : [{ name: field.name, kind: field.kind }]
  ),
]);

const ATOMIC_BY_NAME: ReadonlyMap<string, _ColumnSpec> = new Map(
  _ATOMIC_COLUMNS.map((column) => [column.name, column]),
);

/** Whether `key` is a shredded column of the flat form (`contexts_…`, `unstruct_event_…`). */
export function _isShreddedKey(key: string): boolean {
  return (key.startsWith("contexts_") || key.startsWith("unstruct_event_")) &&
    !ATOMIC_BY_NAME.has(key);
}

/** The column for a key of the flat form, or `undefined` for a key the flat form never has. */
export function _columnFor(key: string): _ColumnSpec | undefined {
  return ATOMIC_BY_NAME.get(key) ?? (_isShreddedKey(key) ? { name: key, kind: "json" } : undefined);
}
