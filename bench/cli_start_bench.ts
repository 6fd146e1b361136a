/**
 * Where a short command-line run spends its time: process start and module loading against the
 * work itself, on a 50,000-line plain file and its gzip (whole processes, same run, medians).
 *
 * - `deno run -A empty.ts`: Deno itself;
 * - `transform EMPTY`: Deno, loading the command line's modules, and an empty file;
 * - `transform FILE` / `transform FILE.gz`: the whole conversion, `> /dev/null`.
 *
 * Corpus: `SNOWPLOW_BENCH_EVENTS` events (default 50,000), seed 42, `tests/support/generator.ts`.
 *
 * ```sh
 * deno bench -A bench/cli_start_bench.ts
 * ```
 *
 * @module
 */

import { writeCorpus } from "../tests/support/generator.ts";

const EVENTS = Number(Deno.env.get("SNOWPLOW_BENCH_EVENTS") ?? 50_000);
const dir = await Deno.makeTempDir({ prefix: "cli_start_bench_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const tsv = `${dir}/events.tsv`;
await writeCorpus(tsv, 42, EVENTS);
{
  const input = await Deno.open(tsv);
  const output = await Deno.open(`${tsv}.gz`, { write: true, create: true });
  await input.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(output.writable);
}
await Deno.writeTextFile(`${dir}/empty.tsv`, "");
await Deno.writeTextFile(`${dir}/empty.ts`, "");

const cli = new URL("../src/cli.ts", import.meta.url).pathname;
const CASES: [string, string[]][] = [
  ["deno run empty.ts (Deno alone)", ["run", "-A", `${dir}/empty.ts`]],
  ["transform EMPTY (start and modules)", [
    "run",
    "-A",
    cli,
    "transform",
    "-q",
    `${dir}/empty.tsv`,
  ]],
  [`transform FILE (${EVENTS} lines)`, ["run", "-A", cli, "transform", "-q", tsv]],
  [`transform FILE.gz (${EVENTS} lines)`, ["run", "-A", cli, "transform", "-q", `${tsv}.gz`]],
];
const timings = new Map<string, number[]>(CASES.map(([name]) => [name, []]));
let round = 0;

Deno.bench({
  name: "one round of each command",
  n: 5,
  warmup: 1,
  async fn() {
    const shift = round++ % CASES.length;
    for (const [name, args] of [...CASES.slice(shift), ...CASES.slice(0, shift)]) {
      const start = performance.now();
      const { code } = await new Deno.Command(Deno.execPath(), { args, stdout: "null" }).output();
      if (code !== 0) throw new Error(`${name}: status ${code}`);
      timings.get(name)!.push(performance.now() - start);
    }
  },
});

globalThis.addEventListener("unload", () => {
  const median = (name: string) => {
    const list = [...timings.get(name)!].sort((a, b) => a - b);
    return list[list.length >> 1];
  };
  console.error(
    CASES.map(([name]) =>
      `${name}: ${median(name).toFixed(0)} ms (median of ${timings.get(name)!.length})`
    ).join("\n"),
  );
});
