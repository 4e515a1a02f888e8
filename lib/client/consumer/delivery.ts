// What a consumer hands over: a message with how often it was delivered, and the messages lost before it, if any.

/**
 * Why the consumer cannot vouch that every message before a delivery reached it:
 * - `retention`: messages were removed (overwrite or time to live) before they were read;
 * - `recreated`: the position is beyond the stream's newest, or the message before it is another one: the stream was
 *   deleted and created again (or lost its messages), and the new one is read from its first message;
 * - `position-lost`: the consumer has no position, and records of the checkpoint stream could not be read (damaged,
 *   missing, or not checkpoint records): its position may have been among them, so the start setting applies;
 * - `position-uncertain`: the position was found, but newer checkpoint records could not be read: it may be older
 *   than the last commit, so messages may come again.
 */
type GapReason = 'retention' | 'recreated' | 'position-lost' | 'position-uncertain';

/**
 * Messages `from` to `to` (inclusive, `count` of them) are skipped: they were not and will not be delivered. `count`
 * is 0 (and `to` is `from - 1`) when nothing is skipped but the position could not be verified: reading goes on at `from`.
 */
export interface Gap {
  from: number;
  to: number;
  count: number;
  reason: GapReason;
}

export interface Delivery {
  stream: string;
  sequenceNumber: number;
  ingestTime: number;
  payload: Uint8Array;
  /** 1 on the first delivery, counting up with each redelivery. */
  deliveryCount: number;
  redelivered: boolean;
  /** Set on the first message delivered after messages were lost. */
  gap?: Gap;
}
