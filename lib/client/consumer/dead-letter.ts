// A message given up after its most deliveries, as appended to the consumer's dead-letter stream: JSON from which the
// original payload, source stream, sequence number, delivery count and last error can be recovered.
import { ValidationError } from '../../protocol/errors';

export interface DeadLetter {
  consumer: string;
  stream: string;
  sequenceNumber: number;
  ingestTime: number;
  deliveryCount: number;
  /** What the flow said when it nacked the last delivery, or that its ack timed out. */
  lastError: string;
  /** When it was dead-lettered, ms since the epoch. */
  deadLetteredAt: number;
  payload: Buffer;
}

export function encodeDeadLetter(letter: DeadLetter): Buffer {
  return Buffer.from(JSON.stringify({ ...letter, payload: letter.payload.toString('base64') }));
}

/** The dead letter in a message of a dead-letter stream; a Validation error when the bytes are not one. */
export function decodeDeadLetter(bytes: Uint8Array): DeadLetter {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ValidationError('dead letter', bytes, 'must be the JSON text of a dead letter');
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { consumer, stream, sequenceNumber, ingestTime, deliveryCount, lastError, deadLetteredAt, payload } = record;
  const whole = (field: unknown): field is number => typeof field === 'number' && Number.isSafeInteger(field) && field >= 0;
  if (
    typeof consumer !== 'string' ||
    typeof stream !== 'string' ||
    !whole(sequenceNumber) ||
    !whole(ingestTime) ||
    !whole(deliveryCount) ||
    typeof lastError !== 'string' ||
    !whole(deadLetteredAt) ||
    typeof payload !== 'string'
  ) {
    throw new ValidationError('dead letter', value, 'must have consumer, stream, sequenceNumber, ingestTime, deliveryCount, lastError, deadLetteredAt and a base64 payload');
  }
  return { consumer, stream, sequenceNumber, ingestTime, deliveryCount, lastError, deadLetteredAt, payload: Buffer.from(payload, 'base64') };
}
