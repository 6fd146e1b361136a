/**
 * What happened to each unit of work a job tried to claim, and the error of a lost claim.
 *
 * @module
 */

/**
 * A unit of work (a run folder or an object) this call processed: the handler succeeded and the
 * unit is marked done.
 */
export interface ProcessedRun {
  /** Always `"processed"`. */
  status: "processed";
  /** The unit's id in the manifest: the run id, or the object key. */
  runId: string;
  /** Events the handler read. */
  events: number;
  /** Bad rows the handler read. */
  badRows: number;
  /** The worker whose expired claim this worker took over, if any. */
  tookOverFrom?: string;
}

/** A unit this call did not claim: it was done meanwhile, or another worker holds it. */
export interface SkippedRun {
  /** Always `"skipped"`. */
  status: "skipped";
  /** The unit's id in the manifest: the run id, or the object key. */
  runId: string;
  /** `done`: processed meanwhile; `held`: another worker's lease is running. */
  reason: "done" | "held";
  /** The worker holding the run (for `held`, when known). */
  heldBy?: string;
}

/** A unit whose handler (or reading, or completion) failed; it was given back when possible. */
export interface FailedRun {
  /** Always `"failed"`. */
  status: "failed";
  /** The unit's id in the manifest: the run id, or the object key. */
  runId: string;
  /**
   * Why: what the handler threw (an `S3Error` when reading failed), or a
   * {@linkcode LeaseLostError} when another worker took the unit over.
   */
  error: unknown;
  /** Events the handler read before the failure. */
  events: number;
  /** Bad rows the handler read before the failure. */
  badRows: number;
  /**
   * Whether the claim was released, so another call can process the unit at once. When `false`
   * (the claim was lost, or releasing failed) the run is free again when its lease ends.
   */
  released: boolean;
}

/**
 * What happened to one unit (run folder or object) a call tried to claim: the result of
 * `processObject`, and one entry of a summary's `runs`.
 */
export type RunOutcome = ProcessedRun | SkippedRun | FailedRun;

/**
 * Another worker took over a unit (run or object) this worker was processing (its lease ran out
 * without being renewed, e.g. the worker was paused), so this worker must not mark it done.
 *
 * @example Tell a lost claim from other failures
 * ```ts
 * import { LeaseLostError } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 *
 * const error = new LeaseLostError("archive/run=2017-01-01-00-00-00/", "worker-b");
 * assert.equal(error.runId, "archive/run=2017-01-01-00-00-00/");
 * assert.equal(error.heldBy, "worker-b");
 * assert.equal(
 *   error.message,
 *   "Cannot keep the claim on run archive/run=2017-01-01-00-00-00/: worker-b took it over",
 * );
 * ```
 */
export class LeaseLostError extends Error {
  /** The unit (run id or object key) whose claim was lost. */
  readonly runId: string;
  /** The worker that holds it now, when known. */
  readonly heldBy: string | undefined;

  /** Builds the error for `runId`, now held by `heldBy` (or done). */
  constructor(runId: string, heldBy?: string) {
    super(
      `Cannot keep the claim on ${runId.endsWith("/") ? "run" : "object"} ${runId}: ${
        heldBy === undefined ? "another worker took it over" : `${heldBy} took it over`
      }`,
    );
    this.name = "LeaseLostError";
    this.runId = runId;
    this.heldBy = heldBy;
  }
}
