/**
 * Reading a byte stream ahead into a bounded buffer, without losing what was buffered when the
 * stream fails.
 *
 * @module
 */

/**
 * `source` read ahead into a queue of up to `bytes` bytes, while nobody reads. When `source`
 * fails, the chunks read before the failure are still delivered, and the error comes after
 * them. (`pipeThrough(new TransformStream({}, { highWaterMark }))` buffers the same way but
 * errors at once, which drops what it buffered.) Cancelling it cancels `source`.
 *
 * @param source The stream to read; it is locked.
 * @param bytes How many bytes to read ahead.
 * @returns The same chunks, in order.
 */
export function readAhead(
  source: ReadableStream<Uint8Array>,
  bytes: number,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let failure: { error: unknown } | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Called whenever the queue has room, and so also once it is empty: then a kept
      // failure is delivered.
      if (failure !== undefined) {
        if (controller.desiredSize === bytes) controller.error(failure.error);
        return;
      }
      try {
        const { done, value } = await reader.read();
        if (done) controller.close(); // after the queued chunks
        else controller.enqueue(value);
      } catch (error) {
        if (controller.desiredSize === bytes) throw error;
        failure = { error };
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: bytes }));
}
