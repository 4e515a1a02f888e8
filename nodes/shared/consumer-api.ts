// The consumer API of lib/client/consumer, as the brief's contract gives it. Until that folder exists on this branch
// it is looked up at run time, and the sidebar shows no consumers when it is missing.
import type { StreamManagerClient } from '../../lib/client/client';

export interface ConsumerPosition {
  consumer: string;
  stream: string;
  nextSequenceNumber: number;
  committedAt: number;
  deadLetterStream?: string;
}

export interface DeadLetter {
  consumer: string;
  stream: string;
  sequenceNumber: number;
  ingestTime: number;
  deliveryCount: number;
  lastError: string;
  deadLetteredAt: number;
  payload: Buffer;
}

interface ConsumerModule {
  listConsumers(client: StreamManagerClient, stream: string): Promise<ConsumerPosition[]>;
  decodeDeadLetter(bytes: Uint8Array): DeadLetter;
  isCheckpointStream?(stream: string): boolean;
}

function consumerModule(): ConsumerModule | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../../lib/client/consumer') as ConsumerModule;
  } catch {
    return undefined;
  }
}

export async function listConsumers(client: StreamManagerClient, stream: string): Promise<ConsumerPosition[]> {
  const api = consumerModule();
  return api ? api.listConsumers(client, stream) : [];
}

export function decodeDeadLetter(bytes: Uint8Array): DeadLetter {
  const api = consumerModule();
  if (api) return api.decodeDeadLetter(bytes);
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Omit<DeadLetter, 'payload'> & { payload: string };
  return { ...value, payload: Buffer.from(value.payload, 'base64') };
}
