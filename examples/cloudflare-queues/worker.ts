/**
 * A Cloudflare Worker that processes S3 Loader objects through a Queue, each exactly once:
 *
 * - `queue()` consumes messages naming objects (`{ bucket, key }`, `s3://` URIs, R2 or S3 event
 *   notifications) with `queueConsumer`: each object is claimed in the manifest, read, its
 *   events written to the R2 bucket bound as `OUTPUT` (one NDJSON file per object), and marked
 *   done; the message is acked, or retried when the object failed.
 * - `scheduled()` (and `POST /produce`) is the producer: it lists the objects under `SOURCE_PREFIX`, keeps those the
 *   manifest does not hold as done (one BatchGetItem per 100), and sends them to the queue
 *   bound as `QUEUE`. S3 event notifications (through SQS → a small forwarder) or R2 event
 *   notifications can feed the same queue instead; duplicates are harmless.
 *
 * Configuration (`wrangler.toml` vars and secrets): `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, optionally `AWS_ENDPOINT_URL_S3` (R2's S3 API, or a
 * local server) and `AWS_ENDPOINT_URL_DYNAMODB`; `MANIFEST_TABLE`; `SOURCE_PREFIX`
 * (`s3://bucket/prefix/`); `HELD_RETRY_SECONDS`. `run_local.ts` beside this file runs it in
 * workerd (miniflare) against the project's local servers.
 *
 * @module
 */

import { awsOptionsFromEnv, RunManifests } from "@snowplow/analytics-sdk";
import { listObjects, parseS3Uri } from "@snowplow/analytics-sdk/s3";
import type { UnitContents } from "@snowplow/analytics-sdk/job";
import {
  type ObjectMessage,
  type QueueBatch,
  queueConsumer,
  type QueueConsumerOptions,
} from "@snowplow/analytics-sdk/engines";

/** The Worker's bindings and variables. */
export interface Env {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION?: string;
  AWS_ENDPOINT_URL_S3?: string;
  AWS_ENDPOINT_URL_DYNAMODB?: string;
  MANIFEST_TABLE: string;
  SOURCE_PREFIX: string;
  HELD_RETRY_SECONDS?: string;
  /** The queue of objects to process. */
  QUEUE: { sendBatch(messages: { body: ObjectMessage }[]): Promise<unknown> };
  /** Where each object's events go (an R2 bucket binding). */
  OUTPUT: { put(key: string, value: string): Promise<unknown> };
}

/** The `AWS_*` variables among the Worker's bindings. */
function awsVariables(env: Env): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) =>
      name.startsWith("AWS_") && typeof value === "string"
    ),
  );
}

/** What to do with one object's records. */
export type ObjectWriter = (key: string, records: UnitContents, env: Env) => Promise<void>;

/** Writes an object's events as NDJSON to `OUTPUT` (a repeat overwrites the same file). */
export const writeToR2: ObjectWriter = async (key, records, env) => {
  let ndjson = "";
  for await (const record of records) {
    if (record.event) ndjson += JSON.stringify(record.event) + "\n";
  }
  await env.OUTPUT.put(`${key}.ndjson`, ndjson);
};

/** `queueConsumer`'s options for this Worker's `env`. */
export function consumerOptions(env: Env, write: ObjectWriter): QueueConsumerOptions {
  const held = Number(env.HELD_RETRY_SECONDS ?? 30);
  return {
    manifests: env.MANIFEST_TABLE,
    s3: awsOptionsFromEnv(awsVariables(env), "s3"),
    dynamodb: awsOptionsFromEnv(awsVariables(env), "dynamodb"),
    // Workers keep timers only while the handler runs, which is when renewals matter.
    handle: (key, records) => write(key, records, env),
    heldRetryDelaySeconds: held,
  };
}

/**
 * The producer: sends the objects under `SOURCE_PREFIX` that are not done to the queue, 100
 * per `sendBatch`; returns how many it sent. Objects already queued but not done yet are sent
 * again, which the consumer tolerates (they are processed once).
 */
export async function produce(env: Env): Promise<number> {
  const { bucket } = parseS3Uri(env.SOURCE_PREFIX);
  const manifests = new RunManifests(
    env.MANIFEST_TABLE,
    awsOptionsFromEnv(awsVariables(env), "dynamodb"),
  );
  let sent = 0;
  let page: string[] = [];
  const flush = async () => {
    const todo = await manifests.filterUnprocessed(page);
    page = [];
    if (todo.length === 0) return;
    await env.QUEUE.sendBatch(todo.map((key) => ({ body: { bucket, key } })));
    sent += todo.length;
  };
  for await (
    const object of listObjects(env.SOURCE_PREFIX, awsOptionsFromEnv(awsVariables(env), "s3"))
  ) {
    if (object.size === 0 || object.key.endsWith("/")) continue;
    page.push(object.key);
    if (page.length === 100) await flush();
  }
  if (page.length > 0) await flush();
  return sent;
}

const consume = queueConsumer((env: Env) => consumerOptions(env, writeToR2));

export default {
  /** `POST /produce` runs the producer at once and answers how many objects it sent. */
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST" || path !== "/produce") {
      return new Response("not found", { status: 404 });
    }
    return Response.json({ sent: await produce(env) });
  },
  queue(batch: QueueBatch, env: Env): Promise<void> {
    return consume(batch, env);
  },
  async scheduled(_controller: unknown, env: Env): Promise<void> {
    await produce(env);
  },
};
