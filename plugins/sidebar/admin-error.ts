// Errors of the editor's admin endpoints, answered as JSON `{ error, code }` with an HTTP status that says whose
// fault it was: the request (400), a missing thing (404), the Stream Manager server (502-504).
import { StreamManagerError } from '../../lib/protocol/errors';

/** A request the endpoints refuse before anything reaches Stream Manager. */
export class AdminRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AdminRequestError';
  }
}

interface AdminErrorAnswer {
  status: number;
  body: { error: string; code: string };
}

const STATUS_BY_CODE: Record<string, number> = {
  Validation: 400,
  InvalidRequest: 400,
  UpdateNotAllowed: 409,
  ResourceNotFound: 404,
  NotEnoughMessages: 404,
  Connection: 503,
  Timeout: 504,
  ServerTimeout: 504,
  RequestPayloadTooLarge: 413,
};

export function adminErrorAnswer(error: unknown): AdminErrorAnswer {
  if (error instanceof AdminRequestError) return { status: error.status, body: { error: error.message, code: error.code } };
  if (error instanceof StreamManagerError) {
    return { status: STATUS_BY_CODE[error.code] ?? 502, body: { error: error.message, code: error.code } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: message, code: 'Internal' } };
}
