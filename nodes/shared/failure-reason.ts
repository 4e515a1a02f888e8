// Why a request or a connection failed, in a few words that fit under a node: "stream missing", "refused: full",
// "connection refused 127.0.0.1:8088". A reason is a catalog key of sm-config (`sm-config.reason.<key>`) and its
// values; the config node turns it into text in the editor's language.
import { ConnectionError, errorCodeOf, StreamManagerError, ValidationError } from '../../lib/protocol/errors';
import { QueueFullError } from './append-queue';

export const REASON_KEYS = [
  'streamMissing',
  'consumerMissing',
  'full',
  'exists',
  'refused',
  'updateNotAllowed',
  'unauthorized',
  'timeout',
  'notConnected',
  'badMsg',
  'notEnoughMessages',
  'serverFailure',
  'queue',
  'connectionRefused',
  'connectionReset',
  'connectionClosed',
  'noAnswer',
  'unknownHost',
  'unreachable',
  'tokenRefused',
  'notStreamManager',
  'portInUse',
  'devServerFailed',
  'other',
] as const;

type ReasonKey = (typeof REASON_KEYS)[number];

export interface FailureReason {
  key: ReasonKey;
  values: Record<string, string | number>;
}

const reason = (key: ReasonKey, values: Record<string, string | number> = {}): FailureReason => ({ key, values });

/**
 * The request that failed, where its kind tells what a code means: Stream Manager refuses an append to a full
 * RejectNewData stream and a create of an existing stream both with InvalidRequest.
 */
export type RequestOperation = 'append' | 'create' | 'removeConsumer' | 'other';

/** The system error (ECONNREFUSED, ...) under a client error, if there is one. */
function systemCodeOf(error: unknown): string | undefined {
  let cause = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; cause !== undefined && depth < 4; depth++) {
    const code = errorCodeOf(cause);
    if (code && /^E[A-Z]+$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why the connection to `address` (host:port) was lost or could not be made. */
export function connectionLossReason(error: unknown, address: string): FailureReason {
  switch (systemCodeOf(error)) {
    case 'ECONNREFUSED':
      return reason('connectionRefused', { address });
    case 'ECONNRESET':
    case 'EPIPE':
      return reason('connectionReset', { address });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return reason('unknownHost', { address });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return reason('unreachable', { address });
    case 'ETIMEDOUT':
      return reason('noAnswer', { address });
  }
  const code = errorCodeOf(error);
  if (code === 'Timeout') return reason('noAnswer', { address });
  if (code === 'Unauthorized') return reason('tokenRefused', { address });
  if (error instanceof ConnectionError && error.failure === 'notStreamManager') return reason('notStreamManager', { address });
  if (error instanceof ConnectionError && error.failure === 'closedByServer') return reason('connectionClosed', { address });
  return reason('other', { text: shorten(error instanceof Error ? error.message : String(error)) });
}

/** Why a request failed, for the status of the node that made it and the start of msg.error.message. */
export function requestFailureReason(error: unknown, operation: RequestOperation = 'other'): FailureReason {
  if (error instanceof QueueFullError) return reason('queue', { count: error.waiting, max: error.limit });
  const code = errorCodeOf(error);
  switch (code) {
    case 'ResourceNotFound':
      return reason(operation === 'removeConsumer' ? 'consumerMissing' : 'streamMissing');
    case 'InvalidRequest':
      if (operation === 'append') return reason('full');
      if (operation === 'create') return reason('exists');
      return reason('refused');
    case 'UpdateNotAllowed':
      return reason('updateNotAllowed');
    case 'Unauthorized':
      return reason('unauthorized');
    case 'Timeout':
    case 'ServerTimeout':
      return reason('timeout');
    case 'Connection':
      return reason('notConnected');
    case 'Validation':
      return reason('badMsg', { field: error instanceof ValidationError ? error.field : 'msg' });
    case 'NotEnoughMessages':
      return reason('notEnoughMessages');
    case 'UnknownFailure':
    case 'MessageStoreReadError':
    case 'OutOfMemoryError':
    case 'UpdateFailed':
      return reason('serverFailure');
  }
  return reason('other', { text: shorten(code ?? (error instanceof Error ? error.message : String(error))) });
}

/**
 * The error with the status text in front of its message, so that a Catch node reads the same reason as the node's
 * status (Node-RED copies only message, code, stack and cause into msg.error).
 */
export function withReason(error: StreamManagerError, text: string): StreamManagerError {
  if (!error.message.startsWith(text)) error.message = `${text}: ${error.message}`;
  return error;
}

function shorten(text: string, length = 40): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}
