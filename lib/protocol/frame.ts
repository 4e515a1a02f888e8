// Framing (protocol.md §1.3): a 4-byte signed big-endian length counting the op byte and the payload, the op
// byte, then the payload (one CBOR map).
import { decodeCbor, encodeCbor, isPlainMap } from './cbor';
import { FrameError } from './errors';

export const FRAME_HEADER_SIZE = 5;
export const MAX_FRAME_LENGTH = 2 ** 30;

export interface Frame {
  operation: number;
  payload: Buffer;
}

/** A frame whose payload has been decoded to a CBOR map. */
export interface DecodedFrame {
  operation: number;
  body: Record<string, unknown>;
}

/** One buffer holding the header and the CBOR payload, so a frame goes out in a single socket write. */
export function encodeFrame(operation: number, body: object, maxFrameLength = MAX_FRAME_LENGTH): Buffer {
  const payload = encodeCbor(body);
  const length = payload.length + 1;
  if (length > maxFrameLength) {
    throw new FrameError(`frame of ${length} bytes is larger than the maximum of ${maxFrameLength} bytes`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + payload.length);
  frame.writeInt32BE(length, 0);
  frame.writeInt8(operation, 4);
  payload.copy(frame, FRAME_HEADER_SIZE);
  return frame;
}

export function decodeFrameBody(frame: Frame): DecodedFrame {
  const body = decodeCbor(frame.payload);
  if (!isPlainMap(body)) {
    throw new FrameError(`frame payload of op ${frame.operation} is not a CBOR map`);
  }
  return { operation: frame.operation, body };
}

/**
 * Cuts a byte stream into frames, whatever way its bytes are split across reads. A length below 1 or above
 * the maximum throws a FrameError before anything of that size is allocated; the stream cannot be resynchronised
 * after that, so the connection has to be closed.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Where the unread bytes of chunks[0] start: frames are cut from it without re-slicing what remains. */
  private head = 0;
  private buffered = 0;
  private failed = false;

  /** May be changed between pushes, e.g. raised once a connection is authenticated. */
  constructor(public maxFrameLength = MAX_FRAME_LENGTH) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes and returns the frames they complete, in order: at most `maxFrames`, the rest stays buffered (and
   * unchecked) for a later push, which may add no bytes.
   */
  push(chunk: Buffer, maxFrames = Number.POSITIVE_INFINITY): Frame[] {
    if (this.failed) throw new FrameError('frame decoder has already failed');
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.buffered >= FRAME_HEADER_SIZE && frames.length < maxFrames) {
      const length = this.peekLength();
      if (length < 1 || length > this.maxFrameLength) {
        this.failed = true;
        throw new FrameError(`frame length ${length} is outside the allowed range 1..${this.maxFrameLength}`);
      }
      if (this.buffered < 4 + length) break;
      frames.push(this.take(4 + length));
    }
    return frames;
  }

  private peekLength(): number {
    if (this.chunks[0].length - this.head < 4) {
      this.chunks = [Buffer.concat([this.chunks[0].subarray(this.head), ...this.chunks.slice(1)])];
      this.head = 0;
    }
    return this.chunks[0].readInt32BE(this.head);
  }

  /** Cuts one frame of `size` bytes (length field included), which are all buffered. */
  private take(size: number): Frame {
    this.buffered -= size;
    const first = this.chunks[0];
    const start = this.head;
    if (first.length - start >= size) {
      this.head = start + size;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return { operation: first.readInt8(start + 4), payload: first.subarray(start + FRAME_HEADER_SIZE, start + size) };
    }
    const taken = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0];
      const part = Math.min(chunk.length - this.head, size - filled);
      chunk.copy(taken, filled, this.head, this.head + part);
      filled += part;
      this.head += part;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return { operation: taken.readInt8(4), payload: taken.subarray(FRAME_HEADER_SIZE) };
  }
}
