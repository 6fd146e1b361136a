import { DynamoDBError } from "../aws/error.ts";
import type { ManifestEntry } from "./run_manifests.ts";

/** A DynamoDB attribute value (`{ S: "…" }`, `{ N: "…" }`, …). */
export type AttributeValue = { S?: string; N?: string; [type: string]: unknown };

/** A DynamoDB item: attribute name → typed value. */
export type Item = Record<string, AttributeValue>;

/** An answer of the wrong shape: code `InvalidResponse`, not retryable. */
export function shapeError(operation: string, why: string): DynamoDBError {
  return new DynamoDBError({
    operation,
    code: "InvalidResponse",
    status: 200,
    message: why,
    retryable: false,
  });
}

/** The field `name` of an object of the answer (undefined when absent). */
export function field(value: unknown, name: string, operation: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw shapeError(operation, `expected an object holding ${name}`);
  }
  return (value as Record<string, unknown>)[name];
}

/** An item of the answer, checked to be an object of typed values. */
export function asItem(value: unknown, operation: string): Item {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw shapeError(operation, "an item is not an object");
  }
  for (const attribute of Object.values(value)) {
    if (attribute === null || typeof attribute !== "object" || Array.isArray(attribute)) {
      throw shapeError(operation, "an item attribute is not a typed value");
    }
  }
  return value as Item;
}

/**
 * The manifest entry of an item. Nothing is guessed: the `RunId` must be the one asked for (one
 * run id, or one of a batch's), `State` absent (an item of the Python or Scala SDK: done) or
 * `claimed` / `done`, `Owner` a string and `LeaseExpiresAt` a number when present.
 */
export function entryOf(
  item: Item,
  operation: string,
  asked: string | Set<string>,
): ManifestEntry {
  const runId = item.RunId?.S;
  if (typeof runId !== "string") throw shapeError(operation, "an item has no string RunId");
  if (typeof asked === "string" ? runId !== asked : !asked.has(runId)) {
    throw shapeError(
      operation,
      `the item of run "${runId}" answers for ${
        typeof asked === "string" ? `run "${asked}"` : "runs it was not asked for"
      }`,
    );
  }
  const record: ManifestEntry = { runId, state: "done" };
  const state = item.State;
  if (state !== undefined) {
    if (state.S !== "claimed" && state.S !== "done") {
      throw shapeError(operation, `run "${runId}": State is not "claimed" or "done"`);
    }
    record.state = state.S;
  }
  const owner = item.Owner;
  if (owner !== undefined) {
    if (typeof owner.S !== "string") {
      throw shapeError(operation, `run "${runId}": Owner is not a string`);
    }
    record.owner = owner.S;
  }
  const lease = item.LeaseExpiresAt;
  if (lease !== undefined) {
    const value = typeof lease.N === "string" && /^-?\d+(\.\d+)?$/.test(lease.N.trim())
      ? Number(lease.N)
      : Number.NaN;
    if (!Number.isFinite(value)) {
      throw shapeError(operation, `run "${runId}": LeaseExpiresAt is not a number`);
    }
    record.leaseExpiresAt = value;
  }
  return record;
}
