// A consumer's committed position as kept in its checkpoint stream, and how a checkpoint record is written and read.
// A record carries the writer's own position and the newest positions it knows of the stream's other consumers, so a
// quiet consumer's position is carried forward instead of being overwritten away by a busy one. Per consumer the
// position with the highest revision wins; a stale copy can only move a position back (messages again), never on.
import { createHash } from 'node:crypto';

/** The message just before a committed position: how a resumed position recognises the stream it was taken on. */
export interface MessageIdentity {
  sequenceNumber: number;
  ingestTime: number;
  /** The first 32 hex digits of the SHA-256 of the payload. */
  digest: string;
}

export interface ConsumerPosition {
  consumer: string;
  stream: string;
  /** Every message before this one is acknowledged. */
  nextSequenceNumber: number;
  /** When the position was committed, ms since the epoch. */
  committedAt: number;
  /** Counts up with each commit of this consumer; the highest one is the position. */
  revision: number;
  last?: MessageIdentity;
  deadLetterStream?: string;
}

const RECORD_FORMAT = 'sm-consumer-checkpoint/1';

export function messageDigest(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 32);
}

export function encodeCheckpointRecord(positions: ConsumerPosition[]): Buffer {
  return Buffer.from(JSON.stringify({ format: RECORD_FORMAT, positions }));
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= -1;

function identityOf(value: unknown): MessageIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { sequenceNumber, ingestTime, digest } = value as Record<string, unknown>;
  return isCount(sequenceNumber) && isCount(ingestTime) && typeof digest === 'string' ? { sequenceNumber, ingestTime, digest } : undefined;
}

function positionOf(value: unknown): ConsumerPosition | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { consumer, stream, nextSequenceNumber, committedAt, revision, last, deadLetterStream } = value as Record<string, unknown>;
  if (typeof consumer !== 'string' || typeof stream !== 'string' || !isCount(nextSequenceNumber) || !isCount(committedAt) || !isCount(revision)) return undefined;
  const identity = identityOf(last);
  return {
    consumer,
    stream,
    nextSequenceNumber,
    committedAt,
    revision,
    ...(identity ? { last: identity } : {}),
    ...(typeof deadLetterStream === 'string' && deadLetterStream !== '' ? { deadLetterStream } : {}),
  };
}

/** The positions in one checkpoint record; a record that is not one (damaged, or written by someone else) has none. */
export function decodeCheckpointRecord(bytes: Uint8Array): ConsumerPosition[] {
  let record: unknown;
  try {
    record = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return [];
  }
  if (typeof record !== 'object' || record === null || (record as { format?: unknown }).format !== RECORD_FORMAT) return [];
  const positions = (record as { positions?: unknown }).positions;
  if (!Array.isArray(positions)) return [];
  return positions.map(positionOf).filter((position): position is ConsumerPosition => position !== undefined);
}

/** Per consumer, the position with the highest revision (the later record on a tie), from records oldest first. */
export function latestPositions(records: Iterable<Uint8Array>): Map<string, ConsumerPosition> {
  const latest = new Map<string, ConsumerPosition>();
  for (const record of records) {
    for (const position of decodeCheckpointRecord(record)) {
      const known = latest.get(position.consumer);
      if (!known || position.revision >= known.revision) latest.set(position.consumer, position);
    }
  }
  return latest;
}
