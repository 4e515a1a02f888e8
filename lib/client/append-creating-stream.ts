// "Append; if the stream does not exist, create it and append again": how the consumer's own streams (checkpoints,
// dead letters, handled marks) come into being on first use, by whichever writer gets there first.
import { errorCodeOf } from '../protocol/errors';
import type { Int64, MessageStreamDefinition } from '../protocol/model';
import type { StreamManagerClient } from './client';

/**
 * Appends `data` to `definition.name`, creating the stream from `definition` when it is missing. A create refused
 * with InvalidRequest means another writer created it a moment before (Stream Manager says "already exists" with that
 * code); the second append then tells whether the stream is really there.
 */
export async function appendCreatingStream(client: StreamManagerClient, definition: MessageStreamDefinition, data: Uint8Array): Promise<Int64> {
  try {
    return await client.appendMessage(definition.name, data);
  } catch (error) {
    if (errorCodeOf(error) !== 'ResourceNotFound') throw error;
  }
  await client.createMessageStream(definition).catch((createError: unknown) => {
    if (errorCodeOf(createError) !== 'InvalidRequest') throw createError;
  });
  return client.appendMessage(definition.name, data);
}
