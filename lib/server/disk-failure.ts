// What a client hears when the file system refuses the store's work (read-only, full, permissions): the action that
// failed and the system's reason, as the UnknownFailure status the real server sends for such faults.
import { StreamManagerError } from '../protocol/errors';
import { ResponseStatusCode } from '../protocol/status';

export function diskFailure(action: string, error: unknown): StreamManagerError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StreamManagerError(`${action}: ${reason}`, 'UnknownFailure', { status: ResponseStatusCode.UnknownFailure, cause: error });
}
