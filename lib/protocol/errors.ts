// Errors with a stable `code`: the Stream Manager status name for an error the server answered with, or one of
// Validation, Timeout and Connection for what the client found itself.
import { ResponseStatusCode, statusName } from './status';

export type ClientErrorCode = 'Validation' | 'Timeout' | 'Connection';

export class StreamManagerError extends Error {
  /** Stable name of what went wrong, e.g. `ResourceNotFound`, `Validation`; `Unrecognized` for an unknown status. */
  readonly code: string;
  /** The response status that carried the error, when the server sent one. */
  readonly status?: number;
  readonly requestId?: string;

  constructor(message: string, code: string, options: { status?: number; requestId?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.requestId = options.requestId;
  }
}

type ServerErrorConstructor = new (message: string, requestId?: string) => StreamManagerError;

function serverErrorClass(status: ResponseStatusCode): ServerErrorConstructor {
  return class extends StreamManagerError {
    constructor(message: string, requestId?: string) {
      super(message, ResponseStatusCode[status], { status, requestId });
    }
  };
}

export class UnknownFailureError extends serverErrorClass(ResponseStatusCode.UnknownFailure) {}
export class UnauthorizedError extends serverErrorClass(ResponseStatusCode.Unauthorized) {}
export class InvalidRequestError extends StreamManagerError {
  constructor(message: string, requestId?: string, status: number = ResponseStatusCode.InvalidRequest) {
    super(message, ResponseStatusCode[status] ?? 'InvalidRequest', { status, requestId });
  }
}
export class UpdateNotAllowedError extends InvalidRequestError {
  constructor(message: string, requestId?: string) {
    super(message, requestId, ResponseStatusCode.UpdateNotAllowed);
  }
}
class RequestPayloadTooLargeError extends serverErrorClass(ResponseStatusCode.RequestPayloadTooLarge) {}
export class ResourceNotFoundError extends serverErrorClass(ResponseStatusCode.ResourceNotFound) {}
class ServerTimeoutError extends serverErrorClass(ResponseStatusCode.ServerTimeout) {}
export class ResponsePayloadTooLargeError extends serverErrorClass(ResponseStatusCode.ResponsePayloadTooLarge) {}
export class NotEnoughMessagesError extends serverErrorClass(ResponseStatusCode.NotEnoughMessages) {}
export class MessageStoreReadError extends serverErrorClass(ResponseStatusCode.MessageStoreReadError) {}
class ServerOutOfMemoryError extends serverErrorClass(ResponseStatusCode.OutOfMemoryError) {}
class UpdateFailedError extends serverErrorClass(ResponseStatusCode.UpdateFailed) {}
class UnknownOperationError extends serverErrorClass(ResponseStatusCode.UnknownOperation) {}

const ERROR_BY_STATUS: Partial<Record<number, ServerErrorConstructor>> = {
  [ResponseStatusCode.UnknownFailure]: UnknownFailureError,
  [ResponseStatusCode.Unauthorized]: UnauthorizedError,
  [ResponseStatusCode.InvalidRequest]: InvalidRequestError,
  [ResponseStatusCode.RequestPayloadTooLarge]: RequestPayloadTooLargeError,
  [ResponseStatusCode.ResourceNotFound]: ResourceNotFoundError,
  [ResponseStatusCode.ServerTimeout]: ServerTimeoutError,
  [ResponseStatusCode.ResponsePayloadTooLarge]: ResponsePayloadTooLargeError,
  [ResponseStatusCode.NotEnoughMessages]: NotEnoughMessagesError,
  [ResponseStatusCode.MessageStoreReadError]: MessageStoreReadError,
  [ResponseStatusCode.OutOfMemoryError]: ServerOutOfMemoryError,
  [ResponseStatusCode.UpdateFailed]: UpdateFailedError,
  [ResponseStatusCode.UpdateNotAllowed]: UpdateNotAllowedError,
  [ResponseStatusCode.UnknownOperation]: UnknownOperationError,
};

/**
 * The error for a non-success response status. Codes without a class of their own (8-12, which only occur
 * during the handshake) keep their status name; a code this protocol version does not define is `Unrecognized`.
 */
export function errorFromStatus(status: number, errorMessage: string | undefined, requestId?: string): StreamManagerError {
  const message = errorMessage || `Stream Manager answered with status ${statusName(status)} (${status})`;
  const ErrorClass = ERROR_BY_STATUS[status];
  if (ErrorClass) return new ErrorClass(message, requestId);
  return new StreamManagerError(message, statusName(status), { status, requestId });
}

/** Bad input, found before anything was sent: names the field, the value and the rule it broke. */
export class ValidationError extends StreamManagerError {
  readonly field: string;
  readonly value: unknown;
  readonly rule: string;

  constructor(field: string, value: unknown, rule: string) {
    super(`${field} ${rule}, got ${describeValue(value)}`, 'Validation');
    this.field = field;
    this.value = value;
    this.rule = rule;
  }
}

export class TimeoutError extends StreamManagerError {
  constructor(message: string, requestId?: string) {
    super(message, 'Timeout', { requestId });
  }
}

/**
 * How a connection failed, for telling causes apart without reading messages: the socket reported a system error
 * (`cause` holds it, with its ECONNREFUSED-style code), the server closed the connection, the other end does not speak
 * Stream Manager (a wrong handshake, a frame the client cannot read), or the client itself was closed.
 */
type ConnectionFailure = 'socketError' | 'closedByServer' | 'notStreamManager' | 'clientClosed';

export class ConnectionError extends StreamManagerError {
  readonly failure: ConnectionFailure;

  constructor(message: string, failure: ConnectionFailure, options: { requestId?: string; cause?: unknown } = {}) {
    super(message, 'Connection', options);
    this.failure = failure;
  }
}

/** A byte stream that breaks the framing or the CBOR rules; the connection it came from cannot be trusted further. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** A short, printable rendering of a value for an error message. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `${JSON.stringify(shown)} (${value.length} characters)`;
  }
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * The stable `code` of an error, or undefined for one that has none. Errors are told apart by this alone, never by
 * their message: the real Stream Manager words its messages differently from sm-server.
 */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}
