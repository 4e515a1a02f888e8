// The hot request of the protocol by hand, on the server's side and the client's: AppendMessage as the SDKs send it
// (a map of requestId, name and payload) and its successful answer. Anything unusual (other keys, non-ASCII text,
// tags, indefinite lengths) returns undefined or -1, and the caller takes the general cbor-x path; what is written
// here is byte for byte what that path writes.
import {
  asciiTextSize,
  headSize,
  MAJOR_MAP,
  MAJOR_UNSIGNED,
  readAsciiText,
  readBytes,
  readHead,
  readKey,
  writeAsciiText,
  writeBytes,
  writeHead,
  type CborCursor,
} from './cbor-head';
import { FRAME_HEADER_SIZE } from './frame';
import { Operation } from './operation';
import { ResponseStatusCode } from './status';

interface AppendRequest {
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

/** The bytes before the request id: a map of three entries and the key "requestId". */
const BEFORE_REQUEST_ID = cborPiece((target) => writeAsciiText(target, writeHead(target, 0, MAJOR_MAP, 3), 'requestId'));
/** The bytes between the request id and the sequence number: `"status": 0, "sequenceNumber"`. */
const BEFORE_SEQUENCE_NUMBER = cborPiece((target) => {
  const at = writeHead(target, writeAsciiText(target, 0, 'status'), MAJOR_UNSIGNED, ResponseStatusCode.Success);
  return writeAsciiText(target, at, 'sequenceNumber');
});

function cborPiece(write: (target: Buffer) => number): Uint8Array {
  const scratch = Buffer.alloc(64);
  return new Uint8Array(scratch.subarray(0, write(scratch)));
}

/** Writes the frame that appendReplyFrameSize measured; returns the offset after it. */
export function writeAppendReplyFrame(target: Buffer, offset: number, size: number, requestId: string, sequenceNumber: number): number {
  target.writeInt32BE(size - 4, offset);
  target[offset + 4] = Operation.AppendMessageResponse;
  let at = offset + FRAME_HEADER_SIZE;
  target.set(BEFORE_REQUEST_ID, at);
  at = writeAsciiText(target, at + BEFORE_REQUEST_ID.length, requestId);
  target.set(BEFORE_SEQUENCE_NUMBER, at);
  return writeHead(target, at + BEFORE_SEQUENCE_NUMBER.length, MAJOR_UNSIGNED, sequenceNumber);
}

// The client's half: the request it sends and the answer it reads, by the same rules.
const REQUEST_KEYS_SIZE = 1 + (1 + 'requestId'.length) + (1 + 'name'.length) + (1 + 'payload'.length);

/** Bytes of the whole AppendMessage frame, or -1 when the request id or name is not ASCII. */
export function appendRequestFrameSize(requestId: string, name: string, payloadLength: number): number {
  const idSize = asciiTextSize(requestId);
  const nameSize = asciiTextSize(name);
  if (idSize < 0 || nameSize < 0) return -1;
  return FRAME_HEADER_SIZE + REQUEST_KEYS_SIZE + idSize + nameSize + headSize(payloadLength) + payloadLength;
}

/** The frame that appendRequestFrameSize measured: `{ requestId, name, payload }`, as cbor-x writes it. */
export function encodeAppendRequestFrame(size: number, requestId: string, name: string, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(size);
  frame.writeInt32BE(size - 4, 0);
  frame[4] = Operation.AppendMessage;
  let at = writeHead(frame, FRAME_HEADER_SIZE, MAJOR_MAP, 3);
  at = writeAsciiText(frame, at, 'requestId');
  at = writeAsciiText(frame, at, requestId);
  at = writeAsciiText(frame, at, 'name');
  at = writeAsciiText(frame, at, name);
  at = writeAsciiText(frame, at, 'payload');
  writeBytes(frame, at, payload);
  return frame;
}

interface AppendReply {
  requestId: string;
  status: number;
  sequenceNumber: number;
}

/** A successful answer `{ requestId, status: 0, sequenceNumber }`, or undefined for anything else. */
export function decodeAppendReply(body: Buffer): AppendReply | undefined {
  const cursor: CborCursor = { bytes: body, offset: 0 };
  if (readHead(cursor, MAJOR_MAP) !== 3 || !readKey(cursor, 'requestId')) return undefined;
  const requestId = readAsciiText(cursor);
  if (requestId === undefined || !readKey(cursor, 'status') || readHead(cursor, MAJOR_UNSIGNED) !== ResponseStatusCode.Success) return undefined;
  if (!readKey(cursor, 'sequenceNumber')) return undefined;
  const sequenceNumber = readHead(cursor, MAJOR_UNSIGNED);
  if (sequenceNumber < 0 || cursor.offset !== body.length) return undefined;
  return { requestId, status: ResponseStatusCode.Success, sequenceNumber };
}
