// Dead letters as the sidebar handles them: list a consumer's, send some back to their source stream for another
// try, or discard them. A stream cannot delete single messages, so what was done to a dead letter is recorded in
// Stream Manager itself: a File stream of "handled" marks beside each dead-letter stream (handledStreamName), one
// JSON mark per dead letter naming its sequence number in the dead-letter stream. A dead letter with a mark is no
// longer shown or counted; the dead-letter stream itself keeps it until its own size or time limit removes it.
import { createHash } from 'node:crypto';
import type { StreamManagerClient } from '../../lib/client/client';
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import type { Message, MessageStreamDefinition } from '../../lib/protocol/model';
import { AdminRequestError } from './admin-error';
import { decodeDeadLetter, type ConsumerListing, type DeadLetter } from '../../lib/client/consumer';

export const HANDLED_STREAM_PREFIX = '_dead-letters-handled.';
const MAX_STREAM_NAME_LENGTH = 255;
/** Marks read per look-up; beyond this the oldest marks are not consulted (their dead letters have aged out long ago). */
const MAX_MARKS_READ = 20_000;
/** Dead letters scanned per listing, and payload bytes shown in one listing. */
const MAX_LETTERS_SCANNED = 2_000;
const LISTING_PAYLOAD_BUDGET = 2 * 1024 * 1024;
const MAX_LETTER_PREVIEW = 64 * 1024;
export const MAX_LETTERS_PER_ACTION = 100;
const READ_BATCH = 100;

export interface HandledMark {
  /** The dead letter's sequence number in the dead-letter stream. */
  deadLetter: number;
  action: 'retried' | 'discarded';
  at: number;
  /** For a retry, the sequence number the payload got in the source stream. */
  retriedAs?: number;
}

/** A dead letter as listed: its payload cut to a preview, in base64. */
export interface ListedDeadLetter extends Omit<DeadLetter, 'payload'> {
  /** Its sequence number in the dead-letter stream: what retry and discard name. */
  id: number;
  size: number;
  payload: string;
  truncated: boolean;
}

export interface DeadLetterListing {
  consumer: string;
  deadLetterStream?: string;
  pending: number;
  letters: ListedDeadLetter[];
  /** True when the listing stopped at its bounds before the end of the dead-letter stream. */
  cut: boolean;
}

/** The stream of handled marks for a dead-letter stream; a long name keeps what fits and ends in a digest. */
export function handledStreamName(deadLetterStream: string): string {
  const name = HANDLED_STREAM_PREFIX + deadLetterStream;
  if (name.length <= MAX_STREAM_NAME_LENGTH) return name;
  const digest = createHash('sha256').update(deadLetterStream).digest('hex').slice(0, 16);
  return `${HANDLED_STREAM_PREFIX}${deadLetterStream.slice(0, MAX_STREAM_NAME_LENGTH - HANDLED_STREAM_PREFIX.length - 17)}.${digest}`;
}

function handledStreamDefinition(deadLetterStream: string): MessageStreamDefinition {
  return { name: handledStreamName(deadLetterStream), persistence: Persistence.File, strategyOnFull: StrategyOnFull.OverwriteOldestData, maxSize: 16 * 1024 * 1024, flushOnWrite: true };
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string }).code === 'ResourceNotFound';
}

/** Reads a stream from its oldest message, in batches, at most `limit` messages; a missing stream reads as empty. */
async function readFromOldest(client: StreamManagerClient, stream: string, limit: number, visit: (message: Message) => void): Promise<boolean> {
  let storage;
  try {
    storage = (await client.describeMessageStream(stream)).storageStatus;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  if (storage?.oldestSequenceNumber === undefined || storage.newestSequenceNumber === undefined) return false;
  const newest = BigInt(storage.newestSequenceNumber);
  let next = BigInt(storage.oldestSequenceNumber);
  if (newest - next + 1n > BigInt(limit)) next = newest - BigInt(limit) + 1n;
  let read = 0;
  while (next <= newest && read < limit) {
    const count = Number(newest - next + 1n < BigInt(READ_BATCH) ? newest - next + 1n : BigInt(READ_BATCH));
    let messages: Message[];
    try {
      messages = await client.readMessages(stream, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: count, readTimeoutMillis: 0 });
    } catch (error) {
      if ((error as { code?: string }).code === 'NotEnoughMessages') break;
      throw error;
    }
    if (messages.length === 0) break;
    for (const message of messages) {
      visit(message);
      read += 1;
      next = BigInt(message.sequenceNumber ?? next) + 1n;
    }
  }
  return next <= newest;
}

