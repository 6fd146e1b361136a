/**
 * The dispatcher: finds the command named by the first arguments, parses its options,
 * prints help and usage errors, and turns failures into exit statuses.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { helpText, optionsOf, parseArgs, PROGRAM, usageLine } from "./args.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { didYouMean } from "./suggest.ts";
import { hangingLines } from "./wrap.ts";
import { EXIT } from "./exit_codes.ts";
import { OutputError, stderrOutput, stdoutOutput } from "./output.ts";

/** The standard streams of this process. */
export function denoIo(): CliIo {
  return {
    stdin: () => Deno.stdin.readable,
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stdout: stdoutOutput(),
    stderr: stderrOutput(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}

function commandList(commands: readonly Command[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length)) + 6;
  return commands.flatMap((c) => hangingLines(`  ${c.name}`, c.summary, width));
}

function topLevelHelp(commands: readonly Command[]): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    "",
    "Snowplow Analytics SDK command line: enriched events to JSON, run manifests.",
    "",
    "Commands:",
    ...commandList(commands),
    "",
    `Run '${PROGRAM} <command> --help' for a command's options.`,
    `Options: -h, --help (this help), --version.`,
    "",
  ].join("\n");
}

/** The help of a command group such as `runs`: its subcommands. */
function groupHelp(group: string, commands: readonly Command[]): string {
  return [
    `Usage: ${PROGRAM} ${group} <subcommand> [options]`,
    "",
    "Subcommands:",
    ...commandList(commands),
    "",
    `Run '${PROGRAM} ${group} <subcommand> --help' for a subcommand's options.`,
    "",
  ].join("\n");
}

/** The command whose name matches the most leading words of `args`. */
function findCommand(
  args: readonly string[],
  commands: readonly Command[],
): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const words = command.name.split(" ");
    if (words.every((word, i) => args[i] === word)) {
      if (!best || words.length > best.name.split(" ").length) best = command;
    }
  }
  return best;
}

/**
 * Runs the command line with `args` (without the program name) and returns the exit status.
 *
 * @param args The arguments, such as `["transform", "--nulls", "events.tsv"]`.
 * @param io The standard streams; the process's own by default.
 * @param commands The commands to choose from; all of them by default.
 * @returns The exit status (see `EXIT`).
 */
export async function main(
  args: readonly string[],
  io: CliIo = denoIo(),
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  try {
    return await dispatch(args, io, commands);
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    // A failed write (a full disk, stdout closed early): an I/O error, not a bug. A closed
    // pipe (`| head`) is the reader's choice: stop quietly.
    if (!(error.cause instanceof Deno.errors.BrokenPipe)) {
      const name = findCommand(args, commands)?.name;
      const where = name === undefined ? PROGRAM : `${PROGRAM} ${name}`;
      await io.stderr.write(`${where}: ${error.message.replace(/\s+/g, " ")}\n`).catch(() => {});
    }
    return EXIT.ioError;
  }
}

async function dispatch(
  args: readonly string[],
  io: CliIo,
  commands: readonly Command[],
): Promise<number> {
  if (args.length === 0 || args[0] === "--help" || args[0] === "-h") {
    if (args.length === 0) {
      await io.stderr.write(topLevelHelp(commands));
      return EXIT.usage;
    }
    await io.stdout.write(topLevelHelp(commands));
    return EXIT.ok;
  }
  if (args[0] === "--version") {
    await io.stdout.write(`${denoJson.name} ${denoJson.version}\n`);
    return EXIT.ok;
  }
  const command = findCommand(args, commands);
  if (!command) {
    const group = commands.filter((c) => c.name.startsWith(`${args[0]} `));
    if (group.length > 0 && (args[1] === "--help" || args[1] === "-h")) {
      await io.stdout.write(groupHelp(args[0], group));
      return EXIT.ok;
    }
    const names = commands.map((c) => c.name);
    let message: string;
    let help = topLevelHelp(commands);
    if (group.length === 0) {
      const words = new Set(names.map((name) => name.split(" ")[0]));
      message = `unknown command '${args[0]}'${didYouMean(args[0], words)}`;
    } else if (args[1] === undefined || args[1].startsWith("-")) {
      message = `'${args[0]}' needs a subcommand: ${group.map((c) => c.name).join(", ")}`;
      help = groupHelp(args[0], group);
    } else {
      const typed = `${args[0]} ${args[1]}`;
      message = `unknown command '${typed}'${didYouMean(typed, group.map((c) => c.name))}`;
      help = groupHelp(args[0], group);
    }
    await io.stderr.write(`${PROGRAM}: ${message}\n\n${help}`);
    return EXIT.usage;
  }
  const rest = args.slice(command.name.split(" ").length);
  try {
    const parsed = parseArgs(rest, optionsOf(command));
    if (parsed.flag("help")) {
      await io.stdout.write(helpText(command));
      return EXIT.ok;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      await io.stderr.write(
        `${PROGRAM} ${command.name}: ${error.message}\n${usageLine(command)}\n` +
          `Run '${PROGRAM} ${command.name} --help' for the options.\n`,
      );
      return EXIT.usage;
    }
    if (error instanceof OutputError) throw error;
    if (error instanceof Deno.errors.BrokenPipe) return EXIT.ioError; // e.g. `| head`
    if (error instanceof Deno.errors.NotCapable) {
      await io.stderr.write(`${PROGRAM} ${command.name}: ${error.message}\n`).catch(() => {});
      return EXIT.permission;
    }
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    await io.stderr.write(`${PROGRAM} ${command.name}: internal error: ${message}\n`)
      .catch(() => {});
    return EXIT.internal;
  }
}
