import assert from "node:assert/strict";
import { isRunFolder } from "../../src/s3/mod.ts";

Deno.test("isRunFolder() accepts exact, valid run=YYYY-MM-DD-HH-mm-ss segments", async (t) => {
  for (
    const prefix of [
      "run=2017-01-01-00-00-00/",
      "run=2017-01-01-00-00-00",
      "storage/enriched-archive/run=2017-12-31-23-59-59/",
      "a/run=2016-02-29-12-00-00/",
      "a/run=2000-02-29-12-00-00/",
      "a/run=2017-04-30-00-00-00/",
      "a b+c/é/run=1999-11-30-01-02-03/",
    ]
  ) {
    await t.step(prefix, () => assert.equal(isRunFolder(prefix), true));
  }
});

Deno.test("isRunFolder() rejects near misses and invalid dates", async (t) => {
  for (
    const prefix of [
      "nur=2017-01-01-00-00-00/",
      "a/2017-01-01-00-00-00/",
      "a/run=2017-1-1-0-0-0/",
      "a/run=2017-01-01-00-00-0/",
      "a/run=2017-13-01-00-00-00/",
      "a/run=2017-00-01-00-00-00/",
      "a/run=2017-01-32-00-00-00/",
      "a/run=2017-01-00-00-00-00/",
      "a/run=2017-02-29-00-00-00/",
      "a/run=1900-02-29-00-00-00/",
      "a/run=2017-04-31-00-00-00/",
      "a/run=2017-01-01-24-00-00/",
      "a/run=2017-01-01-00-60-00/",
      "a/run=2017-01-01-00-00-60/",
      "a/run=2017-01-01-00-00-00-extra/",
      "a/xrun=2017-01-01-00-00-00/",
      "a/RUN=2017-01-01-00-00-00/",
      "a/run=2017-01-01-00-00-00 /",
      "a/run=2017-01-01-00-00-00//",
      "run=2017-01-01-00-00-00/sub/",
      "a/run=２０17-01-01-00-00-00/",
      "",
      "/",
    ]
  ) {
    await t.step(JSON.stringify(prefix), () => assert.equal(isRunFolder(prefix), false));
  }
});
