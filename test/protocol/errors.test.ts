import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorFromStatus, InvalidRequestError, ResponseStatusCode, StreamManagerError, UpdateNotAllowedError } from '../../lib/protocol';

describe('errors for response statuses', () => {
  it('maps every status to a class whose code is the status name, with message and request id', () => {
    for (const [name, status] of Object.entries(ResponseStatusCode).filter(([, value]) => typeof value === 'number' && value !== 0)) {
      const error = errorFromStatus(status as number, `server says ${name}`, 'request-7');
      assert.ok(error instanceof StreamManagerError);
      assert.equal(error.code, name);
      assert.equal(error.status, status);
      assert.equal(error.requestId, 'request-7');
      assert.equal(error.message, `server says ${name}`);
    }
  });

  it('names the class after the status and keeps UpdateNotAllowed an InvalidRequest, as in the SDKs', () => {
    assert.equal(errorFromStatus(5, 'x').name, 'ResourceNotFoundError');
    assert.equal(errorFromStatus(13, 'x').name, 'NotEnoughMessagesError');
    const forbidden = errorFromStatus(17, 'x');
    assert.ok(forbidden instanceof UpdateNotAllowedError && forbidden instanceof InvalidRequestError);
    assert.equal(forbidden.code, 'UpdateNotAllowed');
  });

  it('keeps an unknown status as Unrecognized with its number, and writes a message when the server sent none', () => {
    const error = errorFromStatus(99, undefined);
    assert.equal(error.code, 'Unrecognized');
    assert.equal(error.status, 99);
    assert.match(error.message, /status Unrecognized \(99\)/);
  });
});
