/**
 * Old and new gzip paths of `NdjsonStream` and `readRun` in one plain `deno run` process, as users
 * run the SDK: a warm-up round of each path, then `K` rounds (default 9) that run the old and the
 * new path one after the other, the order alternating. Prints each round's ratio new ÷ old
 * (old time ÷ new time), their median, and the median events/s of each path; the last line is the
 * same as JSON, for `bench/gzip_bench.ts`, which runs this script as a child process.
 *
 * ```sh
 * deno run -A bench/_gzip_rounds.ts 9
 * ```
 *
 * @module
 */

import { events, ndjson, OBJECTS, oldGunzip, run } from "./_gzip_corpus.ts";
import { median } from "./_timings.ts";

const rounds = Number(Deno.args[0] ?? 9);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds: ${Deno.args[0]}`);

async function time(f: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await f();
  return performance.now() - start;
}

/** What one case measured: per-round ratios new ÷ old and events/s of each path. */
export interface RoundsResult {
  name: string;
  ratios: number[];
  median: number;
  oldRate: number;
  newRate: number;
}

async function paired(
  name: string,
  perRun: number,
  old: () => Promise<void>,
  now: () => Promise<void>,
): Promise<RoundsResult> {
  await old();
  await now();
  const ratios: number[] = [], oldMs: number[] = [], newMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let o: number, n: number;
    if (round % 2 === 0) {
      o = await time(old);
      n = await time(now);
    } else {
      n = await time(now);
      o = await time(old);
    }
    oldMs.push(o);
    newMs.push(n);
    ratios.push(o / n);
  }
  return {
    name,
    ratios,
    median: median(ratios),
    oldRate: perRun / (median(oldMs) / 1000),
    newRate: perRun / (median(newMs) / 1000),
  };
}

const results = [
  await paired("NdjsonStream", events, () => ndjson(oldGunzip), () => ndjson()),
  await paired(`readRun, ${OBJECTS} objects`, events * OBJECTS, () => run(oldGunzip), () => run()),
];
for (const r of results) {
  console.log(
    `${r.name} (deno run, ${rounds} paired rounds): new ÷ old median ${r.median.toFixed(2)} ` +
      `(${r.ratios.map((x) => x.toFixed(2)).join(", ")}); events/s new ${
        Math.round(r.newRate)
      }, old ${Math.round(r.oldRate)}`,
  );
}
console.log(JSON.stringify(results));
