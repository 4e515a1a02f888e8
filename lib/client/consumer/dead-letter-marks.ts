// What was done to dead letters (sent back to their source stream, or discarded), kept in Stream Manager itself: a
// small File stream beside each dead-letter stream (handledStreamName), bounded by OverwriteOldestData. Every record is
// a whole snapshot of the live marks (two bitmaps over the dead letters' sequence numbers), so overwriting old records
// loses nothing: the newest record, merged with the records written beside it by writers that had not read each other,
// holds every mark of every dead letter still stored. docs/consumer-positions.md describes the format.
import { createHash } from 'node:crypto';
import { errorCodeOf } from '../../protocol/errors';
import { Persistence, StrategyOnFull } from '../../protocol/enums';
import type { MessageStreamDefinition } from '../../protocol/model';
import { appendCreatingStream } from '../append-creating-stream';
import type { StreamManagerClient } from '../client';
import { readPages } from '../read-pages';

export const HANDLED_STREAM_PREFIX = '_dead-letters-handled.';
const MAX_STREAM_NAME_LENGTH = 255;
const RECORD_FORMAT = 'sm-dead-letter-marks/2';
/** Records looked at, newest first, for the newest snapshot; beyond that every readable record is merged. */
const SNAPSHOT_LOOK_BACK = 64;
const READ_BATCH = 100;

export type DeadLetterAction = 'retried' | 'discarded';

/** The marks of one dead-letter stream: by the dead letter's sequence number there, what was done to it. */
export type DeadLetterMarks = Map<number, DeadLetterAction>;

/** The stream of handled marks for a dead-letter stream; a long name keeps what fits and ends in a digest. */
export function handledStreamName(deadLetterStream: string): string {
  const name = HANDLED_STREAM_PREFIX + deadLetterStream;
  if (name.length <= MAX_STREAM_NAME_LENGTH) return name;
  const digest = createHash('sha256').update(deadLetterStream).digest('hex').slice(0, 16);
  return `${HANDLED_STREAM_PREFIX}${deadLetterStream.slice(0, MAX_STREAM_NAME_LENGTH - HANDLED_STREAM_PREFIX.length - 17)}.${digest}`;
}

/**
 * 16 MiB in 1 MiB segments: a snapshot holds at most two bits per stored dead letter (under 1 MiB of record for the
 * largest dead-letter stream), so overwriting, one segment at a time, always keeps many whole snapshots.
 */
function handledStreamDefinition(deadLetterStream: string): MessageStreamDefinition {
  return {
    name: handledStreamName(deadLetterStream),
    persistence: Persistence.File,
    strategyOnFull: StrategyOnFull.OverwriteOldestData,
    maxSize: 16 * 1024 * 1024,
    streamSegmentSize: 1024 * 1024,
    flushOnWrite: true,
  };
}

interface Snapshot {
  /** The sequence number of the newest marks record its writer had read (-1: none): records after it were not merged in. */
  basedOn: number;
  marks: DeadLetterMarks;
}

function bitmapOf(ids: number[], from: number, span: number): string {
  const bits = Buffer.alloc(Math.ceil(span / 8));
  for (const id of ids) bits[(id - from) >> 3] |= 1 << ((id - from) & 7);
  return bits.toString('base64');
}

function idsOf(bitmap: string, from: number): number[] {
  const ids: number[] = [];
  const bits = Buffer.from(bitmap, 'base64');
  for (let byte = 0; byte < bits.length; byte += 1) {
    if (bits[byte] === 0) continue;
    for (let bit = 0; bit < 8; bit += 1) if (bits[byte] & (1 << bit)) ids.push(from + byte * 8 + bit);
  }
  return ids;
}

function encodeMarksRecord(marks: DeadLetterMarks, basedOn: number): Buffer {
  const ids = [...marks.keys()];
  const from = ids.reduce((lowest, id) => Math.min(lowest, id), ids[0] ?? 0);
  const span = ids.length > 0 ? ids.reduce((highest, id) => Math.max(highest, id), from) - from + 1 : 0;
  const handled = bitmapOf(ids, from, span);
  const retried = bitmapOf(ids.filter((id) => marks.get(id) === 'retried'), from, span);
  return Buffer.from(JSON.stringify({ format: RECORD_FORMAT, basedOn, from, handled, retried }));
}

