/**
 * A message as a stream holds it, with its numbers as plain numbers: the server keeps messages so and the consumer
 * reads them so. Sequence numbers and times fit a double exactly far beyond any real use. The server's payloads are
 * Buffers (`StoredMessage<Buffer>`).
 */
export interface StoredMessage<Payload extends Uint8Array = Uint8Array> {
  sequenceNumber: number;
  ingestTime: number;
  payload: Payload;
}
