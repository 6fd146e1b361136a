/**
 * The one way the module turns a thrown value into message text: an `Error`'s `message`, or the
 * value as a string (for anything else thrown).
 *
 * @module
 */

/** The message of a thrown value: `error.message` for an `Error`, else `String(error)`. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
