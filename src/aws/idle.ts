/** The default of {@linkcode AwsOptions.idleTimeoutMs}: one minute. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** What a guarded wait does when it gives up. */
export interface IdleGuard {
  /** The longest wait, in milliseconds; `Infinity` waits for ever. */
  idleTimeoutMs: number;
  /** Stops the wait at once; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The error a wait rejects with when nothing arrived within `idleTimeoutMs`. */
  onIdle: () => unknown;
}

/** The idle timeout of the options, checked (`undefined` is the default). */
export function idleTimeoutOf(idleTimeoutMs: number | undefined): number {
  const value = idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (typeof value !== "number" || !(value > 0)) {
    throw new RangeError(
      `Invalid AWS option idleTimeoutMs: expected a positive number of milliseconds but got ${value}`,
    );
  }
  return value;
}

/**
 * Waits for `work`, but rejects with the signal's reason as soon as it aborts, or with
 * `guard.onIdle()` when `work` has not settled within the idle timeout. `abandon` is called with
 * that reason when the wait gives up (to cancel what `work` waits for); a late outcome of `work`
 * is then dropped.
 */
export function settleWithin<T>(
  work: Promise<T>,
  guard: IdleGuard,
  abandon: (reason: unknown) => void,
): Promise<T> {
  const { signal, idleTimeoutMs } = guard;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    const giveUp = (reason: unknown): void =>
      finish(() => {
        abandon(reason);
        reject(reason);
      });
    const onAbort = (): void => giveUp(signal?.reason);
    if (signal?.aborted) {
      work.catch(() => {});
      giveUp(signal.reason);
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(idleTimeoutMs)) {
      timer = setTimeout(() => giveUp(guard.onIdle()), idleTimeoutMs);
    }
    work.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
  });
}

/**
 * A response whose body is read under `guard`: each read that gets no bytes within the idle
 * timeout fails with `guard.onIdle()`, and an abort of `guard.signal` fails the pending read at
 * once with the signal's reason. Either way the underlying body is cancelled (closing the
 * connection). The body stream keeps the original response alive while it is read, so nothing
 * depends on the runtime propagating the abort through a `Response` that was garbage-collected.
 *
 * One timer per idle period and one abort listener per body (not per read), so a fast body pays
 * almost nothing for the guard.
 */
export function guardResponse(response: Response, guard: IdleGuard): Response {
  const body = response.body;
  if (body === null) return response;
  const { signal, idleTimeoutMs } = guard;
  const reader = body.getReader();
  let failure: { reason: unknown } | undefined;
  let pending: { reject: (reason: unknown) => void; since: number } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cleanup = (): void => {
    clearTimeout(timer);
    timer = undefined;
    signal?.removeEventListener("abort", onAbort);
  };
  const fail = (reason: unknown): void => {
    if (failure !== undefined) return;
    failure = { reason };
    cleanup();
    reader.cancel(reason).catch(() => {});
    pending?.reject(reason);
  };
  const onAbort = (): void => fail(signal?.reason);
  // Checks the read in flight; sleeps again for what is left of its idle time.
  const check = (): void => {
    timer = undefined;
    if (pending === undefined) return;
    const waited = Date.now() - pending.since;
    if (waited >= idleTimeoutMs) fail(guard.onIdle());
    else timer = setTimeout(check, idleTimeoutMs - waited);
  };
  if (signal?.aborted) fail(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });
  const source: UnderlyingDefaultSource<Uint8Array> & { response: Response } = {
    response,
    async pull(controller) {
      if (failure !== undefined) throw failure.reason;
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await new Promise<ReadableStreamReadResult<Uint8Array>>((resolve, reject) => {
          pending = { reject, since: Date.now() };
          if (timer === undefined && Number.isFinite(idleTimeoutMs)) {
            timer = setTimeout(check, idleTimeoutMs);
          }
          reader.read().then(resolve, reject);
        });
      } catch (error) {
        cleanup();
        const failed = failure as { reason: unknown } | undefined; // set by fail(), from a callback
        throw failed === undefined ? error : failed.reason;
      } finally {
        pending = undefined;
      }
      if (result.done) {
        cleanup();
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    async cancel(reason) {
      cleanup();
      await reader.cancel(reason);
    },
  };
  return new Response(new ReadableStream(source, { highWaterMark: 0 }), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
