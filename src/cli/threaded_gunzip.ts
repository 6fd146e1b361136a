/**
 * Gzip files decompressed on a second thread: a `Worker` (`gunzip_worker.ts`) reads and
 * decompresses while this thread transforms, so a gzip file uses two cores.
 *
 * @module
 */

/** What the transforming thread sends the gunzip thread. */
export type GunzipRequest =
  | { type: "gunzip"; path: string }
  | { type: "taken" };

/** What the gunzip thread sends back. */
export type GunzipMessage =
  | { type: "text"; text: Uint8Array; compressed: number }
  | { type: "end"; compressed: number }
  | { type: "error"; message: string };

/** Files smaller than this are decompressed on the main thread (a worker takes ~50 ms to start). */
export const THREADED_GUNZIP_MIN_BYTES = 4 * 1024 * 1024;

/** The decompressed text of a gzip file, and how many compressed bytes were read so far. */
export interface ThreadedGunzip {
  /** The text (plain, not gzip). */
  readable: ReadableStream<Uint8Array>;
  /** Compressed bytes read so far (for progress). */
  readonly compressed: number;
}

/**
 * Decompresses the gzip file at `path` on a worker thread (`node:zlib`, as the main thread
 * does). The stream errors with a `TypeError` (`Cannot decompress gzip input: …`) after the
 * text before the failure, or with the file's own error message.
 */
export function threadedGunzip(path: string): ThreadedGunzip {
  const worker = new Worker(new URL("./gunzip_worker.ts", import.meta.url), { type: "module" });
  let compressed = 0;
  const queue: GunzipMessage[] = [];
  let wake: (() => void) | undefined;
  worker.onmessage = (event: MessageEvent<GunzipMessage>) => {
    queue.push(event.data);
    wake?.();
    wake = undefined;
  };
  worker.onerror = (event) => {
    event.preventDefault();
    queue.push({ type: "error", message: event.message });
    wake?.();
    wake = undefined;
  };
  worker.postMessage({ type: "gunzip", path } satisfies GunzipRequest);
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (queue.length === 0) await new Promise<void>((resolve) => wake = resolve);
      const message = queue.shift()!;
      if (message.type === "text") {
        compressed = message.compressed;
        worker.postMessage({ type: "taken" } satisfies GunzipRequest);
        controller.enqueue(message.text);
        return;
      }
      worker.terminate();
      if (message.type === "end") {
        compressed = message.compressed;
        controller.close();
      } else {
        controller.error(new TypeError(message.message));
      }
    },
    cancel() {
      worker.terminate();
    },
  });
  return {
    readable,
    get compressed() {
      return compressed;
    },
  };
}
