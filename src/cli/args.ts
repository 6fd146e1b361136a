/**
 * Parsing a command's arguments against its options, and writing its help.
 *
 * @module
 */

import { type Command, type OptionSpec, ParsedArgs, UsageError } from "./command.ts";
import { didYouMean } from "./suggest.ts";
import { hangingLines, wrapText } from "./wrap.ts";

/** The program name shown in usage lines. */
export const PROGRAM = "snowplow-analytics";

const HELP: OptionSpec = { type: "boolean", short: "h", description: "show this help" };

/** The command's options with `--help` added. */
export function optionsOf(command: Command): Record<string, OptionSpec> {
  return { ...command.options, help: HELP };
}

/**
 * Parses `args` (what follows the command's name): `--name value`, `--name=value`, `-x`,
 * `-x value`, `--` ends the options, and `-` alone is a positional (stdin).
 */
export function parseArgs(
  args: readonly string[],
  options: Record<string, OptionSpec>,
): ParsedArgs {
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short) shorts.set(spec.short, name);
  }
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!Object.hasOwn(options, name)) {
        const known = Object.keys(options).map((option) => `--${option}`);
        throw new UsageError(
          `Invalid option --${name}: no such option${didYouMean(`--${name}`, known)}`,
        );
      }
    } else {
      const long = arg.length === 2 ? shorts.get(arg[1]) : undefined;
      if (long === undefined) throw new UsageError(`Invalid option ${arg}: no such option`);
      name = long;
    }
    const spec = options[name];
    if (values.has(name)) throw new UsageError(`Invalid option --${name}: given more than once`);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`Invalid option --${name}: it takes no value`);
      values.set(name, true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith("-") && value !== "-")) {
      throw new UsageError(`Invalid option --${name}: expected a value (${spec.value ?? "VALUE"})`);
    }
    values.set(name, value);
  }
  return new ParsedArgs(values, positionals);
}

/** The `Usage:` line of a command. */
export function usageLine(command: Command): string {
  return `Usage: ${PROGRAM} ${command.name} ${command.usage}`;
}

/** The full `--help` text of a command. */
export function helpText(command: Command): string {
  const rows = Object.entries(optionsOf(command)).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "    ";
    const value = spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : "";
    return [`  ${short}--${name}${value}`, spec.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = [
    usageLine(command),
    "",
    wrapText(command.description),
    "",
    "Options:",
    ...rows.flatMap(([left, text]) => hangingLines(left, text, width)),
  ];
  if (command.epilog) lines.push("", wrapText(command.epilog));
  return lines.join("\n") + "\n";
}
