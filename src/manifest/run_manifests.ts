import type { AwsOptions } from "../aws/options.ts";
import { AwsError, DynamoDBError } from "../aws/error.ts";
import { dynamoDbCall } from "../aws/request.ts";
import { backoffDelay, retryPolicy, sleep } from "../aws/retry.ts";
import { asItem, entryOf, field, shapeError } from "./item.ts";

/** Options of {@linkcode RunManifests}: AWS options plus a clock and table-waiting bounds. */
export interface RunManifestsOptions extends AwsOptions {
  /**
   * The clock for leases and timestamps, in epoch milliseconds. Workers sharing a table should
   * have clocks in sync well within a lease.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * How often `create()` checks whether the table is `ACTIVE`, in milliseconds.
   * @default {1000}
   */
  tablePollMs?: number;
  /**
   * How long `create()` waits for the table to become `ACTIVE` before giving up.
   * @default {300000}
   */
  tableWaitMs?: number;
  /**
   * How many BatchGetItem requests `filterUnprocessed()` keeps in flight.
   * @default {4}
   */
  batchConcurrency?: number;
}

/** What {@linkcode RunManifests.create} did. */
export interface CreateResult {
  /** `true` when this call created the table, `false` when it already existed. */
  created: boolean;
}

/** The state of a run in the manifest, as {@linkcode RunManifests.get} reads it. */
export interface ManifestEntry {
  /** The run id (the `RunId` key). */
  runId: string;
  /**
   * `done` when the run was processed (items written by the Python or Scala SDK, with no
   * state, read as done); `claimed` while a worker holds it.
   */
  state: "done" | "claimed";
  /** The worker that holds (or completed) the run, if recorded. */
  owner?: string;
  /** When the claim's lease ends (epoch ms), for claimed runs. */
  leaseExpiresAt?: number;
}

/** @deprecated Use {@linkcode ManifestEntry}. */
export type RunRecord = ManifestEntry;

/** Options of {@linkcode RunManifests.claim}. */
export interface ClaimOptions {
  /** A name unique to the worker (e.g. host name and process id). */
  owner: string;
  /** How long the claim holds before another worker may take it over, in milliseconds. */
  leaseMs: number;
}

/** The outcome of {@linkcode RunManifests.claim}: an expected outcome, not an exception. */
export type ClaimResult =
  | {
    /** This worker now holds the run. */
    claimed: true;
    /** The run id. */
    runId: string;
    /** When the lease ends (epoch ms). */
    leaseExpiresAt: number;
    /** The worker whose expired claim was taken over, if any. */
    tookOverFrom?: string;
  }
  | {
    /** Another worker holds the run, or it is done. */
    claimed: false;
    /** The run id. */
    runId: string;
    /** `done`: already processed; `held`: another worker's lease is running. */
    reason: "done" | "held";
    /** The worker holding the run (for `held`). */
    heldBy?: string;
    /** When that worker's lease ends (for `held`). */
    leaseExpiresAt?: number;
  };

