// How many dead letters of a consumer wait for someone: the stored ones without a handled mark (retried or discarded).
import { errorCodeOf } from '../../protocol/errors';
import type { StreamManagerClient } from '../client';
import { readDeadLetterMarks } from './dead-letter-marks';
import type { ConsumerListing } from './list-consumers';

/**
 * Counts without reading the letters, so it takes the dead-letter stream to be the consumer's own, as sm in makes it.
 * A consumer without a dead-letter stream, or whose stream was never made, has none.
 */
export async function pendingDeadLetterCount(client: StreamManagerClient, position: Pick<ConsumerListing, 'deadLetterStream'>): Promise<number> {
  if (!position.deadLetterStream) return 0;
  let storage;
  try {
    storage = (await client.describeMessageStream(position.deadLetterStream)).storageStatus;
  } catch (error) {
    if (errorCodeOf(error) === 'ResourceNotFound') return 0;
    throw error;
  }
  if (storage?.oldestSequenceNumber === undefined || storage.newestSequenceNumber === undefined) return 0;
  const oldest = Number(storage.oldestSequenceNumber);
  const newest = Number(storage.newestSequenceNumber);
  const marks = await readDeadLetterMarks(client, position.deadLetterStream);
  let handled = 0;
  for (const id of marks.keys()) if (id >= oldest && id <= newest) handled += 1;
  return Math.max(0, newest - oldest + 1 - handled);
}
