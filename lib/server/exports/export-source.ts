// The one place the exporters meet the storage: they read committed messages through ExportSource and append status
// messages through StatusAppender, so a change of storage touches only the adapters at the end of this file.
import { ResponsePayloadTooLargeError } from '../../protocol/errors';
import type { MessageStream } from '../message-stream';

export interface ExportMessage {
  sequenceNumber: number;
  ingestTime: number;
  payload: Buffer;
}

export interface ExportSource {
  readonly streamName: string;
  /** First sequence number still kept; retention may move it past messages an export has not sent. */
  readonly oldestSequenceNumber: number;
  /** Last committed sequence number; -1 when nothing was ever appended. */
  readonly newestSequenceNumber: number;
  /**
   * Up to maxCount committed messages from `from` on, in order and contiguous, whose payloads together stay within
   * maxBytes; the first message is always returned, whatever its size, so that a large message is sent alone.
   */
  readBatch(from: number, maxCount: number, maxBytes: number): ExportMessage[];
}

/** Appends a status message to a stream of this server; rejects when the stream does not exist or refuses it. */
export type StatusAppender = (streamName: string, payload: Buffer) => Promise<void>;

export function messageStreamSource(stream: MessageStream): ExportSource {
  return {
    get streamName() {
      return stream.name;
    },
    get oldestSequenceNumber() {
      return stream.oldestSequenceNumber;
    },
    get newestSequenceNumber() {
      return stream.newestSequenceNumber;
    },
    readBatch(from, maxCount, maxBytes) {
      const request = { desiredStartSequenceNumber: from, minMessageCount: 1, maxMessageCount: maxCount };
      try {
        return stream.read(request, Math.max(1, maxBytes)) ?? [];
      } catch (error) {
        // The first message alone is larger than the budget: it goes alone.
        if (!(error instanceof ResponsePayloadTooLargeError)) throw error;
        return stream.read({ ...request, maxMessageCount: 1 }, Number.MAX_SAFE_INTEGER) ?? [];
      }
    },
  };
}

/** Appends as a client would: the message counts once its stream has stored it (written to its file). */
export function messageStreamAppender(find: (streamName: string) => MessageStream, now: () => number): StatusAppender {
  return async (streamName, payload) => {
    const stream = find(streamName);
    const message = stream.append(payload, now());
    await stream.whenStored(message.sequenceNumber);
  };
}
