// Turns incoming request maps into checked values. The server re-validates with the SDKs' rules and ignores keys
// it does not know, as the SDKs' readers do; a broken rule becomes an InvalidRequest naming the field.
import { InvalidRequestError, ValidationError } from '../protocol/errors';
import type { MessageStreamDefinition } from '../protocol/model';
import {
  messageStreamDefinitionSchema,
  readMessagesOptionsSchema,
  streamNameRule,
  validateField,
  validateObject,
  type ValidationOptions,
} from '../protocol/validation';
import type { ReadRequest } from './message-stream';

const SERVER: ValidationOptions = { unknownKeys: 'ignore' };

function asInvalidRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ValidationError) throw new InvalidRequestError(error.message);
    throw error;
  }
}

export function parseStreamName(body: Record<string, unknown>, key: 'name' | 'streamName'): string {
  return asInvalidRequest(() => {
    validateField(streamNameRule, body[key], key, SERVER);
    return body[key] as string;
  });
}

export function parseDefinition(body: Record<string, unknown>): MessageStreamDefinition {
  return asInvalidRequest(() => {
    validateObject(messageStreamDefinitionSchema, body.definition, 'definition', SERVER);
    return body.definition as MessageStreamDefinition;
  });
}

/** The payload as it arrived: a view of the receive buffer, which the stream copies what it keeps out of. */
export function parsePayload(body: Record<string, unknown>): Uint8Array {
  const payload = body.payload;
  if (!(payload instanceof Uint8Array)) throw new InvalidRequestError('payload must be a byte string');
  if (payload.length === 0) throw new InvalidRequestError('payload must hold at least 1 byte');
  return payload;
}

interface ParsedRead extends ReadRequest {
  readTimeoutMillis: number;
}

export function parseReadOptions(body: Record<string, unknown>): ParsedRead {
  const options = body.readMessagesOptions;
  if (options === undefined || options === null) {
    return { desiredStartSequenceNumber: 0, minMessageCount: 1, maxMessageCount: 1, readTimeoutMillis: 0 };
  }
  asInvalidRequest(() => validateObject(readMessagesOptionsSchema, options, 'readMessagesOptions', SERVER));
  const record = options as Record<string, number | bigint | undefined>;
  const minMessageCount = Number(record.minMessageCount ?? 1);
  return {
    desiredStartSequenceNumber: Number(record.desiredStartSequenceNumber ?? 0),
    minMessageCount,
    // protocol.md §3.4: with no maxMessageCount, a default of 1 would contradict a larger minimum.
    maxMessageCount: Number(record.maxMessageCount ?? Math.max(minMessageCount, 1)),
    readTimeoutMillis: Number(record.readTimeoutMillis ?? 0),
  };
}
