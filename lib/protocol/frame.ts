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
      const bytes = this.take(4 + length);
      frames.push({ operation: bytes.readInt8(4), payload: bytes.subarray(FRAME_HEADER_SIZE) });
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return this.peek(4).readInt32BE(0);
  }

  private peek(size: number): Buffer {
    if (this.chunks[0].length < size) {
      this.chunks = [Buffer.concat(this.chunks)];
    }
    return this.chunks[0].subarray(0, size);
  }

  private take(size: number): Buffer {
    const first = this.chunks[0];
    let taken: Buffer;
    if (first.length === size) {
      this.chunks.shift();
      taken = first;
    } else if (first.length > size) {
      taken = first.subarray(0, size);
      this.chunks[0] = first.subarray(size);
    } else {
      taken = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const chunk = this.chunks[0];
        const part = Math.min(chunk.length, size - filled);
        chunk.copy(taken, filled, 0, part);
        filled += part;
        if (part === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(part);
      }
    }
    this.buffered -= size;
    return taken;
  }
}
