import type { StreamManagerClient } from '../../lib/client/client';
import { errorCodeOf } from '../../lib/protocol/errors';
import type { MessageStreamDefinition } from '../../lib/protocol/model';

/**
 * Creates the stream; one that exists already counts as created. Stream Manager refuses a create of an existing
 * stream with InvalidRequest (the definition itself was checked before it was sent), so the code tells it.
 */
export async function createStreamUnlessExists(client: StreamManagerClient, definition: MessageStreamDefinition): Promise<void> {
  try {
    await client.createMessageStream(definition);
  } catch (error) {
    if (errorCodeOf(error) !== 'InvalidRequest') throw error;
  }
}
