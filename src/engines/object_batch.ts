/**
 * What every queue and notification adapter does with the objects of one delivery: each
 * distinct object is processed once with `processObject`, a few at a time, and each outcome
 * says whether the message that named it can be let go.
 *
 * @module
 */

import { processObject, type ProcessObjectOptions, type RunOutcome } from "../job/mod.ts";
import { RunManifests } from "../manifest/run_manifests.ts";
import { isRunFolder } from "../s3/run_folder.ts";
import type { S3EventObject } from "./s3_event.ts";

/** An object to process: where it is, and what the notification said about it. */
export type ObjectRef = Pick<S3EventObject, "bucket" | "key"> & Partial<S3EventObject>;

/**
 * Options shared by {@linkcode lambdaHandler}, {@linkcode distributedMapHandler} and
 * {@linkcode queueConsumer}: `processObject`'s options (the manifest, S3, the handler…), and
 * how many objects one delivery processes at once.
 */
export interface ObjectBatchOptions extends Omit<ProcessObjectOptions, "etag" | "size"> {
  /**
   * How many objects of one delivery are processed at once.
   * @default {4}
   */
  concurrency?: number;
  /**
   * Which objects (units, after `unitOf`) to process; the others count as done. By default
   * folder markers (keys ending in `_$folder$`, or in `/` but for `run=…/` folders) are left
   * out.
   * @default {(object) => isRunFolder(object.key) || !/(\/|_\$folder\$)$/.test(object.key)}
   */
  filter?: (object: ObjectRef) => boolean;
  /**
   * The unit of work a notified object stands for, before `filter`: by default the object
   * itself. For `run=…` folders sealed by a marker, map the marker's notification to its folder
   * (`{ bucket, key: "…/run=2026-11-30-09-00-00/" }`) and `processObject` processes the whole
   * run; map the folder's other objects to themselves and leave them out with `filter`.
   * @default {(object) => object}
   */
  unitOf?: (object: ObjectRef) => ObjectRef;
  /** Called with each object's outcome as it settles (for your logs and metrics). */
  onOutcome?: (outcome: ObjectOutcome) => void;
}

/** What happened to one object of a delivery. */
export interface ObjectOutcome {
  /** The object. */
  object: ObjectRef;
  /**
   * `processObject`'s outcome; absent when the object was filtered out (`ok` then) or when
   * the claim request itself failed (`error`).
   */
  outcome?: RunOutcome;
  /** Why the object is not done: the handler's error, a request that failed, or a claim held by another worker. */
  error?: unknown;
  /**
   * Whether the message naming it can be let go: the object is processed, was done already,
   * or was filtered out. `false` when it failed or another worker holds it (its result is not
   * known yet, so the message must come back).
   */
  ok: boolean;
}

/** The checked settings of an adapter: options with the owner fixed once. */
export interface ObjectBatchSettings {
  options: ObjectBatchOptions & { manifests: RunManifests };
  concurrency: number;
  filter: (object: ObjectRef) => boolean;
  unitOf: (object: ObjectRef) => ObjectRef;
}

