// A consumer's committed position as kept in its checkpoint stream, and how a checkpoint record is written and read.
// A record holds entries: positions, and tombstones of consumers removed on purpose. Per consumer the entry with the
// highest revision wins, a tombstone over a position of the same revision, so a stale copy can never bring a removed
// consumer back nor move a position on. docs/consumer-positions.md describes the format and the merge rule.
import { createHash } from 'node:crypto';

/** The message just before a committed position: how a resumed position recognises the stream it was taken on. */
export interface MessageIdentity {
  sequenceNumber: number;
  ingestTime: number;
  /** The first 32 hex digits of the SHA-256 of the payload. */
  digest: string;
}

/** Messages `from` to `to` (inclusive) were each handed over `count` times. */
export type DeliveryCountRange = [from: number, to: number, count: number];

/** Messages `from` to `to` (inclusive). */
export type SequenceRange = [from: number, to: number];

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
  /** Manual mode: every message from the position up to this one may have been handed over already. */
  handedOutThrough?: number;
  /** Manual mode: messages after the position handed over more than once, with their counts. */
  deliveryCounts?: DeliveryCountRange[];
  /** Manual mode: messages after the position acknowledged already (behind one that is not): not handed over again. */
  acked?: SequenceRange[];
  /** Manual mode: written by a clean stop, so every ack is in this record. */
  stoppedCleanly?: true;
}

/** A consumer removed on purpose: it beats every position of the consumer with the same or a lower revision. */
export interface ConsumerTombstone {
  consumer: string;
  stream: string;
  revision: number;
  removedAt: number;
  /** Checkpoint bytes known to have been appended after the tombstone: once past twice the stream's size, no older copy is left. */
  age: number;
}

export type CheckpointEntry = ConsumerPosition | ConsumerTombstone;

export const isTombstone = (entry: CheckpointEntry): entry is ConsumerTombstone => 'removedAt' in entry;

const RECORD_FORMAT = 'sm-consumer-checkpoint/2';
/** Records of the first format carry positions only; they are still read. */
const FIRST_RECORD_FORMAT = 'sm-consumer-checkpoint/1';

export function messageDigest(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 32);
}

export function encodeCheckpointRecord(entries: CheckpointEntry[]): Buffer {
  return Buffer.from(JSON.stringify({ format: RECORD_FORMAT, entries }));
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= -1;

function identityOf(value: unknown): MessageIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { sequenceNumber, ingestTime, digest } = value as Record<string, unknown>;
  return isCount(sequenceNumber) && isCount(ingestTime) && typeof digest === 'string' ? { sequenceNumber, ingestTime, digest } : undefined;
}

function countRangesOf(value: unknown): DeliveryCountRange[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ranges = value.filter((range): range is DeliveryCountRange => Array.isArray(range) && range.length === 3 && range.every(isCount) && range[0] <= range[1] && range[2] >= 1);
  return ranges.length > 0 ? ranges : undefined;
}

function sequenceRangesOf(value: unknown): SequenceRange[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ranges = value.filter((range): range is SequenceRange => Array.isArray(range) && range.length === 2 && range.every(isCount) && range[0] <= range[1]);
  return ranges.length > 0 ? ranges : undefined;
}

function entryOf(value: unknown): CheckpointEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const { consumer, stream, revision } = fields;
  if (typeof consumer !== 'string' || typeof stream !== 'string' || !isCount(revision)) return undefined;
  if ('removedAt' in fields) {
    const { removedAt, age } = fields;
    return isCount(removedAt) ? { consumer, stream, revision, removedAt, age: isCount(age) ? age : 0 } : undefined;
  }
  const { nextSequenceNumber, committedAt, last, deadLetterStream, handedOutThrough, deliveryCounts, acked, stoppedCleanly } = fields;
  if (!isCount(nextSequenceNumber) || !isCount(committedAt)) return undefined;
  const identity = identityOf(last);
  const counts = countRangesOf(deliveryCounts);
  const ackedRanges = sequenceRangesOf(acked);
  return {
    consumer,
    stream,
    nextSequenceNumber,
    committedAt,
    revision,
    ...(identity ? { last: identity } : {}),
    ...(typeof deadLetterStream === 'string' && deadLetterStream !== '' ? { deadLetterStream } : {}),
    ...(isCount(handedOutThrough) ? { handedOutThrough } : {}),
    ...(counts ? { deliveryCounts: counts } : {}),
    ...(ackedRanges ? { acked: ackedRanges } : {}),
    ...(stoppedCleanly === true ? { stoppedCleanly } : {}),
  };
}

/** The entries in one checkpoint record; a record that is not one (damaged, or written by someone else) has none. */
export function decodeCheckpointRecord(bytes: Uint8Array): CheckpointEntry[] {
  let record: unknown;
  try {
    record = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return [];
  }
  if (typeof record !== 'object' || record === null) return [];
  const { format, entries, positions } = record as { format?: unknown; entries?: unknown; positions?: unknown };
  const listed = format === RECORD_FORMAT ? entries : format === FIRST_RECORD_FORMAT ? positions : undefined;
  if (!Array.isArray(listed)) return [];
  const decoded = listed.map(entryOf).filter((entry): entry is CheckpointEntry => entry !== undefined);
  // The first format had no tombstones: what looks like one there is not ours.
  return format === RECORD_FORMAT ? decoded : decoded.filter((entry) => !isTombstone(entry));
}

/** The merge rule: true when `candidate` replaces `known` (or there is none). Ties go to the tombstone, else to the later record. */
export function supersedes(candidate: CheckpointEntry, known: CheckpointEntry | undefined): boolean {
  if (!known) return true;
  if (candidate.revision !== known.revision) return candidate.revision > known.revision;
  if (isTombstone(known) && !isTombstone(candidate)) return false;
  if (isTombstone(known) && isTombstone(candidate)) return candidate.age >= known.age;
  return true;
}
