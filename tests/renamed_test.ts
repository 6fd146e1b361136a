/**
 * The names renamed in 0.2 (CHANGELOG.md): each deprecated type alias is exactly its new type,
 * and is exported from its subpath only, not from the root module.
 */

import assert from "node:assert/strict";
import type { ManifestEntry, RunRecord } from "../src/manifest/mod.ts";
import type { RunContents, RunRecords, UnitContents, UnitRecords } from "../src/job/mod.ts";
import type { RunLine, RunResult } from "../src/s3/mod.ts";
// @ts-expect-error The deprecated type aliases are not in the root module.
import type { RunRecord as RootRunRecord } from "../mod.ts";
// @ts-expect-error The deprecated type aliases are not in the root module.
import type { RunRecords as RootRunRecords } from "../mod.ts";
// @ts-expect-error The deprecated type aliases are not in the root module.
import type { UnitRecords as RootUnitRecords } from "../mod.ts";
// @ts-expect-error The deprecated type aliases are not in the root module.
import type { RunResult as RootRunResult } from "../mod.ts";

/** `true` only when `A` and `B` are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

Deno.test("deprecated type aliases are the same types as their new names", () => {
  const same: boolean[] = [
    true satisfies Same<RunRecord, ManifestEntry>,
    true satisfies Same<RunRecords, RunContents>,
    true satisfies Same<UnitRecords, UnitContents>,
    true satisfies Same<RunResult, RunLine>,
    true satisfies Same<RunResult<true>, RunLine<true>>,
  ];
  // The type checker proves these (`true` does not satisfy `false`); here they only run.
  assert.deepEqual(same, [true, true, true, true, true]);
  // A check that can fail: two types that differ are not the same.
  const differ: false = false satisfies Same<RunLine, RunLine<true>>;
  assert.equal(differ, false);
});

// Used only as types, so the expected errors above are about the names, not unused imports.
export type _Unused = [RootRunRecord, RootRunRecords, RootUnitRecords, RootRunResult];
