/**
 * The Thrift compact protocol, write side only: what Parquet's page headers and footer need.
 *
 * @module
 */

import type { _Bytes } from "./bytes.ts";

const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const I32 = 5;
const I64 = 6;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

/** The element type of a Thrift list, as {@linkcode _ThriftWriter.list} takes it. */
export type _ThriftListType = "i32" | "string" | "struct";

const LIST_TYPES: Record<_ThriftListType, number> = { i32: I32, string: BINARY, struct: STRUCT };

/**
 * Writes Thrift compact-protocol structs into a {@linkcode _Bytes}. Fields are written in
 * increasing id order by the caller; `struct` and `list` take a callback for the content.
 */
export class _ThriftWriter {
  readonly out: _Bytes;
  #lastId = 0;

  constructor(out: _Bytes) {
    this.out = out;
  }

  #header(id: number, type: number): void {
    const delta = id - this.#lastId;
    if (delta > 0 && delta <= 15) this.out.u8((delta << 4) | type);
    else {
      this.out.u8(type);
      this.out.varint(zigzag(id));
    }
    this.#lastId = id;
  }

  i32(id: number, value: number): void {
    this.#header(id, I32);
    this.out.varint(zigzag(value));
  }

  /** An i64 field; `value` is a safe integer. */
  i64(id: number, value: number): void {
    this.#header(id, I64);
    this.out.varint(zigzag(value));
  }

  bool(id: number, value: boolean): void {
    this.#header(id, value ? BOOL_TRUE : BOOL_FALSE);
  }

  string(id: number, value: string): void {
    this.#header(id, BINARY);
    this.#string(value);
  }

  #string(value: string): void {
    const bytes = new TextEncoder().encode(value);
    this.out.varint(bytes.length);
    this.out.append(bytes);
  }

  binary(id: number, value: Uint8Array): void {
    this.#header(id, BINARY);
    this.out.varint(value.length);
    this.out.append(value);
  }

  /** A struct field; `body` writes its fields. */
  struct(id: number, body: () => void): void {
    this.#header(id, STRUCT);
    this.#structBody(body);
  }

  /** A struct that is not a field: the top-level one, or an element of a list. */
  #structBody(body: () => void): void {
    const outer = this.#lastId;
    this.#lastId = 0;
    body();
    this.out.u8(0); // stop
    this.#lastId = outer;
  }

  /** The top-level struct of a message (a page header, the file metadata). */
  message(body: () => void): void {
    this.#structBody(body);
  }

  /** A list field of i32s, strings, or structs (each struct written by `item`). */
  list<T>(id: number, type: _ThriftListType, items: readonly T[], item?: (value: T) => void): void {
    this.#header(id, LIST);
    const elementType = LIST_TYPES[type];
    if (items.length < 15) this.out.u8((items.length << 4) | elementType);
    else {
      this.out.u8(0xf0 | elementType);
      this.out.varint(items.length);
    }
    for (const value of items) {
      if (type === "i32") this.out.varint(zigzag(value as number));
      else if (type === "string") this.#string(value as string);
      else this.#structBody(() => item!(value));
    }
  }
}

/** Zigzag form of a safe integer: 0, -1, 1, -2 … become 0, 1, 2, 3 …. */
function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}
