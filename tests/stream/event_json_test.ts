import assert from "node:assert/strict";
import { transform, TransformError } from "../../src/event/mod.ts";
import { eventToJson } from "../../src/stream/event_json.ts";
import { generateLines } from "../support/generator.ts";

Deno.test("eventToJson() parses to JSON.stringify(transform()) and throws the same errors", () => {
  const options = [{}, { nulls: true, schemaVersion: true, geoLocation: false }];
  for (const { line } of generateLines({ seed: 3, count: 200, badRate: 0.3 })) {
    for (const option of options) {
      let expected: unknown;
      try {
        expected = JSON.parse(JSON.stringify(transform(line, option)));
      } catch (error) {
        assert.ok(error instanceof TransformError);
        assert.throws(() => eventToJson(line, option), (e: unknown) => {
          return e instanceof TransformError && e.message === error.message;
        });
        continue;
      }
      assert.deepEqual(JSON.parse(eventToJson(line, option)), expected);
    }
  }
});
