/**
 * The core's gzip (no `node:zlib`: what Deno Deploy, workerd and `readRun` use), old against new
 * in the same run: `NdjsonStream` and `readRun` over multi-member gzip with
 *
 * - the old path: fflate's streaming `Gunzip` for the whole input (as the SDK did before it
 *   checked trailers; given here as the `gunzip` option, so it also passes through one pipe);
 * - the built-in decoder: each member found and decoded with `DecompressionStream` (native),
 *   its CRC-32 and ISIZE checked.
 *
 * Corpus: the file named by `SNOWPLOW_BENCH_CORPUS` (one enriched event per line), or 20,000
 * lines generated with seed 42 by `tests/support/generator.ts`; compressed here into four gzip
 * members (as the S3 Loader and `cat a.gz b.gz` write). `readRun` reads four such objects from an
 * S3 answered from memory (its `fetch` option), so the SDK is timed, not a local server.
 *
 * ```sh
 * deno bench -A bench/gzip_bench.ts
 * SNOWPLOW_BENCH_CORPUS=/tmp/c.tsv deno bench -A bench/gzip_bench.ts
 * ```
 *
 * After the run it prints, for each case, events/s of the median iteration and the ratio new ÷
 * old of the medians; then, from rounds that run the old and the new path one after the other
 * (alternating which goes first), the median of the per-round ratios: on a shared machine the
 * medians of separate cases can be minutes apart, the paired rounds are not.
 *
 * What each measures:
 *
 * - the separate cases and "old and new in the same round": one drain per `Deno.bench` iteration,
 *   inside this bench process, after whatever cases ran before in it;
 * - "old and new in a child process": `bench/_gzip_rounds.ts` run by `deno run -A` (as users run
 *   the SDK), a warm-up drain of each path, then `SNOWPLOW_BENCH_ROUNDS` (default 9) paired
 *   rounds, order alternating; it prints each round's ratio and their median. The corpus, the S3
 *   from memory and the old decoder are `bench/_gzip_corpus.ts`, shared by both.
 *
 * The in-bench anomaly (2026-12-05, 2-core VM): here `readRun`'s built-in path ran at about
 * 30,000–39,000 events/s an iteration, where the same drains in a plain `deno run` ran at
 * 48,000–58,000 (and a loop of rounds inside one `Deno.bench` iteration too). Not found in the SDK:
 * the built-in `readRun` case alone in a bench process (`--filter`) ran at 48,000 events/s, and
 * 29,700 right after the old-path case in the same process (load about 3), while a plain
 * `deno run` that ran eight old rounds first still gave the new path 40,000–48,000. So the slow
 * iterations come from state the earlier cases leave in the bench process, not from `readRun`
 * itself; trust the child process's ratios for what users see.
 *
 * @module
 */

import { events, MEMBERS, ndjson, OBJECTS, oldGunzip, run, text } from "./_gzip_corpus.ts";
import { median, timed, timings } from "./_timings.ts";

const OLD_NDJSON = "NdjsonStream, old path (fflate Gunzip, trailers not checked)";
const NEW_NDJSON = "NdjsonStream, built-in (DecompressionStream per member, checked)";
const OLD_RUN = `readRun, ${OBJECTS} objects, old path (fflate Gunzip)`;
const NEW_RUN = `readRun, ${OBJECTS} objects, built-in (DecompressionStream per member)`;
const ndjsonCase = { group: "NdjsonStream over gzip", n: 7 };
const runCase = { group: "readRun over gzip", n: 7 };
Deno.bench(timed(OLD_NDJSON, () => ndjson(oldGunzip), { ...ndjsonCase, baseline: true }));
Deno.bench(timed(NEW_NDJSON, () => ndjson(), ndjsonCase));
Deno.bench(timed(OLD_RUN, () => run(oldGunzip), { ...runCase, baseline: true }));
Deno.bench(timed(NEW_RUN, () => run(), runCase));

/**
 * Old and new one after the other in each round (the order alternating), so that a slow spell
 * of the shared machine hits both: the ratio of each round, and their median.
 */
const pairedRatios = new Map<string, number[]>();
function paired(name: string, old: () => Promise<void>, now: () => Promise<void>) {
  let round = 0;
  Deno.bench({
    name,
    group: "old and new in the same round",
    n: 7,
    warmup: 1,
    async fn() {
      const time = async (f: () => Promise<void>) => {
        const start = performance.now();
        await f();
        return performance.now() - start;
      };
      let oldMs: number, newMs: number;
      if (round++ % 2 === 0) {
        oldMs = await time(old);
        newMs = await time(now);
      } else {
        newMs = await time(now);
        oldMs = await time(old);
      }
      const list = pairedRatios.get(name) ?? [];
      list.push(oldMs / newMs);
      pairedRatios.set(name, list);
    },
  });
}
paired("NdjsonStream, old then new", () => ndjson(oldGunzip), () => ndjson());
paired("readRun, old then new", () => run(oldGunzip), () => run());

/**
 * The same paired rounds in a child `deno run` process (how users run the SDK), outside this
 * harness: `bench/_gzip_rounds.ts` with `SNOWPLOW_BENCH_ROUNDS` rounds (default 9).
 */
const childLines: string[] = [];
Deno.bench({
  name: "child deno run: warm-up, then paired rounds",
  group: "old and new in a child process",
  n: 1,
  warmup: 0,
  async fn() {
    // Deno calls a bench's function once more than `n` + `warmup`: run the child only once.
    if (childLines.length > 0) return;
    const script = new URL("./_gzip_rounds.ts", import.meta.url).pathname;
    const rounds = Deno.env.get("SNOWPLOW_BENCH_ROUNDS") ?? "9";
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, rounds],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`bench/_gzip_rounds.ts exited ${output.code}`);
    const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
    childLines.push(...lines.slice(0, -1));
  },
});

globalThis.addEventListener("unload", () => {
  const report = [
    `corpus: ${events} events, ${(text.length / 1e6).toFixed(1)} MB, ${MEMBERS} gzip members`,
  ];
  const rate = (name: string, objects = 1) => {
    const list = timings.get(name);
    return list ? (events * objects) / (median(list) / 1000) : NaN;
  };
  for (
    const [name, objects] of [[OLD_NDJSON, 1], [NEW_NDJSON, 1], [OLD_RUN, OBJECTS], [
      NEW_RUN,
      OBJECTS,
    ]] as const
  ) {
    report.push(
      `${name}: ${Math.round(rate(name, objects))} events/s (median of ${
        timings.get(name)?.length ?? 0
      })`,
    );
  }
  report.push(`NdjsonStream new ÷ old: ${(rate(NEW_NDJSON) / rate(OLD_NDJSON)).toFixed(2)}`);
  report.push(`readRun new ÷ old: ${(rate(NEW_RUN, OBJECTS) / rate(OLD_RUN, OBJECTS)).toFixed(2)}`);
  for (const [name, ratios] of pairedRatios) {
    report.push(
      `${name}, new ÷ old per round: median ${median(ratios).toFixed(2)} of ${ratios.length} ` +
        `(${[...ratios].sort((x, y) => x - y).map((r) => r.toFixed(2)).join(", ")})`,
    );
  }
  for (const line of childLines) report.push(`child process: ${line}`);
  console.error(report.join("\n"));
});