const RUN_ID = "RunId";
const NAMES = { "#r": "RunId", "#s": "State", "#o": "Owner", "#l": "LeaseExpiresAt" };
const BATCH_SIZE = 100;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * The run manifest: a DynamoDB table (hash key `RunId`, type `S`) recording which pipeline
 * runs were processed, compatible with the Python and Scala SDKs (their items, with only
 * `RunId`, read as done). Beyond them: batch checks with BatchGetItem, and claims with
 * expiring leases so several workers can share the work safely.
 *
 * Items: `RunId` (S), `State` (S: `claimed` | `done`), `Owner` (S), `LeaseExpiresAt` (N, epoch
 * ms), `AddedAt` / `ClaimedAt` / `CompletedAt` (N, epoch ms).
 *
 * @example Against a local DynamoDB (dynalite, started by the example itself)
 * ```ts
 * import { RunManifests } from "@snowplow/analytics-sdk";
 * import assert from "node:assert/strict";
 * import dynalite from "npm:dynalite@4.0.0";
 *
 * const server = dynalite({ createTableMs: 0 });
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
 * const { port } = server.address() as { port: number };
 * try {
 *   const manifests = new RunManifests("snowplow-runs", {
 *     credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 *     endpoint: `http://127.0.0.1:${port}`,
 *   });
 *   assert.deepEqual(await manifests.create(), { created: true });
 *
 *   const runs = ["archive/run=2017-01-01-00-00-00/", "archive/run=2017-01-02-00-00-00/"];
 *   await manifests.add(runs[0]);
 *   assert.equal(await manifests.contains(runs[0]), true);
 *   assert.deepEqual(await manifests.filterUnprocessed(runs), [runs[1]]);
 *
 *   // Several workers: one wins the claim, the others are told who holds the run.
 *   const claim = await manifests.claim(runs[1], { owner: "worker-a", leaseMs: 60_000 });
 *   assert.equal(claim.claimed, true);
 *   const other = await manifests.claim(runs[1], { owner: "worker-b", leaseMs: 60_000 });
 *   assert.ok(!other.claimed && other.reason === "held" && other.heldBy === "worker-a");
 *   assert.equal(await manifests.complete(runs[1], "worker-a"), true);
 *   assert.deepEqual(await manifests.filterUnprocessed(runs), []);
 * } finally {
 *   const closed = new Promise((resolve) => server.close(resolve));
 *   server.closeAllConnections(); // don't wait for idle keep-alive connections
 *   await closed;
 * }
 * ```
 *
 * @example The seed's loop, with S3 listing (needs AWS, so not run here)
 * ```ts ignore
 * import { awsOptionsFromEnv, listRunIds, RunManifests } from "@snowplow/analytics-sdk";
 *
 * const env = Deno.env.toObject();
 * const manifests = new RunManifests("snowplow-runs", awsOptionsFromEnv(env, "dynamodb"));
 * const s3 = awsOptionsFromEnv(env, "s3");
 * for await (const runId of listRunIds("s3://bucket/enriched/archive/", s3)) {
 *   if (!(await manifests.contains(runId))) {
 *     // await process(runId);
 *     await manifests.add(runId);
 *   }
 * }
 * ```
 */
export class RunManifests {
  /** The DynamoDB table name. */
  readonly tableName: string;
  readonly #options: RunManifestsOptions;
  readonly #now: () => number;

  /**
   * Binds a manifest to a table. Nothing is sent until a method is called.
   *
   * @throws {TypeError} When `tableName` is empty or not a string.
   * @throws {RangeError} When `tableName` is not a valid DynamoDB table name (3–255 of
   * `A-Z a-z 0-9 _ - .`).
   *
   * @example Bind a table
   * ```ts
   * import { RunManifests } from "@snowplow/analytics-sdk";
   * import assert from "node:assert/strict";
   *
   * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
   * const manifests = new RunManifests("snowplow-runs", { credentials });
   * assert.equal(manifests.tableName, "snowplow-runs");
   * assert.throws(() => new RunManifests("", { credentials }), TypeError);
   * ```
   */
  constructor(tableName: string, options: RunManifestsOptions) {
    if (typeof tableName !== "string" || tableName === "") {
      throw new TypeError("Invalid run manifest table name: expected a non-empty string");
    }
    if (!TABLE_NAME.test(tableName)) {
      throw new RangeError(
        `Invalid run manifest table name "${tableName}": expected 3 to 255 characters of ` +
          "A-Z, a-z, 0-9, '_', '-' and '.'",
      );
    }
    this.tableName = tableName;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates the table (hash key `RunId`, on-demand capacity). A table that already exists is
   * success. In both cases, waits until the table is `ACTIVE` (bounded by `tableWaitMs`,
   * stopped by the signal).
   *
   * @throws {DynamoDBError} When AWS refuses, or with code `TableNotActive` when the table is
   * still not `ACTIVE` after `tableWaitMs`.
   *
   * @example Create the table once (needs DynamoDB)
   * ```ts ignore
   * import { RunManifests } from "@snowplow/analytics-sdk";
   *
   * const manifests = new RunManifests("snowplow-runs", {
   *   credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
   *   endpoint: "http://127.0.0.1:8000",
   * });
   * const { created } = await manifests.create();
   * console.log(created ? "created" : "already there");
   * ```
   */
  async create(): Promise<CreateResult> {
    let created = true;
    try {
      await this.#call("CreateTable", {
        TableName: this.tableName,
        AttributeDefinitions: [{ AttributeName: RUN_ID, AttributeType: "S" }],
        KeySchema: [{ AttributeName: RUN_ID, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      });
    } catch (error) {
      if (!(error instanceof AwsError && error.code === "ResourceInUseException")) throw error;
      created = false;
    }
    await this.#waitForActive();
    return { created };
  }

  /**
   * Records a run as processed (PutItem of `{RunId, State: "done", AddedAt}`), overwriting
   * any claim. Unconditional, like the Python SDK's `add`.
   *
   * @throws {TypeError} When `runId` is empty.
   * @throws {DynamoDBError} When AWS refuses (e.g. `ResourceNotFoundException`).
   *
   * @example Add and check (needs DynamoDB)
   * ```ts ignore
   * await manifests.add("enriched/archive/run=2017-01-01-00-00-00/");
   * console.log(await manifests.contains("enriched/archive/run=2017-01-01-00-00-00/")); // true
   * ```
   */
  async add(runId: string): Promise<void> {
    checkRunId(runId);
    await this.#call("PutItem", {
      TableName: this.tableName,
      Item: {
        RunId: { S: runId },
        State: { S: "done" },
        AddedAt: { N: String(this.#now()) },
      },
    });
  }

  /**
   * Whether a run was processed: a consistent GetItem finds the item and it is not an
   * unfinished claim. Items with only `RunId` (Python and Scala SDKs) count as processed.
   *
   * @throws {TypeError} When `runId` is empty.
   * @throws {DynamoDBError} When AWS refuses, or `InvalidResponse` for an answer of the wrong
   * shape.
   *
   * @example Check a run (needs DynamoDB)
   * ```ts ignore
   * if (!(await manifests.contains(runId))) await process(runId);
   * ```
   */
  async contains(runId: string): Promise<boolean> {
    return (await this.get(runId))?.state === "done";
  }

  /**
   * Reads the state of one run (consistent read), or `undefined` when it is not in the table.
   *
   * @throws {TypeError} When `runId` is empty.
   * @throws {DynamoDBError} When AWS refuses or answers with the wrong shape.
   *
   * @example Inspect a claim (needs DynamoDB)
   * ```ts ignore
   * const record = await manifests.get(runId);
   * if (record?.state === "claimed") console.log(`held by ${record.owner}`);
   * ```
   */
  async get(runId: string): Promise<ManifestEntry | undefined> {
    checkRunId(runId);
    const out = await this.#call("GetItem", {
      TableName: this.tableName,
      Key: { RunId: { S: runId } },
      ConsistentRead: true,
    });
    const item = out.Item;
    if (item === undefined) return undefined;
    return entryOf(asItem(item, "GetItem"), "GetItem", runId);
  }

  /**
   * Returns the run ids that are not processed yet (not in the table, or only claimed), in
   * input order (duplicates kept), checking 100 ids per BatchGetItem request with consistent
   * reads and retrying `UnprocessedKeys` with backoff.
   *
   * @throws {TypeError} When a run id is empty.
   * @throws {DynamoDBError} When AWS refuses, or with code `UnprocessedKeys` when DynamoDB
   * keeps returning unprocessed keys after the retry budget.
   *
   * @example Check many runs in few requests (needs DynamoDB)
   * ```ts ignore
   * const todo = await manifests.filterUnprocessed(runIds); // 1,000 ids: 10 requests
   * ```
   */
  async filterUnprocessed(runIds: Iterable<string>): Promise<string[]> {
    const ids = [...runIds];
    ids.forEach(checkRunId);
    const unique = [...new Set(ids)];
    const done = new Set<string>();
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      chunks.push(unique.slice(i, i + BATCH_SIZE));
    }
    const concurrency = Math.max(1, Math.floor(this.#options.batchConcurrency ?? 4));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        for (const runId of await this.#doneAmong(chunk)) done.add(runId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    return ids.filter((runId) => !done.has(runId));
  }

  /**
   * Claims a run for this worker: a conditional write that succeeds only when the run is not
   * in the table, or its claim's lease has expired (taken over), or this same owner already
   * holds it (the lease is renewed). Exactly one of several racing workers wins. A done run
   * cannot be claimed.
   *
   * @throws {TypeError} When `runId` or `owner` is empty.
   * @throws {RangeError} When `leaseMs` is not a positive finite number.
   * @throws {DynamoDBError} When AWS refuses for another reason.
   *
   * @example Claim, process, complete (needs DynamoDB)
   * ```ts ignore
   * const claim = await manifests.claim(runId, { owner: "worker-1", leaseMs: 15 * 60_000 });
   * if (claim.claimed) {
   *   try {
   *     await process(runId);
   *     await manifests.complete(runId, "worker-1");
   *   } catch (error) {
   *     await manifests.release(runId, "worker-1");
   *     throw error;
   *   }
   * }
   * ```
   */
  async claim(runId: string, options: ClaimOptions): Promise<ClaimResult> {
    checkRunId(runId);
    checkOwner(options.owner);
    if (
      !(typeof options.leaseMs === "number" && options.leaseMs > 0 && isFinite(options.leaseMs))
    ) {
      throw new RangeError(
        `Invalid lease for claim(): expected a positive number of milliseconds but got ${options.leaseMs}`,
      );
    }
    // A failed condition is re-read; when the holder vanished meanwhile, try again (bounded).
    for (let round = 0;; round++) {
      const now = this.#now();
      const leaseExpiresAt = now + options.leaseMs;
      try {
        const out = await this.#call("PutItem", {
          TableName: this.tableName,
          Item: {
            RunId: { S: runId },
            State: { S: "claimed" },
            Owner: { S: options.owner },
            LeaseExpiresAt: { N: String(leaseExpiresAt) },
            ClaimedAt: { N: String(now) },
          },
          ConditionExpression:
            "attribute_not_exists(#r) OR (#s = :claimed AND (#l <= :now OR #o = :owner))",
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: {
            ":claimed": { S: "claimed" },
            ":now": { N: String(now) },
            ":owner": { S: options.owner },
          },
          ReturnValues: "ALL_OLD",
        });
        const old = out.Attributes === undefined
          ? undefined
          : entryOf(asItem(out.Attributes, "PutItem"), "PutItem", runId);
        return old?.owner !== undefined && old.owner !== options.owner
          ? { claimed: true, runId, leaseExpiresAt, tookOverFrom: old.owner }
          : { claimed: true, runId, leaseExpiresAt };
      } catch (error) {
        if (!(error instanceof AwsError && error.code === "ConditionalCheckFailedException")) {
          throw error;
        }
      }
      const current = await this.get(runId);
      if (current?.state === "done") return { claimed: false, runId, reason: "done" };
      if (
        current !== undefined &&
        (current.leaseExpiresAt === undefined || current.leaseExpiresAt > this.#now() ||
          round >= 2)
      ) {
        return {
          claimed: false,
          runId,
          reason: "held",
          ...(current.owner === undefined ? {} : { heldBy: current.owner }),
          ...(current.leaseExpiresAt === undefined
            ? {}
            : { leaseExpiresAt: current.leaseExpiresAt }),
        };
      }
      if (round >= 2) return { claimed: false, runId, reason: "held" };
    }
  }

  /**
   * Marks a claimed run done (then {@linkcode RunManifests.contains} is true), only if this
   * owner holds it. Returns `false` when it does not (another worker took it over after the
   * lease expired, it was released, or it never held it). Completing again a run this owner
   * already completed returns `true` (so a retried request is harmless).
   *
   * @throws {TypeError} When `runId` or `owner` is empty.
   * @throws {DynamoDBError} When AWS refuses for another reason.
   *
   * @example Complete a claimed run (needs DynamoDB)
   * ```ts ignore
   * if (!(await manifests.complete(runId, "worker-1"))) console.warn("lost the claim");
   * ```
   */
  async complete(runId: string, owner: string): Promise<boolean> {
    checkRunId(runId);
    checkOwner(owner);
    return await this.#conditional("UpdateItem", {
      TableName: this.tableName,
      Key: { RunId: { S: runId } },
      UpdateExpression: "SET #s = :done, CompletedAt = :now REMOVE #l",
      ConditionExpression: "#o = :owner AND (#s = :claimed OR #s = :done)",
      ExpressionAttributeNames: { "#s": "State", "#o": "Owner", "#l": "LeaseExpiresAt" },
      ExpressionAttributeValues: {
        ":done": { S: "done" },
        ":claimed": { S: "claimed" },
        ":owner": { S: owner },
        ":now": { N: String(this.#now()) },
      },
    });
  }

  /**
   * Gives a claimed run back (deletes the claim), only if this owner holds it, so another
   * worker can claim it at once. Returns `false` when this owner does not hold it.
   *
   * @throws {TypeError} When `runId` or `owner` is empty.
   * @throws {DynamoDBError} When AWS refuses for another reason.
   *
   * @example Release after a failure (needs DynamoDB)
   * ```ts ignore
   * await manifests.release(runId, "worker-1");
   * ```
   */
  async release(runId: string, owner: string): Promise<boolean> {
    checkRunId(runId);
    checkOwner(owner);
    return await this.#conditional("DeleteItem", {
      TableName: this.tableName,
      Key: { RunId: { S: runId } },
      ConditionExpression: "#s = :claimed AND #o = :owner",
      ExpressionAttributeNames: { "#s": "State", "#o": "Owner" },
      ExpressionAttributeValues: { ":claimed": { S: "claimed" }, ":owner": { S: owner } },
    });
  }

  /**
   * Reads a cursor: the key a listing job may start after (`StartAfter`), or `undefined` when
   * the cursor was never moved. Cursors are items of the same table, whose `RunId` is the
   * cursor's name (see {@linkcode processObjects}: `cursor#s3://bucket/prefix/`), with
   * `State: "cursor"` and the key in `StartAfter`.
   *
   * @throws {TypeError} When `name` is empty.
   * @throws {DynamoDBError} When AWS refuses, or `InvalidResponse` when the item is not a cursor.
   *
   * @example Where the last job left off (needs DynamoDB)
   * ```ts ignore
   * const after = await manifests.getCursor("cursor#s3://my-bucket/enriched/");
   * ```
   */
  async getCursor(name: string): Promise<string | undefined> {
    checkRunId(name);
    const out = await this.#call("GetItem", {
      TableName: this.tableName,
      Key: { RunId: { S: name } },
      ConsistentRead: true,
    });
    if (out.Item === undefined) return undefined;
    const item = asItem(out.Item, "GetItem");
    const after = item.StartAfter?.S;
    if (item.State?.S !== "cursor" || typeof after !== "string") {
      throw shapeError("GetItem", `the item ${name} is not a cursor (State "cursor", StartAfter)`);
    }
    return after;
  }

  /**
   * Moves a cursor forward to `key`: a conditional write that succeeds only when the cursor is
   * missing or behind `key` (in UTF-8 byte order, S3's listing order), so concurrent jobs never
   * move it back. Returns whether it moved.
   *
   * @throws {TypeError} When `name` or `key` is empty.
   * @throws {DynamoDBError} When AWS refuses for another reason.
   *
   * @example Record progress (needs DynamoDB)
   * ```ts ignore
   * await manifests.moveCursor("cursor#s3://my-bucket/enriched/", lastSettledKey);
   * ```
   */
  async moveCursor(name: string, key: string): Promise<boolean> {
    checkRunId(name);
    if (typeof key !== "string" || key === "") {
      throw new TypeError("Invalid cursor key: expected a non-empty string");
    }
    return await this.#conditional("PutItem", {
      TableName: this.tableName,
      Item: {
        RunId: { S: name },
        State: { S: "cursor" },
        StartAfter: { S: key },
        UpdatedAt: { N: String(this.#now()) },
      },
      ConditionExpression: "attribute_not_exists(#r) OR (#s = :cursor AND #a < :key)",
      ExpressionAttributeNames: { "#r": "RunId", "#s": "State", "#a": "StartAfter" },
      ExpressionAttributeValues: { ":cursor": { S: "cursor" }, ":key": { S: key } },
    });
  }

  async #conditional(operation: string, input: unknown): Promise<boolean> {
    try {
      await this.#call(operation, input);
      return true;
    } catch (error) {
      if (error instanceof AwsError && error.code === "ConditionalCheckFailedException") {
        return false;
      }
      throw error;
    }
  }

  async #doneAmong(runIds: string[]): Promise<string[]> {
    const policy = retryPolicy(this.#options.retry);
    const done: string[] = [];
    const asked = new Set(runIds);
    let keys: unknown[] = runIds.map((runId) => ({ RunId: { S: runId } }));
    for (let stalled = 0; keys.length > 0;) {
      const out = await this.#call("BatchGetItem", {
        RequestItems: {
          [this.tableName]: {
            Keys: keys,
            ConsistentRead: true,
            ProjectionExpression: "#r, #s",
            ExpressionAttributeNames: { "#r": "RunId", "#s": "State" },
          },
        },
      });
      const responses = field(out, "Responses", "BatchGetItem");
      const items = responses === undefined ? [] : field(responses, this.tableName, "BatchGetItem");
      if (items !== undefined && !Array.isArray(items)) {
        throw shapeError("BatchGetItem", "Responses is not a list of items");
      }
      for (const raw of items ?? []) {
        const record = entryOf(asItem(raw, "BatchGetItem"), "BatchGetItem", asked);
        if (record.state === "done") done.push(record.runId);
      }
      const unprocessed = field(out, "UnprocessedKeys", "BatchGetItem");
      const pending = unprocessed === undefined
        ? undefined
        : field(unprocessed, this.tableName, "BatchGetItem");
      const left = pending === undefined ? [] : field(pending, "Keys", "BatchGetItem");
      if (left !== undefined && !Array.isArray(left)) {
        throw shapeError("BatchGetItem", "UnprocessedKeys is not a list of keys");
      }
      const remaining = left ?? [];
      stalled = remaining.length >= keys.length ? stalled + 1 : 0;
      keys = remaining;
      if (keys.length === 0) break;
      if (stalled >= policy.maxAttempts) {
        throw new DynamoDBError({
          operation: "BatchGetItem",
          code: "UnprocessedKeys",
          status: 200,
          message: `${keys.length} keys still unprocessed after ${stalled} attempts`,
          retryable: true,
        });
      }
      await sleep(backoffDelay(policy, Math.max(1, stalled)), this.#options.signal);
    }
    return done;
  }

  async #waitForActive(): Promise<void> {
    const pollMs = Math.max(0, this.#options.tablePollMs ?? 1000);
    const waitMs = Math.max(0, this.#options.tableWaitMs ?? 300_000);
    const polls = Math.max(1, Math.ceil(waitMs / Math.max(1, pollMs)) + 1);
    let status = "unknown";
    for (let i = 0; i < polls; i++) {
      if (i > 0) await sleep(pollMs, this.#options.signal);
      try {
        const out = await this.#call("DescribeTable", { TableName: this.tableName });
        const table = field(out, "Table", "DescribeTable");
        const value = table === undefined
          ? undefined
          : field(table, "TableStatus", "DescribeTable");
        if (typeof value !== "string") {
          throw shapeError("DescribeTable", "Table.TableStatus is missing");
        }
        status = value;
      } catch (error) {
        // Right after CreateTable, DescribeTable may not see the table yet.
        if (!(error instanceof AwsError && error.code === "ResourceNotFoundException")) throw error;
        status = "not found";
      }
      if (status === "ACTIVE") return;
    }
    throw new DynamoDBError({
      operation: "DescribeTable",
      code: "TableNotActive",
      status: 200,
      message: `table ${this.tableName} is still ${status} after ${waitMs} ms`,
      retryable: true,
    });
  }

  async #call(operation: string, input: unknown): Promise<Record<string, unknown>> {
    return await dynamoDbCall<Record<string, unknown>>(operation, input, this.#options);
  }
}

function checkRunId(runId: string): void {
  if (typeof runId !== "string" || runId === "") {
    throw new TypeError("Invalid run id: expected a non-empty string");
  }
}

function checkOwner(owner: string): void {
  if (typeof owner !== "string" || owner === "") {
    throw new TypeError("Invalid owner: expected a non-empty string naming the worker");
  }
}
