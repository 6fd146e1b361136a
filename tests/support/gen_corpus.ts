/**
 * `deno task gen-corpus`: writes a corpus of enriched-event lines made by the seeded generator
 * (`generator.ts`) to a file, for the benchmarks and for trying the command line.
 *
 * ```sh
 * deno task gen-corpus --events 50000 --seed 42 --out /tmp/c.tsv
 * deno task gen-corpus --events 1000 --gzip --bad-rate 0.05 --out /tmp/c.tsv.gz
 * ```
 *
 * Equal options write equal bytes (the gzip output too: `CompressionStream` writes no name and
 * no time). Prints one summary line on stderr.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { generateLines } from "./generator.ts";

const USAGE =
  `Usage: deno task gen-corpus --out FILE [--events N] [--seed N] [--gzip] [--bad-rate R]

  --out FILE      where to write the corpus, one event per line (required)
  --events N      how many lines (default 50000)
  --seed N        the generator's seed; equal seeds give equal lines (default 42)
  --gzip          gzip the output
  --bad-rate R    the fraction of lines, in [0, 1], with one defect each (default 0)`;

/** The options of one corpus. */
export interface CorpusOptions {
  out: string;
  events: number;
  seed: number;
  gzip: boolean;
  badRate: number;
}

/** Reads the command line; throws a `TypeError` naming the bad flag. */
export function parseCorpusArgs(args: string[]): CorpusOptions {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      events: { type: "string", default: "50000" },
      seed: { type: "string", default: "42" },
      gzip: { type: "boolean", default: false },
      "bad-rate": { type: "string", default: "0" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.out) throw new TypeError(`Missing --out FILE\n\n${USAGE}`);
  const number = (flag: string, text: string, valid: (n: number) => boolean): number => {
    const n = Number(text);
    if (text.trim() === "" || !valid(n)) throw new TypeError(`Invalid --${flag}: ${text}`);
    return n;
  };
  return {
    out: values.out,
    events: number("events", values.events, (n) => Number.isSafeInteger(n) && n >= 0),
    seed: number("seed", values.seed, Number.isSafeInteger),
    gzip: values.gzip,
    badRate: number("bad-rate", values["bad-rate"], (n) => n >= 0 && n <= 1),
  };
}

/** The corpus as a byte stream: lines joined with `\n`, each ended by one, gzipped if asked. */
export function corpusStream(options: Omit<CorpusOptions, "out">): ReadableStream<Uint8Array> {
  const lines = generateLines({
    seed: options.seed,
    count: options.events,
    badRate: options.badRate,
  });
  const encoder = new TextEncoder();
  const text = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Not `for…of` with `break`: that would close the generator after the first chunk.
      const chunk: string[] = [];
      for (let next = lines.next(); !next.done; next = lines.next()) {
        chunk.push(next.value.line);
        if (chunk.length === 1000) break;
      }
      if (chunk.length === 0) controller.close();
      else controller.enqueue(encoder.encode(chunk.join("\n") + "\n"));
    },
  });
  return options.gzip
    ? text.pipeThrough(new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
    : text;
}

/** Writes the corpus to `options.out` and returns its size in bytes. */
export async function writeCorpusFile(options: CorpusOptions): Promise<number> {
  let bytes = 0;
  const count = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const file = await Deno.open(options.out, { write: true, create: true, truncate: true });
  await corpusStream(options).pipeThrough(count).pipeTo(file.writable);
  return bytes;
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let options: CorpusOptions;
  try {
    options = parseCorpusArgs(Deno.args);
  } catch (error) {
    console.error(`gen-corpus: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(2);
  }
  const bytes = await writeCorpusFile(options);
  const mb = (bytes / 1e6).toFixed(1);
  console.error(`${options.out}: ${options.events} lines, ${mb} MB (seed ${options.seed})`);
}
