// Appends a dead letter to a consumer's dead-letter stream, creating the stream (File, refusing new data when full,
// so that no dead letter is overwritten unseen) the first time.
import { Persistence, StrategyOnFull } from '../../protocol/enums';
import { appendCreatingStream } from '../append-creating-stream';
import type { StreamManagerClient } from '../client';
import { encodeDeadLetter, type DeadLetter } from './dead-letter';

export async function appendDeadLetter(client: StreamManagerClient, deadLetterStream: string, letter: DeadLetter): Promise<void> {
  const definition = { name: deadLetterStream, strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.File };
  await appendCreatingStream(client, definition, encodeDeadLetter(letter));
}
