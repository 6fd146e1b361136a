/**
 * A raw HTTP/1.1 test endpoint on 127.0.0.1 that injects faults (error answers, reset
 * connections, bodies cut off mid-stream or ending early, hangs and stalls) before proxying to an upstream server or
 * answering with a handler. One request per connection (`Connection: close`), so every fault
 * hits a fresh socket.
 */

/** An error answer. */
export type FaultAnswer = {
  status: number;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
};

/** What the server does with one request. */
export type Fault =
  /** Answer with this status, body and headers. */
  | FaultAnswer
  /** Close the socket after reading the request, without answering. */
  | "reset"
  /** Send the headers of a proxied answer and half its body (Content-Length says more), then close. */
  | "cut"
  /**
   * Send the headers of a proxied answer and half its body, with a Content-Length saying half:
   * the body ends cleanly, short of what the client expects.
   */
  | "short"
  /** Never answer (until the client gives up or the server closes). */
  | "hang"
  /**
   * Send the headers of a proxied answer and half its body (Content-Length says more), then send
   * nothing more (until the client gives up or the server closes).
   */
  | "stall";

/** Decides the fault for the n-th request (0-based); `undefined` passes the request through. */
export type FaultPlan = (index: number, request: Request) => Fault | undefined;

/** Options of {@linkcode startFaultyServer}. */
export interface FaultyServerOptions {
  /** Where requests without a fault go (e.g. a dynalite endpoint). */
  upstream?: string;
  /** Answers requests without a fault when there is no upstream. */
  handler?: (request: Request) => Response | Promise<Response>;
  /** The faults. Default: none. */
  faults?: FaultPlan | Fault[];
}

/** A running faulty server. */
export interface FaultyServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: Request[];
  /** Closes the listener and every open connection. */
  close(): Promise<void>;
}

/** A DynamoDB JSON error answer. */
export function dynamoDbFault(status: number, code: string, message = ""): FaultAnswer {
  return {
    status,
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }),
    headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `req-${code}` },
  };
}

/** An S3 XML error answer. */
export function s3Fault(status: number, code: string, message = ""): FaultAnswer {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
      `<Message>${message}</Message><RequestId>req-${code}</RequestId></Error>`,
    headers: { "content-type": "application/xml" },
  };
}

const encoder = new TextEncoder();

/** Starts a faulty server on a free port of 127.0.0.1. */
export function startFaultyServer(options: FaultyServerOptions = {}): FaultyServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const requests: Request[] = [];
  const conns = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  const hangs = new Set<() => void>();
  const plan: FaultPlan = typeof options.faults === "function"
    ? options.faults
    : ((list) => (i: number) => list[i])(options.faults ?? []);

  const serveConn = async (conn: Deno.Conn): Promise<void> => {
    try {
      const request = await readRequest(conn, endpoint);
      if (request === undefined) return;
      const index = requests.length;
      requests.push(request.clone());
      const fault = plan(index, request);
      if (fault === "reset") return;
      if (fault === "hang") {
        await new Promise<void>((resolve) => hangs.add(resolve));
        return;
      }
      const response = typeof fault === "object"
        ? new Response(fault.body ?? "", { status: fault.status, headers: fault.headers })
        : await pass(request);
      const whole = new Uint8Array(await response.arrayBuffer());
      const half = whole.subarray(0, whole.length >> 1);
      const body = fault === "short" ? half : whole;
      const head = `HTTP/1.1 ${response.status} X\r\n` +
        [...response.headers].filter(([k]) =>
          !["content-length", "connection", "transfer-encoding", "content-encoding"].includes(k)
        ).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
      await writeAll(conn, encoder.encode(head));
      await writeAll(conn, fault === "cut" || fault === "stall" ? half : body);
      if (fault === "stall") await new Promise<void>((resolve) => hangs.add(resolve));
    } catch {
      // the client went away: nothing to do
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };

  const pass = async (request: Request): Promise<Response> => {
    if (options.upstream !== undefined) {
      const url = new URL(request.url);
      const target = new URL(url.pathname + url.search, options.upstream);
      const headers = new Headers(request.headers);
      headers.delete("host");
      const body = request.method === "GET" || request.method === "HEAD"
        ? undefined
        : await request.arrayBuffer();
      return await fetch(target, { method: request.method, headers, body });
    }
    if (options.handler !== undefined) return await options.handler(request);
    return new Response("no upstream", { status: 599 });
  };

  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const p = serveConn(conn);
      handlers.add(p);
      p.finally(() => handlers.delete(p));
    }
  })().catch(() => {});

  return {
    endpoint,
    requests,
    async close() {
      listener.close();
      for (const resolve of hangs) resolve();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.allSettled([...handlers]);
    },
  };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

async function readRequest(conn: Deno.Conn, origin: string): Promise<Request | undefined> {
  let buffer = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  const append = (n: number): void => {
    const next = new Uint8Array(buffer.length + n);
    next.set(buffer);
    next.set(chunk.subarray(0, n), buffer.length);
    buffer = next;
  };
  let headerEnd = -1;
  while (headerEnd < 0) {
    const n = await conn.read(chunk);
    if (n === null) return undefined;
    append(n);
    headerEnd = indexOfCrlfCrlf(buffer);
  }
  const head = new TextDecoder().decode(buffer.subarray(0, headerEnd)).split("\r\n");
  const [method, target] = head[0].split(" ");
  const headers = new Headers();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? "0");
  while (buffer.length < headerEnd + 4 + length) {
    const n = await conn.read(chunk);
    if (n === null) return undefined;
    append(n);
  }
  const body = buffer.slice(headerEnd + 4, headerEnd + 4 + length);
  return new Request(new URL(target, origin), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
}

function indexOfCrlfCrlf(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