const isWhole = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A snapshot record, or the single mark of the first format (`{ deadLetter, action }`, basedOn undefined); undefined when neither. */
function decodeMarksRecord(bytes: Uint8Array): { basedOn?: number; marks: DeadLetterMarks } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (fields.format === RECORD_FORMAT) {
    const { basedOn, from, handled, retried } = fields;
    if (!Number.isSafeInteger(basedOn) || !isWhole(from) || typeof handled !== 'string' || typeof retried !== 'string') return undefined;
    const marks: DeadLetterMarks = new Map();
    for (const id of idsOf(handled, from)) marks.set(id, 'discarded');
    for (const id of idsOf(retried, from)) if (marks.has(id)) marks.set(id, 'retried');
    return { basedOn: basedOn as number, marks };
  }
  const { deadLetter, action } = fields;
  if (!isWhole(deadLetter) || (action !== 'retried' && action !== 'discarded')) return undefined;
  return { marks: new Map([[deadLetter, action]]) };
}

/**
 * Every mark recorded for the dead-letter stream: the newest snapshot merged with every record after the one it was
 * based on (written by writers that had not read each other); with no snapshot in reach, every readable record.
 */
async function readSnapshot(client: StreamManagerClient, deadLetterStream: string): Promise<Snapshot> {
  const name = handledStreamName(deadLetterStream);
  let oldest: number;
  let newest: number;
  try {
    const { storageStatus } = await client.describeMessageStream(name);
    if (storageStatus?.oldestSequenceNumber === undefined || storageStatus.newestSequenceNumber === undefined) return { basedOn: -1, marks: new Map() };
    oldest = Number(storageStatus.oldestSequenceNumber);
    newest = Number(storageStatus.newestSequenceNumber);
  } catch (error) {
    if (errorCodeOf(error) === 'ResourceNotFound') return { basedOn: -1, marks: new Map() };
    throw error;
  }
  let mergeFrom = oldest;
  for (let at = newest; at >= Math.max(oldest, newest - SNAPSHOT_LOOK_BACK + 1); at -= 1) {
    let basedOn: number | undefined;
    for await (const [message] of readPages(client, name, { from: at, through: at, pageSize: 1 })) basedOn = decodeMarksRecord(message.payload)?.basedOn;
    if (basedOn !== undefined) {
      mergeFrom = Math.max(oldest, Math.min(basedOn + 1, at));
      break;
    }
  }
  const marks: DeadLetterMarks = new Map();
  for await (const page of readPages(client, name, { from: mergeFrom, through: newest, pageSize: READ_BATCH })) {
    for (const message of page) for (const [id, action] of decodeMarksRecord(message.payload)?.marks ?? []) marks.set(id, action);
  }
  return { basedOn: newest, marks };
}

/** The marks of the dead letters stored in `deadLetterStream` now. */
export async function readDeadLetterMarks(client: StreamManagerClient, deadLetterStream: string): Promise<DeadLetterMarks> {
  return (await readSnapshot(client, deadLetterStream)).marks;
}

/**
 * Adds `added` to the marks and appends one snapshot of them all, leaving out the marks of dead letters no longer
 * stored (outside `live`, the dead-letter stream's oldest and newest sequence numbers). One append per call.
 */
export async function addDeadLetterMarks(client: StreamManagerClient, deadLetterStream: string, added: DeadLetterMarks, live: { oldest: number; newest: number }): Promise<void> {
  const { basedOn, marks } = await readSnapshot(client, deadLetterStream);
  for (const [id, action] of added) marks.set(id, action);
  for (const id of marks.keys()) if (id < live.oldest || id > live.newest) marks.delete(id);
  await appendCreatingStream(client, handledStreamDefinition(deadLetterStream), encodeMarksRecord(marks, basedOn));
}
