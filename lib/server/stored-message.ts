/** A message as the server keeps it. Sequence numbers and times fit a double exactly far beyond any real use. */
export interface StoredMessage {
  sequenceNumber: number;
  ingestTime: number;
  payload: Buffer;
}
