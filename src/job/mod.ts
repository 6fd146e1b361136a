/**
 * The whole job in one call: list the units of work (run folders or S3 Loader objects), keep
 * the unprocessed ones, claim each, hand its events to your code, mark it done, release it on
 * failure. Safe to run from any number of machines at once; `processObject` does the same for
 * one unit, for at-least-once deliveries such as S3 event notifications.
 *
 * @module
 */

export {
  type FailedRun,
  LeaseLostError,
  type ProcessedRun,
  type RunOutcome,
  type SkippedRun,
} from "./outcome.ts";
export { type BatchJobOptions, type ProcessRunsSummary } from "./job.ts";
export {
  type JobOptions,
  processObject,
  type ProcessObjectOptions,
  type ProcessRunsReadOptions,
  type UnitContents,
  type UnitHandler,
  type UnitRecords,
} from "./process_object.ts";
export {
  processRuns,
  type ProcessRunsOptions,
  type RunContents,
  type RunHandler,
  type RunRecords,
} from "./process_runs.ts";
export {
  type ObjectHandler,
  type ObjectRecords,
  processObjects,
  type ProcessObjectsOptions,
} from "./process_objects.ts";
