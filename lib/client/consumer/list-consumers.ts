// The consumers of a stream and their committed positions, as kept in its checkpoint stream.
import type { StreamManagerClient } from '../client';
import { CheckpointStore } from './checkpoint-store';

export interface ConsumerListing {
  consumer: string;
  stream: string;
  /** Every message before this one is acknowledged. */
  nextSequenceNumber: number;
  /** When the position was last committed, ms since the epoch. */
  committedAt: number;
  deadLetterStream?: string;
}

export async function listConsumers(client: StreamManagerClient, stream: string): Promise<ConsumerListing[]> {
  const positions = await new CheckpointStore(client, stream).load();
  return [...positions.values()]
    .map(({ consumer, nextSequenceNumber, committedAt, deadLetterStream }) => ({ consumer, stream, nextSequenceNumber, committedAt, ...(deadLetterStream ? { deadLetterStream } : {}) }))
    .sort((a, b) => a.consumer.localeCompare(b.consumer));
}
