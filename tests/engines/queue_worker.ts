/**
 * The Worker of the workerd queue test: the Cloudflare example's consumer options with a
 * writer that reports each object to the test's sink (which refuses some the first time), a
 * `fetch` handler that sends notifications to the queue, and a log of what was acked.
 *
 * @module
 */

import {
  consumerOptions,
  type Env as ExampleEnv,
  type ObjectWriter,
} from "../../examples/cloudflare-queues/worker.ts";
import { type QueueBatch, queueConsumer, type QueueMessage } from "../../src/engines/mod.ts";

interface Env extends ExampleEnv {
  SINK_URL: string;
}

const toSink: ObjectWriter = async (key, records, env) => {
  let events = 0;
  for await (const record of records) if (record.event) events++;
  const response = await fetch(`${(env as Env).SINK_URL}/object`, {
    method: "POST",
    body: JSON.stringify({ key, events }),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the sink answered ${response.status} for ${key}`);
};

const consume = queueConsumer((env: Env) => consumerOptions(env, toSink));

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const bodies = await request.json() as unknown[];
    for (let i = 0; i < bodies.length; i += 100) {
      await env.QUEUE.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body: body as never })));
    }
    return new Response(`sent ${bodies.length}`);
  },
  async queue(batch: QueueBatch, env: Env): Promise<void> {
    const log: { id: string; settled: "ack" | "retry" }[] = [];
    const messages = batch.messages.map((message): QueueMessage => ({
      id: message.id,
      body: message.body,
      attempts: message.attempts,
      ack() {
        log.push({ id: message.id, settled: "ack" });
        message.ack();
      },
      retry(options) {
        log.push({ id: message.id, settled: "retry" });
        message.retry(options);
      },
    }));
    await consume({ queue: batch.queue, messages }, env);
    const response = await fetch(`${env.SINK_URL}/settled`, {
      method: "POST",
      body: JSON.stringify(log),
    });
    await response.body?.cancel();
  },
};
