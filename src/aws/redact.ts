import type { AwsCredentials } from "./options.ts";

/** What replaces a secret in a text built from a server's answer. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are not searched for verbatim (they would match ordinary text). */
const MIN_SECRET_LENGTH = 8;

/**
 * The secrets a request carried: the session token, the secret key (never sent, but never
 * shown either), the `Authorization` header and its signature.
 */
export function requestSecrets(
  credentials: AwsCredentials,
  authorization: string | null | undefined,
): string[] {
  const secrets = [credentials.sessionToken, credentials.secretAccessKey, authorization ?? ""];
  const signature = /Signature=([0-9a-f]+)/i.exec(authorization ?? "")?.[1];
  if (signature !== undefined) secrets.push(signature);
  return secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
}

/**
 * `text` with every secret of `secrets` (as is and URL-encoded) replaced by `[redacted]`, and
 * whatever follows an `Authorization`, `X-Amz-Security-Token`, `Signature` or
 * `X-Amz-Signature` label too, so an answer that echoes (part of) the request shows none of it.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^"'<>\r\n]+/gi, `$1${REDACTED}`)
    .replace(/(x-amz-security-token["']?\s*[:=]\s*["']?)[^\s"'<>&,;]+/gi, `$1${REDACTED}`)
    .replace(/((?:x-amz-)?signature["']?\s*[:=]\s*["']?)[0-9a-f]{8,}/gi, `$1${REDACTED}`);
}
