// Forgets a consumer of a stream on purpose: a tombstone in the checkpoint stream beats every copy of its position,
// so no stale record brings it back. A consumer that is still running writes its position again on its next commit.
import { ResourceNotFoundError } from '../../protocol/errors';
import type { StreamManagerClient } from '../client';
import { CheckpointStore } from './checkpoint-store';
import { isTombstone } from './consumer-position';

/** Removes the consumer's position; true when the stream had that consumer. */
export async function removeConsumer(client: StreamManagerClient, stream: string, consumer: string): Promise<boolean> {
  const store = new CheckpointStore(client, stream);
  await store.refresh();
  const known = store.entryOf(consumer);
  if (!known || isTombstone(known) || known.stream !== stream) return false;
  await store.save({ consumer, stream, removedAt: Date.now(), age: 0 });
  return true;
}

/**
 * Removes the consumer's position, refusing a name the stream does not know with a ResourceNotFound error (told apart by
 * its `code`), so that a typo does not pass unseen. `notFoundMessage` lets a caller say it in its user's words.
 */
export async function removeKnownConsumer(client: StreamManagerClient, stream: string, consumer: string, notFoundMessage = `stream ${stream} has no consumer named ${consumer}`): Promise<void> {
  if (!(await removeConsumer(client, stream, consumer))) throw new ResourceNotFoundError(notFoundMessage);
}
