/**
 * Reading a file as a byte stream in large chunks.
 *
 * @module
 */

/** 1 MiB: reading a file takes about half the time it takes with 64 KiB `FsFile.readable` chunks. */
const CHUNK_BYTES = 1024 * 1024;

/** The bytes of `file` in chunks of up to 1 MiB; the file is closed at the end or on cancel. */
export function fileSource(file: Deno.FsFile): ReadableStream<Uint8Array> {
  let closed = false;
  const close = () => {
    if (!closed) file.close();
    closed = true;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      let read: number | null;
      try {
        read = await file.read(buffer);
      } catch (error) {
        close();
        throw error;
      }
      if (read === null) {
        close();
        controller.close();
        return;
      }
      controller.enqueue(buffer.subarray(0, read));
    },
    cancel() {
      close();
    },
  });
}
