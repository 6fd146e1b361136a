/**
 * Tests that need `--v8-flags=--expose-gc`. A test file calls {@linkcode gcTests}: run by
 * `deno test` without the flag (as `deno task test` does), it registers one test that runs the
 * file again in `deno test --v8-flags=--expose-gc` and passes when that run passes; run with
 * the flag, it registers the real tests, which get `gc`.
 */
import assert from "node:assert/strict";

/** Collects garbage (only with `--expose-gc`). */
export type Gc = () => void;

const gc = (globalThis as { gc?: Gc }).gc;
const ROOT = new URL("../../", import.meta.url);

/**
 * Registers `tests` (with `gc`) when this process exposes it, else one test running `file`
 * in a subprocess that does.
 */
export function gcTests(file: string, tests: (gc: Gc) => void): void {
  if (gc !== undefined) {
    tests(gc);
    return;
  }
  Deno.test(`${file.slice(file.lastIndexOf("/") + 1)} passes with --expose-gc`, async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--v8-flags=--expose-gc", file],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) +
      new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, text);
    assert.match(text, /ok \| [1-9]\d* passed/, text);
  });
}

/** Collects garbage a few times, letting the event loop turn between collections. */
export async function collect(gc: Gc, times = 5): Promise<void> {
  for (let i = 0; i < times; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * `promise`'s outcome, or `"still pending"` when it has not settled after `ms` (a safety net so
 * a hang fails the test instead of stalling the suite).
 */
export async function outcomeWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ value: T } | { error: unknown } | "still pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"still pending">((resolve) => {
    timer = setTimeout(() => resolve("still pending"), ms);
  });
  try {
    return await Promise.race([
      promise.then((value) => ({ value }), (error) => ({ error })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
