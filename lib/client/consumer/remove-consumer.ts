// Forgets a consumer of a stream on purpose: a tombstone in the checkpoint stream beats every copy of its position,
// so no stale record brings it back. A consumer that is still running writes its position again on its next commit.
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
