/**
 * A `fetch` for the manifest that counts DynamoDB requests by operation (`GetItem`, `PutItem`,
 * …), for the benches that report the request cost of a job.
 *
 * @module
 */

/** The counting `fetch` and its counts, by operation. */
export interface DynamoDbCounter {
  /** Requests so far by operation; clear it by deleting its keys. */
  readonly byOp: Record<string, number>;
  /** Pass it as the manifest's `fetch`. */
  readonly fetch: typeof fetch;
}

/** A new counter over the global `fetch`. */
export function dynamoDbCounter(): DynamoDbCounter {
  const byOp: Record<string, number> = {};
  const counting: typeof fetch = (input, init) => {
    const target = new Headers(init?.headers).get("x-amz-target") ?? "?";
    const op = target.replace("DynamoDB_20120810.", "");
    byOp[op] = (byOp[op] ?? 0) + 1;
    return fetch(input, init);
  };
  return { byOp, fetch: counting };
}
