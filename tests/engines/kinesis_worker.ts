/**
 * The Worker of the workerd Kinesis test: runs `kinesisHandler` on the Kinesis event it is
 * posted and answers the partial batch response with what each record held.
 *
 * @module
 */

import {
  type EnrichedStreamRecord,
  type KinesisEvent,
  kinesisHandler,
} from "../../src/engines/mod.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const records: EnrichedStreamRecord[] = [];
    const errors: string[] = [];
    const handler = kinesisHandler({
      handleRecord: (record) => void records.push(record),
      onFailure: (error) => void errors.push(String(error)),
    });
    const response = await handler(await request.json() as KinesisEvent);
    return Response.json({ response, records, errors });
  },
};
