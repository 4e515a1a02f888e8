// The StreamManagerError a request fails with; the test fails when the request succeeds or fails otherwise.
import assert from 'node:assert/strict';
import { StreamManagerError } from '../../lib/client';

export async function failure(promise: Promise<unknown>): Promise<StreamManagerError> {
  const error = await promise.then(
    () => assert.fail('expected the request to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StreamManagerError, String(error));
  return error;
}
