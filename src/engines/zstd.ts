/**
 * Zstandard decompression with integrity checks: frames are walked here (RFC 8878), each is
 * decompressed by fzstd, and its declared content size and content checksum are verified
 * (fzstd skips both). Skippable frames are skipped; a cut or corrupt frame is an error.
 *
 * @module
 */

import { zstdDecompress } from "../_deps/fzstd.ts";
import { xxhash64 } from "./xxhash64.ts";

const MAGIC = 0xFD2FB528;
const SKIPPABLE_MASK = 0xFFFFFFF0;
const SKIPPABLE = 0x184D2A50;

/** Whether `bytes` starts with the Zstandard frame magic number `28 b5 2f fd`. */
export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f &&
    bytes[3] === 0xfd;
}

/**
 * Decompresses every frame of `bytes` and joins their content.
 *
 * @throws {TypeError} `Cannot decompress zstd data: …` for a cut, corrupt or unsupported frame
 * (one that needs a dictionary), a size or checksum that does not match, or trailing bytes.
 */
export function decompressZstd(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  let offset = 0;
  let frame = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      fail(frame, offset, "the data ends inside a frame's magic number");
    }
    const magic = view.getUint32(offset, true);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) {
      if (offset + 8 > bytes.length) fail(frame, offset, "a skippable frame is cut short");
      const end = offset + 8 + view.getUint32(offset + 4, true);
      if (end > bytes.length) fail(frame, offset, "a skippable frame is cut short");
      offset = end;
      frame++;
      continue;
    }
    if (magic !== MAGIC) fail(frame, offset, "expected a frame's magic number");
    const header = readFrame(bytes, offset, frame);
    let content: Uint8Array;
    try {
      content = zstdDecompress(bytes.subarray(offset, header.end));
    } catch (cause) {
      fail(frame, offset, (cause as Error).message, cause);
    }
    if (header.contentSize !== undefined && content.length !== header.contentSize) {
      fail(
        frame,
        offset,
        `${content.length} bytes decompressed but the frame declares ${header.contentSize}`,
      );
    }
    if (header.checksumAt !== undefined) {
      const expected = view.getUint32(header.checksumAt, true);
      const actual = Number(xxhash64(content) & 0xFFFFFFFFn);
      if (actual !== expected) fail(frame, offset, "the content checksum does not match");
    }
    parts.push(content);
    total += content.length;
    offset = header.end;
    frame++;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface FrameLayout {
  /** Where the frame ends (after its checksum). */
  end: number;
  /** The content size the header declares. */
  contentSize?: number;
  /** Where the 4-byte checksum is, when the frame has one. */
  checksumAt?: number;
}

/** Reads a frame's header and block headers, to find where it ends. */
function readFrame(bytes: Uint8Array, start: number, frame: number): FrameLayout {
  let at = start + 4;
  if (at >= bytes.length) fail(frame, start, "the frame header is cut short");
  const descriptor = bytes[at++];
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const hasChecksum = (descriptor & 0x04) !== 0;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03];
  if ((descriptor & 0x08) !== 0) fail(frame, start, "the frame header's reserved bit is set");
  if (!singleSegment) at++;
  let dictionary = 0;
  for (let i = 0; i < dictionaryBytes; i++) dictionary += bytes[at + i] * 2 ** (8 * i);
  at += dictionaryBytes;
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag];
  if (at + sizeBytes > bytes.length) fail(frame, start, "the frame header is cut short");
  if (dictionary !== 0) {
    fail(frame, start, `the frame needs dictionary ${dictionary}, which is not supported`);
  }
  let contentSize: number | undefined;
  if (sizeBytes > 0) {
    let size = 0;
    for (let i = 0; i < sizeBytes; i++) size += bytes[at + i] * 2 ** (8 * i);
    contentSize = sizeBytes === 2 ? size + 256 : size;
  }
  at += sizeBytes;
  for (;;) {
    if (at + 3 > bytes.length) fail(frame, start, "the data ends inside a block header");
    const blockHeader = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
    const last = (blockHeader & 1) !== 0;
    const type = (blockHeader >> 1) & 3;
    const size = blockHeader >>> 3;
    if (type === 3) fail(frame, start, "a block has the reserved type");
    at += 3 + (type === 1 ? 1 : size);
    if (at > bytes.length) fail(frame, start, "the data ends inside a block");
    if (last) break;
  }
  const layout: FrameLayout = { end: at };
  if (contentSize !== undefined) layout.contentSize = contentSize;
  if (hasChecksum) {
    if (at + 4 > bytes.length) fail(frame, start, "the data ends inside the content checksum");
    layout.checksumAt = at;
    layout.end = at + 4;
  }
  return layout;
}

function fail(frame: number, offset: number, why: string, cause?: unknown): never {
  throw new TypeError(
    `Cannot decompress zstd data: frame ${frame + 1} (at byte ${offset}): ${why}`,
    cause === undefined ? undefined : { cause },
  );
}
