import assert from "node:assert/strict";
import { StreamReadError } from "../../src/stream/stream_read_error.ts";

Deno.test("StreamReadError carries the line reached and the cause", () => {
  const cause = new Error("reset");
  const error = new StreamReadError("Cannot read the input after line 7: reset", {
    line: 7,
    cause,
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "StreamReadError");
  assert.equal(error.line, 7);
  assert.equal(error.cause, cause);
  assert.equal(error.message, "Cannot read the input after line 7: reset");
});