/** The handled marks of a dead-letter stream, by dead-letter sequence number. */
export async function readHandledMarks(client: StreamManagerClient, deadLetterStream: string): Promise<Map<number, HandledMark>> {
  const marks = new Map<number, HandledMark>();
  await readFromOldest(client, handledStreamName(deadLetterStream), MAX_MARKS_READ, (message) => {
    try {
      const mark = JSON.parse(Buffer.from(message.payload).toString('utf8')) as HandledMark;
      if (Number.isSafeInteger(mark.deadLetter)) marks.set(mark.deadLetter, mark);
    } catch {
      // A mark that is not JSON was not written by us: it marks nothing.
    }
  });
  return marks;
}

async function appendMark(client: StreamManagerClient, deadLetterStream: string, mark: HandledMark): Promise<void> {
  const payload = Buffer.from(JSON.stringify(mark), 'utf8');
  try {
    await client.appendMessage(handledStreamName(deadLetterStream), payload);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await client.createMessageStream(handledStreamDefinition(deadLetterStream));
    } catch (createError) {
      // Another request created it in between: fine.
      if ((createError as { code?: string }).code !== 'InvalidRequest') throw createError;
    }
    await client.appendMessage(handledStreamName(deadLetterStream), payload);
  }
}

/** The consumer's dead letters that have no handled mark yet, oldest first, within the listing's bounds. */
export async function listDeadLetters(client: StreamManagerClient, position: ConsumerListing, maxLetters: number): Promise<DeadLetterListing> {
  const listing: DeadLetterListing = { consumer: position.consumer, deadLetterStream: position.deadLetterStream, pending: 0, letters: [], cut: false };
  const deadLetterStream = position.deadLetterStream;
  if (!deadLetterStream) return listing;
  const marks = await readHandledMarks(client, deadLetterStream);
  let budget = LISTING_PAYLOAD_BUDGET;
  listing.cut = await readFromOldest(client, deadLetterStream, MAX_LETTERS_SCANNED, (message) => {
    const id = Number(message.sequenceNumber);
    if (marks.has(id)) return;
    let letter: DeadLetter;
    try {
      letter = decodeDeadLetter(message.payload);
    } catch {
      return;
    }
    if (letter.consumer !== position.consumer || letter.stream !== position.stream) return;
    listing.pending += 1;
    if (listing.letters.length >= maxLetters) return;
    const shown = Math.min(letter.payload.length, MAX_LETTER_PREVIEW, budget);
    budget -= shown;
    const { payload, ...fields } = letter;
    listing.letters.push({ id, ...fields, size: payload.length, payload: payload.subarray(0, shown).toString('base64'), truncated: shown < payload.length });
  });
  return listing;
}

/** Checks a request body `{ consumer, ids }` naming at most MAX_LETTERS_PER_ACTION dead letters. */
export function letterSelectionFrom(body: unknown): { consumer: string; ids: number[] } {
  const { consumer, ids } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof consumer !== 'string' || consumer === '' || consumer.length > 255) {
    throw new AdminRequestError('consumer must be the name of a consumer of this stream', 'Validation', 400);
  }
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_LETTERS_PER_ACTION || !ids.every((id) => Number.isSafeInteger(id) && (id as number) >= 0)) {
    throw new AdminRequestError(`ids must be a list of 1 to ${MAX_LETTERS_PER_ACTION} dead-letter sequence numbers`, 'Validation', 400);
  }
  return { consumer, ids: [...new Set(ids as number[])] };
}

