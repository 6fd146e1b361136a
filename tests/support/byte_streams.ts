/**
 * Byte-stream helpers for stream and CLI tests: chunked sources, gzip members, collecting.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A byte stream that yields `chunks` one by one (strings are UTF-8 encoded). */
export function streamOf(chunks: Iterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const list = [...chunks].map((c) => typeof c === "string" ? encoder.encode(c) : c);
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < list.length) controller.enqueue(list[i++]);
      else controller.close();
    },
  });
}

/**
 * Like {@linkcode streamOf}, but a byte stream (`type: "bytes"`), as files and most `fetch`
 * bodies are: a BYOB reader gets the bytes copied into its buffer, never more than what is
 * left of the current chunk, so chunk boundaries stay where they were.
 */
export function byteStreamOf(chunks: Iterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const list = [...chunks].map((c) => typeof c === "string" ? encoder.encode(c) : c);
  let i = 0;
  let offset = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      while (i < list.length && list[i].length === 0) i++;
      const request = controller.byobRequest;
      if (i >= list.length) {
        controller.close();
        request?.respond(0);
        return;
      }
      const chunk = list[i];
      const count = request?.view
        ? Math.min(request.view.byteLength, chunk.length - offset)
        : chunk.length - offset;
      if (request?.view) {
        const { buffer, byteOffset } = request.view;
        new Uint8Array(buffer, byteOffset, count).set(chunk.subarray(offset, offset + count));
        request.respond(count);
      } else {
        controller.enqueue(chunk.slice(offset));
      }
      offset += count;
      if (offset === chunk.length) {
        i++;
        offset = 0;
      }
    },
  });
}

/** `bytes` cut into chunks of `size` bytes. */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** One gzip member (made with `CompressionStream`) holding `text`. */
export async function gzipMember(text: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Byte arrays joined into one. */
export function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Every chunk of a byte stream, joined. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return concatBytes(parts);
}

/**
 * A stream that yields `chunks` one by one, then errors with `error` (a byte stream when
 * `bytes` is set, as files and `fetch` bodies are).
 */
export function failingAfter(
  chunks: Iterable<Uint8Array | string>,
  error: unknown,
  bytes = false,
): ReadableStream<Uint8Array> {
  const list = [...chunks].map((c) => typeof c === "string" ? encoder.encode(c) : c);
  let i = 0;
  const pull = (controller: ReadableStreamController<Uint8Array>) => {
    if (i === list.length) throw error;
    controller.enqueue(list[i++].slice());
  };
  return bytes
    ? new ReadableStream({ type: "bytes", pull }) as ReadableStream<Uint8Array>
    : new ReadableStream<Uint8Array>({ pull });
}

/** Lets the other tasks run: a slow consumer calls it between reads (no timing involved). */
export function yieldToOthers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
