// Appends a dead letter to a consumer's dead-letter stream, creating the stream (File, refusing new data when full,
// so that no dead letter is overwritten unseen) the first time.
import { StreamManagerError } from '../../protocol/errors';
import { Persistence, StrategyOnFull } from '../../protocol/enums';
import type { StreamManagerClient } from '../client';
import { encodeDeadLetter, type DeadLetter } from './dead-letter';

const codeOf = (error: unknown): string | undefined => (error instanceof StreamManagerError ? error.code : undefined);

export async function appendDeadLetter(client: StreamManagerClient, deadLetterStream: string, letter: DeadLetter): Promise<void> {
  const bytes = encodeDeadLetter(letter);
  try {
    await client.appendMessage(deadLetterStream, bytes);
  } catch (error) {
    if (codeOf(error) !== 'ResourceNotFound') throw error;
    await client.createMessageStream({ name: deadLetterStream, strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.File }).catch((createError: unknown) => {
      if (codeOf(createError) !== 'InvalidRequest') throw createError;
    });
    await client.appendMessage(deadLetterStream, bytes);
  }
}
