// Reading a stored stretch of a stream without waiting for new messages: page after page of at most `pageSize`
// messages, from one sequence number through another. Used wherever a whole stream, or a range of it, is read once
// (checkpoint records, dead-letter marks, the sidebar's dead letters and message windows).
import { errorCodeOf } from '../protocol/errors';
import type { Message } from '../protocol/model';
import type { StreamManagerClient } from './client';

interface PageRange {
  /** The first sequence number to read. */
  from: number;
  /** The last sequence number to read; no bound by default (until the newest stored message). */
  through?: number;
  pageSize: number;
}

/**
 * Yields the stored messages of `stream` from `range.from` through `range.through`, in pages, in order. Ends when the
 * range is read or the stream holds no more (NotEnoughMessages, or an empty page); messages removed by retention are
 * skipped, as a read skips them. Any other failure (ResourceNotFound, Connection, ...) is thrown to the caller.
 */
export async function* readPages(client: StreamManagerClient, stream: string, range: PageRange): AsyncGenerator<Message[]> {
  const through = range.through ?? Number.MAX_SAFE_INTEGER;
  let next = range.from;
  while (next <= through) {
    let messages: Message[];
    try {
      messages = await client.readMessages(stream, {
        desiredStartSequenceNumber: next,
        minMessageCount: 1,
        maxMessageCount: Math.min(range.pageSize, through - next + 1),
        readTimeoutMillis: 0,
      });
    } catch (error) {
      if (errorCodeOf(error) === 'NotEnoughMessages') return;
      throw error;
    }
    const page = messages.filter((message) => Number(message.sequenceNumber) <= through);
    if (page.length === 0) return;
    yield page;
    next = Number(page[page.length - 1].sequenceNumber) + 1;
  }
}
