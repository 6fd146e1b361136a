/**
 * The exit statuses of every command.
 *
 * @module
 */

/** Exit statuses shared by all commands. */
export const EXIT = Object.freeze({
  /** Everything worked (for `transform`: every line was an event or empty). */
  ok: 0,
  /** Input or output failed: a missing file, corrupt gzip, a failed write. */
  ioError: 1,
  /** The command ran to the end but some input was bad (for `transform`: bad rows). */
  badInput: 2,
  /** A wrong flag, a missing argument, an invalid value (BSD `EX_USAGE`). */
  usage: 64,
  /** A Deno permission the command needs was not granted; the message names the flag (BSD `EX_NOPERM`). */
  permission: 77,
  /** A bug: an unexpected error (BSD `EX_SOFTWARE`). */
  internal: 70,
  /** An AWS request failed (S3 or DynamoDB): access, throttling, a missing table or bucket. */
  aws: 3,
  /** `manifest contains`: the run is not in the manifest (a result, not a failure). */
  notContained: 1,
  /** `process` was interrupted (Ctrl-C); the runs in progress were released (128 + SIGINT). */
  interrupted: 130,
});
