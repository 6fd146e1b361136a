/**
 * The `snowplow-analytics` command line.
 *
 * ```sh
 * deno run -A jsr:@snowplow/analytics-sdk/cli transform events.tsv.gz > events.ndjson
 * deno run -A src/cli.ts --help
 * ```
 *
 * Commands live in `src/cli/`, one file each, listed in `src/cli/commands.ts`.
 *
 * @module
 */

import { main } from "./cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
