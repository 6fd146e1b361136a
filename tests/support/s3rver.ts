/**
 * s3rver 3.7.1 (an independent S3 implementation) in-process on 127.0.0.1, for tests.
 * s3rver makes continuation tokens with DES, which Deno's node:crypto lacks: the shim below
 * turns `des` into an identity cipher (the tokens only need to round-trip).
 */
import crypto from "node:crypto";
import { Buffer } from "node:buffer";
import S3rver from "npm:s3rver@3.7.1";
import type { AwsOptions } from "../../src/aws/options.ts";
import { sendAwsRequest } from "../../src/aws/request.ts";
import { objectUrl } from "../../src/s3/request_url.ts";

type Cipher = { update(data: string | Buffer, encoding?: BufferEncoding): Buffer; final(): Buffer };
type CipherFactory = (algorithm: string, ...rest: unknown[]) => Cipher;

function shimDes(name: "createCipheriv" | "createDecipheriv"): void {
  const target = crypto as unknown as Record<string, CipherFactory & { desShim?: true }>;
  if (target[name].desShim) return;
  const original = target[name];
  const shim = Object.assign(
    (algorithm: string, ...rest: unknown[]): Cipher =>
      algorithm === "des"
        ? {
          update: (data, encoding) => Buffer.from(data as string, encoding),
          final: () => Buffer.alloc(0),
        }
        : original(algorithm, ...rest),
    { desShim: true as const },
  );
  target[name] = shim;
}
shimDes("createCipheriv");
shimDes("createDecipheriv");

/** s3rver's fixed credentials (it checks the key id, not the signature). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A running s3rver. */
export interface S3rverServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/** Starts s3rver on a free port of 127.0.0.1 with the given (empty) buckets. */
export async function startS3rver(buckets: string[]): Promise<S3rverServer> {
  const directory = await Deno.makeTempDir({ prefix: "s3rver-" });
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      // Idle keep-alive connections from fetch's pool would hold close() open.
      const http = (server as unknown as { httpServer?: { closeAllConnections?: () => void } })
        .httpServer;
      const closing = server.close();
      http?.closeAllConnections?.();
      await closing;
      await Deno.remove(directory, { recursive: true });
    },
  };
}

/** PUTs an object with a signed request through the package's own transport. */
export async function putObject(
  target: { bucket: string; key: string; storageClass?: string },
  body: string | Uint8Array,
  options: AwsOptions,
): Promise<void> {
  const headers: Record<string, string> = { "content-type": "application/octet-stream" };
  if (target.storageClass !== undefined) headers["x-amz-storage-class"] = target.storageClass;
  await sendAwsRequest({
    service: "s3",
    operation: "PutObject",
    method: "PUT",
    url: objectUrl(target.bucket, target.key, options),
    headers,
    body,
  }, options);
}

/** AWS options for an s3rver endpoint (no retries: s3rver answers at once or not at all). */
export function s3rverOptions(endpoint: string): AwsOptions {
  return {
    endpoint,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
    retry: { maxAttempts: 1 },
  };
}
