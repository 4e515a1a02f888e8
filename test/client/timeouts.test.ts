import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamManagerClient } from '../../lib/client';
import { ConnectionError, TimeoutError } from '../../lib/protocol/errors';
import { startScriptedPeer } from '../helpers/scripted-peer';

/** Whether the promise has settled by the time the event loop has turned a few times over `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}

describe('client timeouts', () => {
  it('waits out timeouts of 2^31 ms and more instead of firing at once, and ends such requests when the client closes', async () => {
    const peer = await startScriptedPeer({ handshake: true });
    const clients = [2 ** 31, 2 ** 31 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER].map(
      (timeoutMs) => new StreamManagerClient({ port: peer.port, requestTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, maxReconnectDelayMs: timeoutMs }),
    );
    try {
      const requests: Promise<unknown>[] = clients.map((client) => client.listStreams());
      // A long-poll adds its own wait on top of the request timeout: the sum is longer still.
      requests.push(clients[0].readMessages('s', { minMessageCount: 1, readTimeoutMillis: 9_223_372_036_854 }));
      for (const request of requests) assert.equal(await settledWithin(request, 150), false, 'a long timeout did not fire at once');
      await Promise.all(clients.map((client) => client.close()));
      for (const request of requests) {
        const error = await request.catch((caught: unknown) => caught);
        assert.ok(error instanceof ConnectionError, `expected a Connection error, got ${String(error)}`);
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await peer.close();
    }
  });

  it('refuses timeouts that are not whole numbers of milliseconds, naming the option and the range', () => {
    for (const [option, value] of [['requestTimeoutMs', Infinity], ['connectTimeoutMs', 2 ** 53], ['requestTimeoutMs', 1.5], ['maxReconnectDelayMs', -1]] as const) {
      assert.throws(() => new StreamManagerClient({ [option]: value }), new RegExp(`${option} must be a whole number of milliseconds from 1 to 9007199254740991`));
    }
  });

  it('times out a request that waits for the socket to drain, and one that waits for its answer', async () => {
    const peer = await startScriptedPeer({ handshake: true, readAfterHandshake: false });
    // Long enough that a loaded machine still checks the pending count before any timeout fires.
    const client = new StreamManagerClient({ port: peer.port, requestTimeoutMs: 3_000 });
    const payload = Buffer.alloc(8 * 1024 * 1024);
    try {
      await client.connect();
      // 48 MiB that the peer never reads: the kernel's buffers fill and the socket stays above its high-water mark.
      const outcomes = Array.from({ length: 6 }, () => client.appendMessage('s', payload).catch((caught: unknown) => caught));
      await new Promise((resolve) => setImmediate(resolve));
      outcomes.push(client.listStreams().catch((caught: unknown) => caught));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(client.pendingRequests, 6, 'the last request waits to be sent, not for an answer');
      for (const error of await Promise.all(outcomes)) {
        assert.ok(error instanceof TimeoutError, `expected a Timeout, got ${String(error)}`);
      }
      assert.equal(client.pendingRequests, 0);
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it('fails a request waiting for the socket to drain with a Connection error when the connection closes', async () => {
    const peer = await startScriptedPeer({ handshake: true, readAfterHandshake: false });
    const client = new StreamManagerClient({ port: peer.port, requestTimeoutMs: 60_000 });
    try {
      await client.connect();
      const payload = Buffer.alloc(8 * 1024 * 1024);
      const outcomes = Array.from({ length: 6 }, () => client.appendMessage('s', payload).catch((caught: unknown) => caught));
      await new Promise((resolve) => setImmediate(resolve));
      outcomes.push(client.listStreams().catch((caught: unknown) => caught));
      await peer.close();
      for (const error of await Promise.all(outcomes)) {
        assert.ok(error instanceof ConnectionError, `expected a Connection error, got ${String(error)}`);
      }
    } finally {
      await client.close();
    }
  });
});
