/**
 * The JSON depth limit (docs/event.md, "JSON columns nested too deeply") on the stream paths:
 * a line whose context nests past it is a bad row for `EventStream` and `NdjsonStream` alike,
 * so `EventStream` → `JsonStringifyStream` no longer fails where `NdjsonStream` succeeds.
 */

import assert from "node:assert/strict";
import { EventStream, JsonStringifyStream, NdjsonStream } from "../../mod.ts";
import { MAX_JSON_DEPTH } from "../../src/event/_rules.ts";
import type { BadRow } from "../../src/stream/bad_row.ts";

const SCHEMA = "iglu:com.acme/deep/jsonschema/1-0-0";

/** A line whose contexts column nests `depth` levels in all (envelope, array, entity, data). */
function lineNesting(depth: number): string {
  const data = `${"[".repeat(depth - 3)}${"]".repeat(depth - 3)}`;
  const fields = Array(131).fill("");
  fields[0] = "shop";
  fields[52] =
    `{"schema":"iglu:x/contexts/jsonschema/1-0-0","data":[{"schema":"${SCHEMA}","data":${data}}]}`;
  return fields.join("\t");
}

const AT_LIMIT = lineNesting(MAX_JSON_DEPTH);
const OVER_LIMIT = lineNesting(MAX_JSON_DEPTH + 1);
/** The case of the issue: 7,000 levels, where `JSON.stringify` of the value throws. */
const VERY_DEEP = lineNesting(7_000);
const INPUT = [AT_LIMIT, OVER_LIMIT, VERY_DEEP, "shop"].join("\n") + "\n";

function input(): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new Blob([INPUT]).stream();
}

function assertDepthBadRow(row: BadRow, line: number): void {
  assert.equal(row.line, line);
  assert.ok(row.error.type === "RowDecodingError", row.error.type);
  assert.equal(row.error.errors[0].key, "contexts");
  assert.match(row.error.errors[0].message, /nested deeper than 1000 levels/);
}

Deno.test("EventStream makes a line nested past the depth limit a bad row", async () => {
  const results = await Array.fromAsync(new EventStream(input()));
  assert.equal(results.length, 4);
  assert.ok(results[0].event !== undefined, "the line at the limit is an event");
  assertDepthBadRow(results[1].badRow!, 2);
  assertDepthBadRow(results[2].badRow!, 3);
  assert.equal(results[3].badRow?.error.type, "NotTSV");
});

Deno.test("EventStream → JsonStringifyStream writes every result of deep lines", async () => {
  const text = await new Response(new EventStream(input()).pipeThrough(new JsonStringifyStream()))
    .text();
  assert.equal(text.split("\n").length, 5);
});

Deno.test("NdjsonStream makes a line nested past the depth limit a bad row", async () => {
  const ndjson = new NdjsonStream(input());
  const [events, badRows] = await Promise.all([
    new Response(ndjson).text(),
    Array.fromAsync(ndjson.badRows),
  ]);
  assert.equal(events.split("\n").length, 2, "one event: the line at the limit");
  assert.equal(badRows.length, 3);
  assertDepthBadRow(badRows[0], 2);
  assertDepthBadRow(badRows[1], 3);
  assert.equal(ndjson.stats.events, 1);
});