/** Checks the adapter options (`fn` names the adapter in errors). */
export function objectBatchSettings(options: ObjectBatchOptions, fn: string): ObjectBatchSettings {
  if (typeof options?.handle !== "function") {
    throw new TypeError(`Invalid option handle for ${fn}(): expected a function`);
  }
  const concurrency = options.concurrency ?? 4;
  if (!(Number.isSafeInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(
      `Invalid option concurrency for ${fn}(): expected a positive integer but got ${concurrency}`,
    );
  }
  const filter = options.filter ?? isDataObject;
  // One owner for every delivery this handler takes, unless one is given.
  const owner = options.owner ?? `${fn}-${crypto.randomUUID()}`;
  let manifests: RunManifests;
  if (options.manifests instanceof RunManifests) {
    manifests = options.manifests;
  } else if (typeof options.manifests === "string" && options.dynamodb !== undefined) {
    manifests = new RunManifests(options.manifests, options.dynamodb);
  } else {
    throw new TypeError(
      `Invalid option manifests for ${fn}(): expected a RunManifests, or a table name with dynamodb options`,
    );
  }
  const unitOf = options.unitOf ?? ((object: ObjectRef) => object);
  return { options: { ...options, owner, manifests }, concurrency, filter, unitOf };
}

function isDataObject(object: ObjectRef): boolean {
  if (object.key.endsWith("/")) return isRunFolder(object.key);
  return !object.key.endsWith("_$folder$");
}

/**
 * A claim held by another worker: the object is being processed elsewhere, and its result is
 * not known yet.
 */
export class ObjectHeldError extends Error {
  /** The worker holding the claim, when known. */
  readonly heldBy: string | undefined;

  /** Builds the error for the object at `uri`, held by `heldBy`. */
  constructor(uri: string, heldBy?: string) {
    super(
      `Cannot process ${uri} now: ${
        heldBy ?? "another worker"
      } holds its claim; deliver it again later`,
    );
    this.name = "ObjectHeldError";
    this.heldBy = heldBy;
  }
}

/**
 * Processes the distinct objects among `objects` (the same bucket and key named twice is
 * processed once), `concurrency` at a time, and returns one outcome per distinct object, keyed
 * by `bucket/key`. When there are several, one BatchGetItem first finds those already done
 * (duplicate notifications), which then cost no claim.
 */
export async function settleObjects(
  objects: readonly ObjectRef[],
  settings: ObjectBatchSettings,
): Promise<Map<string, ObjectOutcome>> {
  // Notified object → its unit; each unit once.
  const unitIds = new Map<string, string>();
  const units = new Map<string, ObjectRef>();
  for (const object of objects) {
    const unit = settings.unitOf(object);
    const unitId = objectId(unit);
    unitIds.set(objectId(object), unitId);
    if (!units.has(unitId)) units.set(unitId, unit);
  }
  const queue = [...units.entries()];
  const doneBefore = units.size > 1 ? await alreadyDone(queue, settings) : new Set<string>();
  const settled = new Map<string, ObjectOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const [id, unit] = queue[next++];
      const result: ObjectOutcome = doneBefore.has(id)
        ? {
          object: unit,
          outcome: { status: "skipped", runId: unit.key, reason: "done" },
          ok: true,
        }
        : await settleObject(unit, settings);
      settled.set(id, result);
      settings.options.onOutcome?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, queue.length) }, worker));
  const results = new Map<string, ObjectOutcome>();
  for (const [notifiedId, unitId] of unitIds) results.set(notifiedId, settled.get(unitId)!);
  return results;
}

/**
 * The ids of the data objects among `entries` that the manifest holds as done (one
 * BatchGetItem per 100 keys; the manifest's items are keyed by object key, whatever the
 * bucket).
 */
async function alreadyDone(
  entries: [string, ObjectRef][],
  settings: ObjectBatchSettings,
): Promise<Set<string>> {
  const wanted = entries.filter(([, object]) => settings.filter(object));
  if (wanted.length === 0) return new Set();
  let left: Set<string>;
  try {
    left = new Set(
      await settings.options.manifests.filterUnprocessed(wanted.map(([, o]) => o.key)),
    );
  } catch {
    // The claims will tell; the check only saves requests.
    return new Set();
  }
  return new Set(wanted.filter(([, object]) => !left.has(object.key)).map(([id]) => id));
}

/** The key of an object in {@linkcode settleObjects}'s result. */
export function objectId(object: ObjectRef): string {
  return `${object.bucket}/${object.key}`;
}

async function settleObject(
  object: ObjectRef,
  settings: ObjectBatchSettings,
): Promise<ObjectOutcome> {
  if (!settings.filter(object)) return { object, ok: true };
  const { concurrency: _c, filter: _f, onOutcome: _o, unitOf: _u, ...processOptions } =
    settings.options;
  let outcome: RunOutcome;
  try {
    outcome = await processObject({ bucket: object.bucket, key: object.key }, {
      ...processOptions,
      // Events give the ETag without quotes; a listing (and If-Match) has them.
      ...(object.etag === undefined ? {} : { etag: `"${object.etag}"` }),
      // The size the notification or listing gave: a body that ends short of it is cut.
      ...(object.size === undefined ? {} : { size: object.size }),
    });
  } catch (error) {
    return { object, error, ok: false };
  }
  switch (outcome.status) {
    case "processed":
      return { object, outcome, ok: true };
    case "skipped":
      if (outcome.reason === "done") return { object, outcome, ok: true };
      return {
        object,
        outcome,
        error: new ObjectHeldError(`s3://${object.bucket}/${object.key}`, outcome.heldBy),
        ok: false,
      };
    default:
      return { object, outcome, error: outcome.error, ok: false };
  }
}
