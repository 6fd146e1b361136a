/**
 * Corpus helpers shared by the benchmarks.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS } from "../src/event/mod.ts";

/**
 * The non-empty lines of `bytes`, each decoded from UTF-8 on its own as the stream layer does
 * (so each is a flat string, not a slice of one large string).
 */
export function readLines(bytes: Uint8Array): string[] {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) lines.push(decoder.decode(bytes.subarray(start, end)));
    start = end + 1;
  }
  return lines;
}

/**
 * A naive build of the flat form, the floor the object path must stay above: `split("\t")`,
 * `Number()` for numbers, `JSON.parse` for the three JSON columns, shredded without checks
 * (no validation at all, so it is not a transformer; only its cost matters here).
 */
const NAIVE_KINDS = ENRICHED_EVENT_FIELDS.map((f) => f.kind);
const NAIVE_NAMES = ENRICHED_EVENT_FIELDS.map((f) => f.name);
export function naiveBuild(line: string): Record<string, unknown> {
  const fields = line.split("\t");
  const out: Record<string, unknown> = {};
  if (fields[22] !== "" && fields[23] !== "") out.geo_location = `${fields[22]},${fields[23]}`;
  for (let i = 0; i < fields.length; i++) {
    const text = fields[i];
    if (text === "") continue;
    switch (NAIVE_KINDS[i]) {
      case "int":
      case "double":
        out[NAIVE_NAMES[i]] = Number(text);
        break;
      case "bool":
        out[NAIVE_NAMES[i]] = text === "1";
        break;
      case "tstamp":
        out[NAIVE_NAMES[i]] = `${text.replace(" ", "T")}Z`;
        break;
      case "contexts":
        for (const entity of JSON.parse(text).data) {
          const key = `contexts_${entity.schema.split("/")[1]}`;
          ((out[key] ??= []) as unknown[]).push(entity.data);
        }
        break;
      case "unstruct": {
        const entity = JSON.parse(text).data;
        out[`unstruct_event_${entity.schema.split("/")[1]}`] = entity.data;
        break;
      }
      default:
        out[NAIVE_NAMES[i]] = text;
    }
  }
  return out;
}
