/**
 * What a command is: its name, help, options, and what it runs.
 *
 * @module
 */

import type { Output } from "./output.ts";

/** One option of a command. */
export interface OptionSpec {
  /** `"boolean"` for a flag, `"string"` for an option that takes a value. */
  type: "boolean" | "string";
  /** A one-letter alias (`"q"` for `-q`). */
  short?: string;
  /** The value's name in the help (`"FILE"`); string options only. */
  value?: string;
  /** One line for the help. */
  description: string;
}

/** The standard streams and facts about the terminal, passed to a command. */
export interface CliIo {
  /** Standard input (opened only when read). */
  stdin: () => ReadableStream<Uint8Array>;
  /** Whether standard input is a terminal. */
  stdinIsTerminal: boolean;
  /** Standard output. */
  stdout: Output;
  /** Standard error (messages, summaries, progress, default bad rows). */
  stderr: Output;
  /** Whether standard error is a terminal (for live progress lines). */
  stderrIsTerminal: boolean;
}

/** A command's parsed arguments. */
export class ParsedArgs {
  /** The arguments that are not options, in order. */
  readonly positionals: readonly string[];
  readonly #values: ReadonlyMap<string, string | true>;

  constructor(values: ReadonlyMap<string, string | true>, positionals: readonly string[]) {
    this.#values = values;
    this.positionals = positionals;
  }

  /** Whether the boolean option `name` was given. */
  flag(name: string): boolean {
    return this.#values.get(name) === true;
  }

  /** The value of the string option `name`, or `undefined` when it was not given. */
  string(name: string): string | undefined {
    const value = this.#values.get(name);
    return typeof value === "string" ? value : undefined;
  }
}

/**
 * A command of the command line. To add one, write `src/cli/<name>.ts` exporting its `run…`
 * function, and add the command (name, help, options, the `run` loaded lazily) to the list in
 * `src/cli/commands.ts`.
 */
export interface Command {
  /** The words that select it: `"transform"`, or `"manifest create"` for a subcommand. */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** The arguments after the name, for the usage line: `"[options] [FILE...]"`. */
  usage: string;
  /** Paragraphs shown by `--help` after the usage line. */
  description: string;
  /** Options by long name (`--help` is added to every command). */
  options: Readonly<Record<string, OptionSpec>>;
  /** Text shown at the end of `--help` (exit statuses, examples). */
  epilog?: string;
  /**
   * Runs the command; returns the exit status. Throw {@linkcode UsageError} for a wrong
   * argument (the usage is printed and the status is 64).
   */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** A wrong flag, a missing argument or an invalid value: printed with the usage, status 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
