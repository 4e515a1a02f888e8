// What every segment of a stream offers, in memory or in a file, and the byte budget a read's reply must fit.
import type { StoredMessage } from '../../protocol/stored-message';
import type { ReadBlocks } from './read-blocks';

/** The bytes a message costs in a reply beyond its payload, at most: its map, keys, numbers and the stream's name. */
const MESSAGE_OVERHEAD = 80;
/** Room kept for the reply around the messages: frame header, request id, status. */
const REPLY_ENVELOPE = 1024;

/** How much a reply may still carry. A message that does not fit ends the reply; it is never cut. */
export class ReplyBudget {
  private remaining: number;
  private readonly overhead: number;
  /** Set when a message was refused for lack of room (and not for a count limit). */
  full = false;
  /** The payload size of the message refused for lack of room. */
  refusedLength = 0;

  constructor(bytes: number, streamName: string) {
    this.remaining = bytes - REPLY_ENVELOPE;
    this.overhead = MESSAGE_OVERHEAD + Buffer.byteLength(streamName);
  }

  /** Takes room for a message with this payload size; false (and full) when it does not fit. */
  take(payloadLength: number): boolean {
    const cost = payloadLength + this.overhead;
    if (cost > this.remaining) {
      this.full = true;
      this.refusedLength = payloadLength;
      return false;
    }
    this.remaining -= cost;
    return true;
  }

  costOf(payloadLength: number): number {
    return payloadLength + this.overhead;
  }
}

export interface Segment {
  readonly baseSequenceNumber: number;
  /** Records appended, including those not yet stored. */
  readonly count: number;
  readonly payloadBytes: number;
  /** Payload bytes of the records already stored (all of them, but for a File stream's newest segments). */
  readonly storedPayloadBytes: number;
  readonly newestIngestTime: number;
  /**
   * Messages from `start` on (in this segment), at most `maxCount`, as long as they fit the budget. Their payloads
   * may be views of `blocks` (File segments), which then hold them only until the blocks are given back.
   */
  read(start: number, maxCount: number, budget: ReplyBudget, blocks?: ReadBlocks): StoredMessage<Buffer>[];
}

export function endOf(segment: Segment): number {
  return segment.baseSequenceNumber + segment.count;
}

/** A record of a segment file that fails its check when read: the stream sets that segment aside. */
export class DamagedSegmentError extends Error {
  constructor(
    readonly segment: Segment,
    readonly reason: string,
  ) {
    super(reason);
  }
}
