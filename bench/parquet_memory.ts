/**
 * Peak memory (and time) of the command line turning a large gzip TSV file into Parquet, next
 * to the same file into NDJSON. The target: under 300 MB peak RSS for 600 MB of input.
 *
 * ```sh
 * deno run -A bench/parquet_memory.ts                  # generates 600 MB of TSV (seed 42)
 * SNOWPLOW_BENCH_CORPUS=/tmp/big.tsv deno run -A bench/parquet_memory.ts
 * ```
 *
 * The corpus (TSV, one event per line) is gzipped first; each conversion runs as its own
 * `deno run -A src/cli.ts transform …` process, and its peak resident memory is the kernel's
 * high-water mark (`VmHWM` in `/proc/PID/status`, Linux only), read every 50 ms while it runs.
 *
 * @module
 */

import { writeCorpus } from "../tests/support/generator.ts";

const TARGET_BYTES = 600e6;
const BYTES_PER_EVENT = 2_640; // the generator's average line, measured

const CLI = new URL("../src/cli.ts", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "parquet_memory_" });

async function corpus(): Promise<string> {
  const given = Deno.env.get("SNOWPLOW_BENCH_CORPUS");
  if (given) return given;
  const path = `${dir}/corpus.tsv`;
  await writeCorpus(path, 42, Math.ceil(TARGET_BYTES / BYTES_PER_EVENT));
  return path;
}

/** Reads the peak resident set (kB) of a process so far, or 0 once it is gone. */
async function peakKb(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function measure(args: string[]): Promise<{ seconds: number; peakMb: number }> {
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "transform", "-q", "--bad", "/dev/null", ...args],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let peak = 0;
  let running = true;
  const status = child.status.finally(() => (running = false));
  while (running) {
    peak = Math.max(peak, await peakKb(child.pid));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { code } = await status;
  if (code !== 0 && code !== 2) throw new Error(`transform ${args.join(" ")} exited with ${code}`);
  return { seconds: (performance.now() - start) / 1000, peakMb: peak / 1024 };
}

try {
  const tsv = await corpus();
  const gz = `${dir}/corpus.tsv.gz`;
  const input = await Deno.open(tsv);
  const output = await Deno.open(gz, { write: true, create: true, truncate: true });
  await input.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(output.writable);
  const megabytes = (await Deno.stat(tsv)).size / 1e6;
  const gzMegabytes = (await Deno.stat(gz)).size / 1e6;
  console.log(`input: ${megabytes.toFixed(0)} MB of TSV, ${gzMegabytes.toFixed(0)} MB gzipped`);
  const ndjson = await measure(["-o", `${dir}/out.ndjson`, gz]);
  console.log(
    `gzip TSV → NDJSON:  ${ndjson.seconds.toFixed(1)} s, peak RSS ${ndjson.peakMb.toFixed(0)} MB`,
  );
  const parquet = await measure(["--format", "parquet", "-o", `${dir}/out.parquet`, gz]);
  const size = (await Deno.stat(`${dir}/out.parquet`)).size / 1e6;
  console.log(
    `gzip TSV → Parquet: ${parquet.seconds.toFixed(1)} s, peak RSS ${
      parquet.peakMb.toFixed(0)
    } MB ` +
      `(file ${size.toFixed(0)} MB); speed ${
        (ndjson.seconds / parquet.seconds).toFixed(2)
      } of NDJSON's`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
