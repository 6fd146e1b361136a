/**
 * Reading a file as a byte stream in large chunks.
 *
 * @module
 */

/** 1 MiB: reading a file takes about half the time it takes with 64 KiB `FsFile.readable` chunks. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * The bytes of `file` as a byte stream; the file is closed at the end or on cancel.
 *
 * A BYOB reader gets the file read straight into its buffer (the stream layer reads so, into
 * buffers it reuses); a default reader gets chunks of up to 1 MiB.
 *
 * `pull` starts the read and returns at once, without waiting for it: a stream does not call
 * `pull` again while the promise of the last one is pending, and that promise would settle only
 * in a microtask after the reader's own continuation. A reader that asks for its next chunk
 * before handling the current one (as the stream layer does) then has that read run on Deno's
 * I/O threads while it works.
 */
export function fileSource(file: Deno.FsFile): ReadableStream<Uint8Array> {
  let closed = false;
  let reading = false;
  /** The read in flight: `cancel` waits for it, so nothing is left running after it. */
  let inFlight: Promise<void> | undefined;
  const close = () => {
    if (!closed) file.close();
    closed = true;
  };
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: CHUNK_BYTES,
    pull(controller) {
      const request = controller.byobRequest;
      if (reading || request === null || request.view === null) return; // asked again: the read in flight answers
      reading = true;
      const { buffer, byteOffset, byteLength } = request.view;
      inFlight = file.read(new Uint8Array(buffer, byteOffset, byteLength)).then((read) => {
        reading = false;
        if (closed) return; // cancelled meanwhile: the request is gone
        if (read === null) {
          close();
          controller.close();
          request.respond(0);
        } else {
          request.respond(read);
        }
      }, (error) => {
        reading = false;
        if (closed) return;
        close();
        controller.error(error);
      });
    },
    async cancel() {
      close();
      await inFlight;
    },
  });
}
