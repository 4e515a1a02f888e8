// What a consumer hands over: a message with how often it was delivered, and the messages lost before it, if any.

/** Messages `from` to `to` (inclusive) were removed by retention (overwrite or time to live) before they were read. */
export interface Gap {
  from: number;
  to: number;
  count: number;
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