async function readLetter(client: StreamManagerClient, position: ConsumerListing, deadLetterStream: string, id: number): Promise<DeadLetter> {
  let messages: Message[] = [];
  try {
    messages = await client.readMessages(deadLetterStream, { desiredStartSequenceNumber: id, minMessageCount: 1, maxMessageCount: 1, readTimeoutMillis: 0 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'NotEnoughMessages') throw error;
  }
  const message = messages[0];
  if (!message || Number(message.sequenceNumber) !== id) {
    throw new AdminRequestError(`dead letter ${id} is no longer in ${deadLetterStream}`, 'ResourceNotFound', 404);
  }
  const letter = decodeDeadLetter(message.payload);
  if (letter.consumer !== position.consumer || letter.stream !== position.stream) {
    throw new AdminRequestError(`message ${id} of ${deadLetterStream} is not a dead letter of ${position.consumer} on ${position.stream}`, 'Validation', 400);
  }
  return letter;
}

/**
 * Appends each dead letter's original payload to its source stream again, then marks it handled. A failure after the
 * append and before the mark leaves it listed, so a second try may append it twice (at least once, never lost).
 */
export async function retryDeadLetters(client: StreamManagerClient, position: ConsumerListing, ids: number[]): Promise<{ id: number; retriedAs: number }[]> {
  const deadLetterStream = requireDeadLetterStream(position);
  const marks = await readHandledMarks(client, deadLetterStream);
  const letters = await Promise.all(ids.filter((id) => !marks.has(id)).map(async (id) => ({ id, letter: await readLetter(client, position, deadLetterStream, id) })));
  const done: { id: number; retriedAs: number }[] = [];
  for (const { id, letter } of letters) {
    const retriedAs = Number(await client.appendMessage(letter.stream, letter.payload));
    await appendMark(client, deadLetterStream, { deadLetter: id, action: 'retried', at: Date.now(), retriedAs });
    done.push({ id, retriedAs });
  }
  return done;
}

/** Marks each dead letter discarded: it is no longer listed or counted. */
export async function discardDeadLetters(client: StreamManagerClient, position: ConsumerListing, ids: number[]): Promise<number[]> {
  const deadLetterStream = requireDeadLetterStream(position);
  const marks = await readHandledMarks(client, deadLetterStream);
  const fresh = ids.filter((id) => !marks.has(id));
  for (const id of fresh) await readLetter(client, position, deadLetterStream, id);
  for (const id of fresh) await appendMark(client, deadLetterStream, { deadLetter: id, action: 'discarded', at: Date.now() });
  return fresh;
}

function requireDeadLetterStream(position: ConsumerListing): string {
  if (!position.deadLetterStream) {
    throw new AdminRequestError(`consumer ${position.consumer} of ${position.stream} has no dead-letter stream`, 'ResourceNotFound', 404);
  }
  return position.deadLetterStream;
}

/**
 * How many dead letters wait in the consumer's dead-letter stream: the stored ones without a handled mark. Counts
 * without reading the letters, so it takes the dead-letter stream to be the consumer's own, as sm in makes it.
 */
export async function pendingDeadLetterCount(client: StreamManagerClient, position: ConsumerListing): Promise<number> {
  if (!position.deadLetterStream) return 0;
  let storage;
  try {
    storage = (await client.describeMessageStream(position.deadLetterStream)).storageStatus;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  if (storage?.oldestSequenceNumber === undefined || storage.newestSequenceNumber === undefined) return 0;
  const oldest = Number(storage.oldestSequenceNumber);
  const newest = Number(storage.newestSequenceNumber);
  const marks = await readHandledMarks(client, position.deadLetterStream);
  let handled = 0;
  for (const id of marks.keys()) if (id >= oldest && id <= newest) handled += 1;
  return Math.max(0, newest - oldest + 1 - handled);
}
