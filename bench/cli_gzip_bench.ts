/**
 * The command line on gzip input, whole processes, against `zcat` in the same run:
 *
 * - one gzip file → NDJSON (`transform FILE > /dev/null`, `--jobs` at its default: the core
 *   count) against `zcat FILE > /dev/null`; the same with `--jobs 1` (everything on one thread);
 * - the same file as stdin (`transform - < FILE`, default `--jobs`);
 * - two gzip files with `--jobs 2` against `--jobs 1`;
 * - the ceiling of that ratio on the machine: two separate `--jobs 1` processes, one file each,
 *   run at once with their output thrown away (no order kept, nothing shared), against
 *   `--jobs 1` on both files.
 *
 * Corpus: `SNOWPLOW_BENCH_EVENTS` events (default 200,000) generated with seed 42 by
 * `tests/support/generator.ts`, gzipped here (one member); the two-file case uses two halves.
 * Needs `zcat` on `PATH`.
 *
 * ```sh
 * deno bench -A bench/cli_gzip_bench.ts
 * SNOWPLOW_BENCH_EVENTS=50000 deno bench -A bench/cli_gzip_bench.ts
 * ```
 *
 * Each round runs the six commands once, in an order rotated from round to round; after the
 * run it prints the median of each command in events/s and the ratios (the warm-up round
 * included: the first round is a cold start for every command alike).
 *
 * @module
 */

import { writeCorpus } from "../tests/support/generator.ts";

const EVENTS = Number(Deno.env.get("SNOWPLOW_BENCH_EVENTS") ?? 200_000);
const dir = await Deno.makeTempDir({ prefix: "cli_gzip_bench_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

async function gzipFile(from: string, to: string): Promise<void> {
  const input = await Deno.open(from);
  const output = await Deno.open(to, { write: true, create: true, truncate: true });
  await input.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(output.writable);
}

/** Writes the first `count` lines of `from` to `to`, and the rest to `rest`. */
async function split(from: string, count: number, to: string, rest: string): Promise<void> {
  const bytes = await Deno.readFile(from);
  let at = 0;
  for (let n = 0; n < count; n++) at = bytes.indexOf(0x0a, at) + 1;
  await Deno.writeFile(to, bytes.subarray(0, at));
  await Deno.writeFile(rest, bytes.subarray(at));
}

const tsv = `${dir}/events.tsv`;
await writeCorpus(tsv, 42, EVENTS);
const gz = `${dir}/events.tsv.gz`;
await gzipFile(tsv, gz);
await split(tsv, EVENTS >> 1, `${dir}/a.tsv`, `${dir}/b.tsv`);
await gzipFile(`${dir}/a.tsv`, `${dir}/a.tsv.gz`);
await gzipFile(`${dir}/b.tsv`, `${dir}/b.tsv.gz`);
await Promise.all([tsv, `${dir}/a.tsv`, `${dir}/b.tsv`].map((f) => Deno.remove(f)));

const cli = new URL("../src/cli.ts", import.meta.url).pathname;
const deno = Deno.execPath();
const both = [`${dir}/a.tsv.gz`, `${dir}/b.tsv.gz`];

/** `deno run -A src/cli.ts transform -q ...args`. */
const transform = (...args: string[]) => ["run", "-A", cli, "transform", "-q", ...args];

/** The commands, run once each per round, in a rotated order (so a slow spell hits all alike). */
const CASES: [name: string, command: string, args: string[]][] = [
  ["zcat FILE > /dev/null", "zcat", [gz]],
  ["transform FILE > /dev/null", deno, transform(gz)],
  ["transform --jobs 1 FILE > /dev/null", deno, transform("--jobs", "1", gz)],
  ["transform - < FILE > /dev/null", "sh", [
    "-c",
    `exec "$0" run -A "$1" transform -q - < "$2"`,
    deno,
    cli,
    gz,
  ]],
  ["transform --jobs 1 A B > /dev/null", deno, transform("--jobs", "1", ...both)],
  ["transform --jobs 2 A B > /dev/null", deno, transform("--jobs", "2", ...both)],
  ["two processes at once: transform --jobs 1 A & transform --jobs 1 B", "sh", [
    "-c",
    `"$0" run -A "$1" transform -q --jobs 1 "$2" & "$0" run -A "$1" transform -q --jobs 1 "$3"` +
    ` && wait $!`,
    deno,
    cli,
    ...both,
  ]],
];
const timings = new Map<string, number[]>(CASES.map(([name]) => [name, []]));
let round = 0;

async function run(command: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
}

Deno.bench({
  name: "one round: zcat, transform FILE (default and --jobs 1), - < FILE, --jobs 1/2 A B, A & B",
  n: 5,
  warmup: 1,
  async fn() {
    const shift = round++ % CASES.length;
    for (const [name, command, args] of [...CASES.slice(shift), ...CASES.slice(0, shift)]) {
      const start = performance.now();
      await run(command, args);
      timings.get(name)!.push(performance.now() - start);
    }
  },
});

globalThis.addEventListener("unload", () => {
  const median = (name: string) => {
    const list = [...timings.get(name)!].sort((a, b) => a - b);
    return list[list.length >> 1];
  };
  const [zcat, one, oneThread, piped, jobs1, jobs2, apart] = CASES.map(([name]) => name);
  console.error([
    `corpus: ${EVENTS} events`,
    ...CASES.map(([name]) =>
      `${name}: ${Math.round(EVENTS / (median(name) / 1000))} events/s ` +
      `(median of ${timings.get(name)!.length} rounds)`
    ),
    `transform ÷ zcat (events/s): ${(median(zcat) / median(one)).toFixed(2)}`,
    `transform --jobs 1 ÷ zcat (events/s): ${(median(zcat) / median(oneThread)).toFixed(2)}`,
    `transform - < FILE ÷ zcat (events/s): ${(median(zcat) / median(piped)).toFixed(2)}`,
    `--jobs 2 ÷ --jobs 1 (events/s): ${(median(jobs1) / median(jobs2)).toFixed(2)}`,
    `two processes at once ÷ --jobs 1 (events/s): ${(median(jobs1) / median(apart)).toFixed(2)}`,
  ].join("\n"));
});
