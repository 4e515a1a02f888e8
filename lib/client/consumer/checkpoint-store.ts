// Reads and appends the checkpoint records of one source stream, kept in a small File stream of Stream Manager itself
// (public operations only, so it works against the real Stream Manager as well as sm-server). The stream is bounded by
// OverwriteOldestData: old records go as new ones come, and every record carries each consumer's newest position.
import { errorCodeOf } from '../../protocol/errors';
import { Persistence, StrategyOnFull } from '../../protocol/enums';
import type { MessageStreamDefinition } from '../../protocol/model';
import { appendCreatingStream } from '../append-creating-stream';
import type { StreamManagerClient } from '../client';
import { checkpointStreamName } from './checkpoint-stream-name';
import { encodeCheckpointRecord, latestPositions, type ConsumerPosition } from './consumer-position';

const READ_BATCH = 100;

export function checkpointStreamDefinition(stream: string): MessageStreamDefinition {
  return {
    name: checkpointStreamName(stream),
    maxSize: 262_144,
    streamSegmentSize: 32_768,
    strategyOnFull: StrategyOnFull.OverwriteOldestData,
    persistence: Persistence.File,
    flushOnWrite: true,
  };
}

export class CheckpointStore {
  readonly name: string;

  constructor(
    private readonly client: StreamManagerClient,
    readonly stream: string,
  ) {
    this.name = checkpointStreamName(stream);
  }

  /** The newest position of every consumer of the stream; none when the checkpoint stream does not exist yet. */
  async load(): Promise<Map<string, ConsumerPosition>> {
    let oldest: number;
    let newest: number;
    try {
      const { storageStatus } = await this.client.describeMessageStream(this.name);
      oldest = Number(storageStatus?.oldestSequenceNumber ?? 0);
      newest = Number(storageStatus?.newestSequenceNumber ?? -1);
    } catch (error) {
      if (errorCodeOf(error) === 'ResourceNotFound') return new Map();
      throw error;
    }
    const records: Uint8Array[] = [];
    let next = oldest;
    while (next <= newest) {
      let messages;
      try {
        messages = await this.client.readMessages(this.name, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: READ_BATCH, readTimeoutMillis: 0 });
      } catch (error) {
        if (errorCodeOf(error) === 'NotEnoughMessages' || errorCodeOf(error) === 'ResourceNotFound') break;
        throw error;
      }
      if (messages.length === 0) break;
      for (const message of messages) records.push(message.payload);
      next = Number(messages[messages.length - 1].sequenceNumber) + 1;
    }
    const positions = latestPositions(records);
    for (const [consumer, position] of positions) if (position.stream !== this.stream) positions.delete(consumer);
    return positions;
  }

  /** Appends one record, creating the checkpoint stream the first time. */
  async save(positions: ConsumerPosition[]): Promise<void> {
    await appendCreatingStream(this.client, checkpointStreamDefinition(this.stream), encodeCheckpointRecord(positions));
  }
}
