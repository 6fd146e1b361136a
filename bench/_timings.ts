/**
 * Wall time of every iteration of a benchmark, kept by name, so that a bench can print the
 * median (and compare medians measured in the same run) once it has run.
 *
 * @module
 */

/** Iteration times in milliseconds, by benchmark name. */
export const timings: Map<string, number[]> = new Map();

/** What {@linkcode timed} may set besides the name and the function. */
export type TimedOptions = Omit<Deno.BenchDefinition, "name" | "fn">;

/** A benchmark whose every iteration's wall time goes to {@linkcode timings}. */
export function timed(
  name: string,
  fn: () => unknown,
  options: TimedOptions = {},
): Deno.BenchDefinition {
  return {
    n: 5,
    warmup: 1,
    ...options,
    name,
    async fn() {
      const start = performance.now();
      await fn();
      const list = timings.get(name) ?? [];
      list.push(performance.now() - start);
      timings.set(name, list);
    },
  };
}

/** The median of the values (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}
