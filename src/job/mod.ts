/**
 * The whole job in one call: list the runs, keep the unprocessed ones, claim each, hand its
 * events to your code, mark it done, release it on failure. Safe to run from any number of
 * machines at once.
 *
 * @module
 */

export {
  type FailedRun,
  LeaseLostError,
  type ProcessedRun,
  processRuns,
  type ProcessRunsOptions,
  type ProcessRunsReadOptions,
  type ProcessRunsSummary,
  type RunHandler,
  type RunOutcome,
  type RunRecords,
  type SkippedRun,
} from "./process_runs.ts";
