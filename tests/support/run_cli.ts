/**
 * Running the command line in tests: as a real subprocess, or in-process with captured
 * streams (much cheaper, for the many small cases).
 *
 * @module
 */

import { main } from "../../src/cli/main.ts";
import type { CliIo, Command } from "../../src/cli/command.ts";
import { Output } from "../../src/cli/output.ts";

/** What a run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = new URL("../../src/cli.ts", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs `deno run -A src/cli.ts ...args` with `stdin` piped in (and `env` added). */
export async function runCli(
  args: string[],
  stdin?: Uint8Array,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  // Read the output while stdin is written: the command stops reading stdin while its stdout
  // is full, so writing all of stdin first would deadlock on a large input.
  const output = child.output();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const { code, stdout, stderr } = await output;
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** A writable that collects text. */
function collector(): { writable: WritableStream<Uint8Array>; text: () => string } {
  let text = "";
  const streamDecoder = new TextDecoder();
  return {
    writable: new WritableStream({
      write(chunk) {
        text += streamDecoder.decode(chunk, { stream: true });
      },
    }),
    text: () => text,
  };
}

/** Runs `main(args)` in this process with captured streams. */
export async function runInProcess(
  args: string[],
  options: { stdin?: Uint8Array; stdinIsTerminal?: boolean; commands?: Command[] } = {},
): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const io: CliIo = {
    stdin: () =>
      new Blob([(options.stdin ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>]).stream(),
    stdinIsTerminal: options.stdinIsTerminal ?? false,
    stdout: new Output(out.writable),
    stderr: new Output(err.writable),
    stderrIsTerminal: false,
  };
  const code = await main(args, io, options.commands);
  return { code, stdout: out.text(), stderr: err.text() };
}

/**
 * Runs `deno run -A src/cli.ts ...args` with its stdout sent to `path` (such as `/dev/full`)
 * by `sh`, stdin from /dev/null, and `env` added to a few inherited variables.
 */
export async function runCliWithStdoutTo(
  path: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const inherited: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) inherited[name] = value;
  }
  const { code, stderr } = await new Deno.Command("sh", {
    args: [
      "-c",
      'out="$1"; shift; exec "$@" > "$out"',
      "sh",
      path,
      Deno.execPath(),
      "run",
      "-A",
      CLI,
      ...args,
    ],
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code, stdout: "", stderr: decoder.decode(stderr) };
}
