/** dynalite (an independent DynamoDB implementation) in-process on 127.0.0.1, for tests. */
import dynalite from "npm:dynalite@4.0.0";
import type { AwsOptions } from "../../src/aws/options.ts";

/** A running dynalite server. */
export interface DynamoDbServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Options of {@linkcode startDynamoDb}: dynalite's simulated delays. */
export interface DynamoDbServerOptions {
  /** How long a new table stays CREATING. Default 0. */
  createTableMs?: number;
}

/** Starts dynalite on a free port of 127.0.0.1. */
export async function startDynamoDb(options: DynamoDbServerOptions = {}): Promise<DynamoDbServer> {
  const server = dynalite({
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() alone waits for idle keep-alive connections from fetch's pool to go away.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  };
}

/** Test credentials (dynalite checks their format, not the signature). */
export const TEST_CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" };

/** AWS options for a local endpoint, with fast retries. */
export function localOptions(endpoint: string, extra: Partial<AwsOptions> = {}): AwsOptions {
  return {
    region: "us-east-1",
    credentials: TEST_CREDENTIALS,
    endpoint,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  };
}
