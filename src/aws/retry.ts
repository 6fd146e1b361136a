/**
 * The retry policy of the AWS transport: defaults, exponential backoff with jitter, and the
 * abortable wait between attempts.
 *
 * @module
 */

import type { RetryOptions } from "./options.ts";

/** The retry policy with defaults applied. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/** Applies the defaults of {@linkcode RetryOptions}. */
export function retryPolicy(retry: RetryOptions | undefined): RetryPolicy {
  return {
    maxAttempts: Math.max(1, Math.floor(retry?.maxAttempts ?? 5)),
    baseDelayMs: Math.max(0, retry?.baseDelayMs ?? 100),
    maxDelayMs: Math.max(0, retry?.maxDelayMs ?? 5000),
    random: retry?.random ?? Math.random,
  };
}

/** The full-jitter backoff before retry `retry` (1 for the first retry). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/** Waits `ms` milliseconds; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
