/**
 * The list of commands. Add a command by writing `src/cli/<name>.ts` and one line here.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { transformCommand } from "./transform.ts";
import { runsListCommand } from "./runs.ts";
import { MANIFEST_COMMANDS } from "./manifest.ts";
import { processCommand } from "./process.ts";

/** Every command, in the order the top-level help lists them. */
export const COMMANDS: readonly Command[] = [
  transformCommand,
  runsListCommand,
  ...MANIFEST_COMMANDS,
  processCommand,
];
