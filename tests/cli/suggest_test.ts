import assert from "node:assert/strict";
import { closestName, didYouMean } from "../../src/cli/suggest.ts";

Deno.test("closestName() finds a typo's intended name", async (t) => {
  const names = ["transform", "runs", "manifest", "process"];
  const cases: [string, string | undefined][] = [
    ["transfrom", "transform"], // swapped letters
    ["trnsform", "transform"], // a letter missing
    ["Transform", "transform"], // case
    ["proces", "process"],
    ["run", "runs"],
    ["xyz", undefined], // nothing close
    ["manifold", undefined], // three edits in eight letters
  ];
  for (const [typed, expected] of cases) {
    await t.step(typed, () => assert.equal(closestName(typed, names), expected));
  }
});

Deno.test("didYouMean() words the suggestion, or gives nothing", () => {
  assert.equal(didYouMean("app_idd", ["app_id", "platform"]), " (did you mean 'app_id'?)");
  assert.equal(didYouMean("zzz", ["app_id"]), "");
  assert.equal(didYouMean("a", []), "");
});
