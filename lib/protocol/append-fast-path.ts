// The hot request of the protocol by hand: AppendMessage as the SDKs send it (a map of requestId, name and payload)
// and its successful answer. Anything unusual (other keys, non-ASCII text, tags, indefinite lengths) returns
// undefined or -1, and the caller takes the general cbor-x path; the answers are byte for byte what it writes.
import { asciiTextSize, headSize, MAJOR_MAP, MAJOR_UNSIGNED, readAsciiText, readBytes, readHead, readKey, writeAsciiText, writeHead, type CborCursor } from './cbor-head';
import { FRAME_HEADER_SIZE } from './frame';
import { Operation } from './operation';
import { ResponseStatusCode } from './status';

export interface AppendRequest {
  requestId: string;
  name: string;
  /** A view of the frame's bytes. */
  payload: Buffer;
}

/** The request, or undefined when its CBOR is anything but the plain three-key map. */
export function decodeAppendRequest(body: Buffer): AppendRequest | undefined {
  const cursor: CborCursor = { bytes: body, offset: 0 };
  if (readHead(cursor, MAJOR_MAP) !== 3) return undefined;
  let requestId: string | undefined;
  let name: string | undefined;
  let payload: Buffer | undefined;
  for (let entry = 0; entry < 3; entry++) {
    if (requestId === undefined && readKey(cursor, 'requestId')) {
      requestId = readAsciiText(cursor);
      if (requestId === undefined) return undefined;
    } else if (name === undefined && readKey(cursor, 'name')) {
      name = readAsciiText(cursor);
      if (name === undefined) return undefined;
    } else if (payload === undefined && readKey(cursor, 'payload')) {
      payload = readBytes(cursor);
      if (payload === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  if (cursor.offset !== body.length || requestId === undefined || name === undefined || payload === undefined) return undefined;
  return { requestId, name, payload };
}

// The fixed parts of `{ requestId, status: 0, sequenceNumber }`: a map head and three keys (as text strings).
const APPEND_REPLY_FIXED = 1 + (1 + 'requestId'.length) + (1 + 'status'.length) + 1 + (1 + 'sequenceNumber'.length);

/** Bytes of the whole success frame, or -1 when the request id is not ASCII. */
export function appendReplyFrameSize(requestId: string, sequenceNumber: number): number {
  const idSize = asciiTextSize(requestId);
  if (idSize < 0 || !Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) return -1;
  return FRAME_HEADER_SIZE + APPEND_REPLY_FIXED + idSize + headSize(sequenceNumber);
}

/** Writes the frame that appendReplyFrameSize measured; returns the offset after it. */
export function writeAppendReplyFrame(target: Buffer, offset: number, size: number, requestId: string, sequenceNumber: number): number {
  target.writeInt32BE(size - 4, offset);
  target[offset + 4] = Operation.AppendMessageResponse;
  let at = writeHead(target, offset + FRAME_HEADER_SIZE, MAJOR_MAP, 3);
  at = writeAsciiText(target, at, 'requestId');
  at = writeAsciiText(target, at, requestId);
  at = writeAsciiText(target, at, 'status');
  at = writeHead(target, at, MAJOR_UNSIGNED, ResponseStatusCode.Success);
  at = writeAsciiText(target, at, 'sequenceNumber');
  return writeHead(target, at, MAJOR_UNSIGNED, sequenceNumber);
}
