// The successful ReadMessagesResponse by hand, sized before it is built: as many whole messages as fit in the frame
// limit, so that no read (or long-poll wake-up) can produce a frame the limit refuses. Byte for byte what cbor-x
// writes for `{ requestId, status: 0, messages: [{ streamName, sequenceNumber, ingestTime, payload }] }`.
import {
  asciiTextSize,
  headSize,
  MAJOR_ARRAY,
  MAJOR_MAP,
  MAJOR_UNSIGNED,
  writeAsciiText,
  writeBytes,
  writeHead,
} from './cbor-head';
import { FRAME_HEADER_SIZE } from './frame';
import { Operation } from './operation';
import { ResponseStatusCode } from './status';
import type { StoredMessage } from './stored-message';

const REPLY_FIXED = 1 + (1 + 'requestId'.length) + (1 + 'status'.length) + 1 + (1 + 'messages'.length);
const MESSAGE_FIXED = 1 + (1 + 'streamName'.length) + (1 + 'sequenceNumber'.length) + (1 + 'ingestTime'.length) + (1 + 'payload'.length);

interface ReadReplyPlan {
  /** How many of the messages, from the first, fit. */
  count: number;
  /** The frame's size with them. */
  frameSize: number;
}

/**
 * How many messages fit in a frame of at most `maxFrameSize` bytes (the 4-byte length included), or undefined when
 * the request id or stream name is not ASCII (the general path then encodes, and the frame limit still applies).
 */
export function planReadReply(requestId: string, streamName: string, messages: readonly StoredMessage[], maxFrameSize: number): ReadReplyPlan | undefined {
  const idSize = asciiTextSize(requestId);
  const nameSize = asciiTextSize(streamName);
  if (idSize < 0 || nameSize < 0) return undefined;
  const fixed = FRAME_HEADER_SIZE + REPLY_FIXED + idSize;
  let body = 0;
  let count = 0;
  for (const message of messages) {
    if (!isCborUnsigned(message.sequenceNumber) || !isCborUnsigned(message.ingestTime)) return undefined;
    const size =
      MESSAGE_FIXED + nameSize + headSize(message.sequenceNumber) + headSize(message.ingestTime) + headSize(message.payload.length) + message.payload.length;
    if (fixed + headSize(count + 1) + body + size > maxFrameSize) break;
    body += size;
    count += 1;
  }
  return { count, frameSize: fixed + headSize(count) + body };
}

function isCborUnsigned(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Builds the frame that planReadReply measured, from the first `plan.count` messages. */
export function encodeReadReply(requestId: string, streamName: string, messages: readonly StoredMessage[], plan: ReadReplyPlan): Buffer {
  const frame = Buffer.allocUnsafe(plan.frameSize);
  writeReadReply(frame, 0, requestId, streamName, messages, plan);
  return frame;
}

/** Writes the frame that planReadReply measured into `frame` from `offset` on (`plan.frameSize` bytes). */
export function writeReadReply(frame: Buffer, offset: number, requestId: string, streamName: string, messages: readonly StoredMessage[], plan: ReadReplyPlan): void {
  frame.writeInt32BE(plan.frameSize - 4, offset);
  frame[offset + 4] = Operation.ReadMessagesResponse;
  let at = writeHead(frame, offset + FRAME_HEADER_SIZE, MAJOR_MAP, 3);
  at = writeAsciiText(frame, at, 'requestId');
  at = writeAsciiText(frame, at, requestId);
  at = writeAsciiText(frame, at, 'status');
  at = writeHead(frame, at, MAJOR_UNSIGNED, ResponseStatusCode.Success);
  at = writeAsciiText(frame, at, 'messages');
  at = writeHead(frame, at, MAJOR_ARRAY, plan.count);
  for (let index = 0; index < plan.count; index++) {
    const message = messages[index];
    at = writeHead(frame, at, MAJOR_MAP, 4);
    at = writeAsciiText(frame, at, 'streamName');
    at = writeAsciiText(frame, at, streamName);
    at = writeAsciiText(frame, at, 'sequenceNumber');
    at = writeHead(frame, at, MAJOR_UNSIGNED, message.sequenceNumber);
    at = writeAsciiText(frame, at, 'ingestTime');
    at = writeHead(frame, at, MAJOR_UNSIGNED, message.ingestTime);
    at = writeAsciiText(frame, at, 'payload');
    at = writeBytes(frame, at, message.payload);
  }
}
