// Dead letters as the sidebar handles them: list a consumer's, send some back to their source stream for another
// try, or discard them. A stream cannot delete single messages, so what was done to a dead letter is recorded as a
// mark in Stream Manager itself (lib/client/consumer/dead-letter-marks.ts). A dead letter with a mark is no longer
// shown or counted; the dead-letter stream itself keeps it until its own size or time limit removes it.
import type { StreamManagerClient } from '../../lib/client/client';
import type { Message } from '../../lib/protocol/model';
import { AdminRequestError } from './admin-error';
import { decodeDeadLetter, type ConsumerListing, type DeadLetter } from '../../lib/client/consumer';
import { addDeadLetterMarks, readDeadLetterMarks, type DeadLetterMarks } from '../../lib/client/consumer/dead-letter-marks';

export { HANDLED_STREAM_PREFIX } from '../../lib/client/consumer/dead-letter-marks';
export { pendingDeadLetterCount } from '../../lib/client/consumer/pending-dead-letters';

/** Dead letters scanned per listing, and payload bytes shown in one listing. */
const MAX_LETTERS_SCANNED = 2_000;
const LISTING_PAYLOAD_BUDGET = 2 * 1024 * 1024;
const MAX_LETTER_PREVIEW = 64 * 1024;
const MAX_LETTERS_PER_ACTION = 100;
const READ_BATCH = 100;

/** A dead letter as listed: its payload cut to a preview, in base64. */
interface ListedDeadLetter extends Omit<DeadLetter, 'payload'> {
  /** Its sequence number in the dead-letter stream: what retry and discard name. */
  id: number;
  size: number;
  payload: string;
  truncated: boolean;
}

interface DeadLetterListing {
  consumer: string;
  deadLetterStream?: string;
  pending: number;
  letters: ListedDeadLetter[];
  /** True when the listing stopped at its bounds before the end of the dead-letter stream. */
  cut: boolean;
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

/** The consumer's dead letters that have no handled mark yet, oldest first, within the listing's bounds. */
export async function listDeadLetters(client: StreamManagerClient, position: ConsumerListing, maxLetters: number): Promise<DeadLetterListing> {
  const listing: DeadLetterListing = { consumer: position.consumer, deadLetterStream: position.deadLetterStream, pending: 0, letters: [], cut: false };
  const deadLetterStream = position.deadLetterStream;
  if (!deadLetterStream) return listing;
  const marks = await readDeadLetterMarks(client, deadLetterStream);
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
 * Appends each dead letter's original payload to its source stream again, then marks those sent back handled (one
 * marks record, also when a later append failed). A failure before the mark leaves them listed, so a second try may
 * append them twice (at least once, never lost).
 */
export async function retryDeadLetters(client: StreamManagerClient, position: ConsumerListing, ids: number[]): Promise<{ id: number; retriedAs: number }[]> {
  const deadLetterStream = requireDeadLetterStream(position);
  const marks = await readDeadLetterMarks(client, deadLetterStream);
  const letters = await Promise.all(ids.filter((id) => !marks.has(id)).map(async (id) => ({ id, letter: await readLetter(client, position, deadLetterStream, id) })));
  const done: { id: number; retriedAs: number }[] = [];
  try {
    for (const { id, letter } of letters) done.push({ id, retriedAs: Number(await client.appendMessage(letter.stream, letter.payload)) });
  } finally {
    if (done.length > 0) await markHandled(client, deadLetterStream, new Map(done.map(({ id }) => [id, 'retried'])));
  }
  return done;
}

/** Marks each dead letter discarded: it is no longer listed or counted. */
export async function discardDeadLetters(client: StreamManagerClient, position: ConsumerListing, ids: number[]): Promise<number[]> {
  const deadLetterStream = requireDeadLetterStream(position);
  const marks = await readDeadLetterMarks(client, deadLetterStream);
  const fresh = ids.filter((id) => !marks.has(id));
  for (const id of fresh) await readLetter(client, position, deadLetterStream, id);
  if (fresh.length > 0) await markHandled(client, deadLetterStream, new Map(fresh.map((id) => [id, 'discarded'])));
  return fresh;
}

async function markHandled(client: StreamManagerClient, deadLetterStream: string, marks: DeadLetterMarks): Promise<void> {
  const { storageStatus } = await client.describeMessageStream(deadLetterStream);
  const live = { oldest: Number(storageStatus?.oldestSequenceNumber ?? 0), newest: Number(storageStatus?.newestSequenceNumber ?? -1) };
  await addDeadLetterMarks(client, deadLetterStream, marks, live);
}

function requireDeadLetterStream(position: ConsumerListing): string {
  if (!position.deadLetterStream) {
    throw new AdminRequestError(`consumer ${position.consumer} of ${position.stream} has no dead-letter stream`, 'ResourceNotFound', 404);
  }
  return position.deadLetterStream;
}
