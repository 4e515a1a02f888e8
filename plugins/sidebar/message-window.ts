// A bounded window of a stream's messages for the editor's viewer: at most MAX_WINDOW_MESSAGES messages, read in
// small batches until a byte budget is spent, each payload cut to a preview. However large the messages or the
// range asked for, the answer stays around a megabyte.
import type { StreamManagerClient } from '../../lib/client/client';
import type { Message, MessageStreamInfo } from '../../lib/protocol/model';
import { AdminRequestError } from './admin-error';
import { jsonSafe } from '../../nodes/shared/json-safe';

const MAX_WINDOW_MESSAGES = 100;
/** Payload bytes put into one answer, all previews together. */
const WINDOW_PREVIEW_BUDGET = 1024 * 1024;
/** The most of one payload shown. */
const MAX_PREVIEW_BYTES = 64 * 1024;
const READ_BATCH = 10;

/** Which messages: the newest `count`, or `count` from `from` on. */
type WindowRequest = { newest: number } | { from: bigint; count: number };

interface WindowMessage {
  sequenceNumber: number | string;
  ingestTime?: number | string;
  size: number;
  /** The first bytes of the payload, base64. */
  payload: string;
  truncated: boolean;
}

interface MessageWindow {
  oldestSequenceNumber?: number | string;
  newestSequenceNumber?: number | string;
  messages: WindowMessage[];
  /** True when the byte budget ended the window before the count asked for. */
  cut: boolean;
}

function wholeNumber(text: unknown, field: string, min: bigint, max: bigint): bigint {
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text)) {
    throw new AdminRequestError(`${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, 'Validation', 400);
  }
  const value = BigInt(text);
  if (value < min || value > max) throw new AdminRequestError(`${field} must be from ${min} to ${max}, got ${text}`, 'Validation', 400);
  return value;
}

/** Parses `?newest=N` or `?from=S&count=N` (N at most MAX_WINDOW_MESSAGES); the default is the newest 20. */
export function windowRequestFrom(query: Record<string, unknown>): WindowRequest {
  const limit = BigInt(MAX_WINDOW_MESSAGES);
  if (query.from !== undefined) {
    return {
      from: wholeNumber(query.from, 'from', 0n, 9_223_372_036_854_775_807n),
      count: Number(wholeNumber(query.count ?? '20', 'count', 1n, limit)),
    };
  }
  return { newest: Number(wholeNumber(query.newest ?? '20', 'newest', 1n, limit)) };
}

export async function readMessageWindow(client: StreamManagerClient, stream: string, info: MessageStreamInfo, request: WindowRequest): Promise<MessageWindow> {
  const oldestValue = info.storageStatus?.oldestSequenceNumber;
  const newestValue = info.storageStatus?.newestSequenceNumber;
  const window: MessageWindow = { oldestSequenceNumber: jsonSafe(oldestValue) as number | undefined, newestSequenceNumber: jsonSafe(newestValue) as number | undefined, messages: [], cut: false };
  if (oldestValue === undefined || newestValue === undefined) return window;
  const oldest = BigInt(oldestValue);
  const newest = BigInt(newestValue);
  const wanted = 'newest' in request ? request.newest : request.count;
  let next = 'newest' in request ? newest - BigInt(request.newest) + 1n : request.from;
  if (next < oldest) next = oldest;
  const last = next + BigInt(wanted) - 1n < newest ? next + BigInt(wanted) - 1n : newest;
  const perMessage = Math.min(MAX_PREVIEW_BYTES, Math.floor(WINDOW_PREVIEW_BUDGET / wanted));
  let budget = WINDOW_PREVIEW_BUDGET;
  while (next <= last && budget > 0) {
    const batch = Number(last - next + 1n < BigInt(READ_BATCH) ? last - next + 1n : BigInt(READ_BATCH));
    let messages: Message[];
    try {
      messages = await client.readMessages(stream, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: batch, readTimeoutMillis: 0 });
    } catch (error) {
      // Messages aged out or were overwritten between the describe and the read: show what was read.
      if ((error as { code?: string }).code === 'NotEnoughMessages' && window.messages.length > 0) break;
      throw error;
    }
    if (messages.length === 0) break;
    for (const message of messages) {
      const sequenceNumber = BigInt(message.sequenceNumber ?? next);
      if (sequenceNumber > last || budget <= 0) break;
      const shown = Math.min(message.payload.length, perMessage, budget);
      budget -= shown;
      window.messages.push({
        sequenceNumber: jsonSafe(message.sequenceNumber) as number,
        ingestTime: jsonSafe(message.ingestTime) as number | undefined,
        size: message.payload.length,
        payload: Buffer.from(message.payload.buffer, message.payload.byteOffset, shown).toString('base64'),
        truncated: shown < message.payload.length,
      });
      next = sequenceNumber + 1n;
    }
  }
  window.cut = budget <= 0 && next <= last;
  return window;
}
