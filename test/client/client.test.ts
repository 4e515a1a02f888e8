import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { Persistence, StrategyOnFull, StreamManagerClient, ValidationError, type StreamManagerClientOptions } from '../../lib/client';
import {
  ConnectionError,
  encodeFrame,
  errorCodeOf,
  NotEnoughMessagesError,
  Operation,
  ResourceNotFoundError,
  TimeoutError,
  UnauthorizedError,
} from '../../lib/protocol';
import { startTestServer, type TestServer } from '../helpers/server';
import { startScriptedPeer } from '../helpers/scripted-peer';
import { quietFor } from '../helpers/wait';

function memoryStream(name: string) {
  return { name, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory };
}

describe('StreamManagerClient against the local server', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  const open = (options: StreamManagerClientOptions = {}) => new StreamManagerClient({ port: server.port, ...options });

  before(async () => {
    server = await startTestServer();
    client = open();
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('creates, lists, describes, appends to, reads, updates and deletes a stream', async () => {
    await client.createMessageStream(memoryStream('lifecycle'));
    assert.ok((await client.listStreams()).includes('lifecycle'));

    assert.equal(await client.appendMessage('lifecycle', Buffer.from('first')), 0);
    assert.equal(await client.appendMessage('lifecycle', Buffer.from('second')), 1);

    const messages = await client.readMessages('lifecycle', { desiredStartSequenceNumber: 0, minMessageCount: 2, maxMessageCount: 10 });
    assert.deepEqual(
      messages.map((message) => [message.streamName, message.sequenceNumber, Buffer.from(message.payload).toString()]),
      [['lifecycle', 0, 'first'], ['lifecycle', 1, 'second']],
    );
    assert.equal(typeof messages[0].ingestTime, 'number');

    const info = await client.describeMessageStream('lifecycle');
    assert.equal(info.definition?.name, 'lifecycle');
    assert.equal(info.definition?.maxSize, 268_435_456);
    assert.deepEqual(
      [info.storageStatus?.oldestSequenceNumber, info.storageStatus?.newestSequenceNumber, info.storageStatus?.totalBytes],
      [0, 1, 11],
    );

    await client.updateMessageStream({ ...memoryStream('lifecycle'), maxSize: 2 ** 40 });
    assert.equal((await client.describeMessageStream('lifecycle')).definition?.maxSize, 2 ** 40);

    await client.deleteMessageStream('lifecycle');
    assert.ok(!(await client.listStreams()).includes('lifecycle'));
  });

  it('rejects with the error class and code of the status the server answers', async () => {
    const missing = await client.readMessages('no-such-stream').catch((error: unknown) => error);
    assert.ok(missing instanceof ResourceNotFoundError);
    assert.equal(missing.code, 'ResourceNotFound');

    await client.createMessageStream(memoryStream('empty'));
    const notEnough = await client.readMessages('empty', { minMessageCount: 1 }).catch((error: unknown) => error);
    assert.ok(notEnough instanceof NotEnoughMessagesError);
    assert.equal(notEnough.code, 'NotEnoughMessages');

    const duplicate = await client.createMessageStream(memoryStream('empty')).catch((error: unknown) => error);
    assert.equal((duplicate as { code: string }).code, 'InvalidRequest');
    assert.match((duplicate as Error).message, /already exists/);
  });

  it('keeps 1000 concurrent appends apart: every one gets its own sequence number', async () => {
    await client.createMessageStream(memoryStream('concurrent'));
    const sequenceNumbers = await Promise.all(
      Array.from({ length: 1000 }, (_, index) => client.appendMessage('concurrent', Buffer.from(`message ${index}`))),
    );
    assert.deepEqual([...sequenceNumbers].sort((a, b) => Number(a) - Number(b)), Array.from({ length: 1000 }, (_, index) => index));
    const messages = await client.readMessages('concurrent', { minMessageCount: 1000, maxMessageCount: 1000 });
    for (const [index, message] of messages.entries()) {
      assert.equal(Buffer.from(message.payload).toString(), `message ${sequenceNumbers.indexOf(index)}`);
    }
  });

  it('extends a long-poll read by its readTimeoutMillis, and the read wakes when a message arrives', async () => {
    const shortTimeouts = open({ requestTimeoutMs: 100 });
    try {
      await shortTimeouts.createMessageStream(memoryStream('long-poll'));
      const read = shortTimeouts.readMessages('long-poll', { minMessageCount: 1, readTimeoutMillis: 5_000 });
      await quietFor(300); // past the 100 ms request timeout: only the read's own timeout may end it
      await client.appendMessage('long-poll', Buffer.from('wake up'));
      const [message] = await read;
      assert.equal(Buffer.from(message.payload).toString(), 'wake up');

      const expired = await shortTimeouts.readMessages('long-poll', { desiredStartSequenceNumber: 1, readTimeoutMillis: 200 }).catch((error: unknown) => error);
      assert.ok(expired instanceof NotEnoughMessagesError, `expected NotEnoughMessages, got ${String(expired)}`);
    } finally {
      await shortTimeouts.close();
    }
  });

  it('answers many long-polls on one connection while other requests go on', async () => {
    await client.createMessageStream(memoryStream('many-polls'));
    const polls = Array.from({ length: 5 }, () => client.readMessages('many-polls', { minMessageCount: 1, readTimeoutMillis: 10_000 }));
    assert.ok(Array.isArray(await client.listStreams()));
    await client.appendMessage('many-polls', Buffer.from('x'));
    for (const messages of await Promise.all(polls)) assert.equal(messages.length, 1);
  });

  it('refuses bad input with a ValidationError before anything is sent', async () => {
    const fresh = open();
    try {
      const cases: [Promise<unknown>, RegExp][] = [
        [fresh.appendMessage('bad/name', Buffer.from('x')), /streamName must match/],
        [fresh.appendMessage('', Buffer.from('x')), /streamName must be at least 1 characters/],
        [fresh.appendMessage('ok', Buffer.alloc(0)), /payload must hold at least 1 byte/],
        [fresh.appendMessage('ok', 'text' as unknown as Buffer), /payload must be a Buffer or Uint8Array/],
        [fresh.readMessages('ok', { minMessageCount: 5, maxMessageCount: 2 }), /maxMessageCount must be at least minMessageCount/],
        [fresh.readMessages('ok', { readTimeoutMillis: -1 }), /readTimeoutMillis must be at least 0/],
        [fresh.createMessageStream({ name: 'ok', strategyOnFull: 7 as StrategyOnFull }), /strategyOnFull must be a StrategyOnFull/],
        [fresh.createMessageStream({ name: 'ok', strategyOnFull: 0, maxSize: 10 }), /maxSize must be at least 1024/],
      ];
      for (const [attempt, message] of cases) {
        const error = await attempt.catch((caught: unknown) => caught);
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
        assert.equal(error.code, 'Validation');
        assert.match(error.message, message);
      }
      assert.equal(fresh.state, 'idle', 'nothing was sent, so the client never connected');
    } finally {
      await fresh.close();
    }
  });

  it('refuses bad options in the constructor', () => {
    assert.throws(() => new StreamManagerClient({ port: 70_000 }), /port must be a TCP port number from 1 to 65535, got number 70000/);
    assert.throws(() => new StreamManagerClient({ requestTimeoutMs: 0 }), /requestTimeoutMs must be a whole number of milliseconds from 1 to/);
  });
});

describe('StreamManagerClient connection handling', () => {
  it('rejects a pending request with a Connection error when the server stops, and reconnects on the next request', async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port, minReconnectDelayMs: 10, maxReconnectDelayMs: 50 });
    try {
      await client.createMessageStream({ name: 'survivor', strategyOnFull: 0 });
      const pending = client.readMessages('survivor', { minMessageCount: 1, readTimeoutMillis: 30_000 });
      // The server answers one connection's requests in order: once this answer is back, it holds the read.
      await client.listStreams();
      assert.equal(client.pendingRequests, 1, 'the read waits at the server');
      await server.stop();
      const error = await pending.catch((caught: unknown) => caught);
      assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${String(error)}`);
      assert.equal(error.failure, 'closedByServer');
      assert.equal(client.state, 'disconnected');

      await server.restart();
      assert.ok((await client.listStreams()).includes('survivor'));
      assert.equal(client.state, 'connected');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('reconnects by itself with autoReconnect and reports each state change', async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port, autoReconnect: true, minReconnectDelayMs: 10, maxReconnectDelayMs: 100 });
    const states: string[] = [];
    for (const state of ['connecting', 'connected', 'disconnected', 'closed'] as const) client.on(state, () => states.push(state));
    try {
      await client.connect();
      await server.stop();
      await once(client, 'disconnected');
      await server.restart();
      while (client.state !== 'connected') await once(client, 'connected');
      assert.deepEqual(states.slice(0, 3), ['connecting', 'connected', 'disconnected']);
      assert.equal(states.at(-1), 'connected');
    } finally {
      await client.close();
      await server.close();
    }
    assert.equal(states.at(-1), 'closed');
  });

  it('accepts the right auth token and refuses a wrong one with Unauthorized', async () => {
    const server = await startTestServer({ authToken: 'secret-token' });
    const good = new StreamManagerClient({ port: server.port, authToken: 'secret-token' });
    const bad = new StreamManagerClient({ port: server.port, authToken: 'wrong-token' });
    const none = new StreamManagerClient({ port: server.port });
    try {
      assert.ok(Array.isArray(await good.listStreams()));
      const refused = await bad.listStreams().catch((error: unknown) => error);
      assert.ok(refused instanceof UnauthorizedError, `expected Unauthorized, got ${String(refused)}`);
      assert.equal(refused.code, 'Unauthorized');
      assert.ok((await none.connect().catch((error: unknown) => error)) instanceof UnauthorizedError);
    } finally {
      await Promise.all([good.close(), bad.close(), none.close()]);
      await server.close();
    }
  });

  it('fails to connect with a Connection error when nothing listens', async () => {
    const server = await startTestServer();
    const port = server.port;
    await server.close();
    const client = new StreamManagerClient({ port });
    const error = await client.listStreams().catch((caught: unknown) => caught);
    assert.ok(error instanceof ConnectionError);
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(error.failure, 'socketError');
    assert.equal(errorCodeOf(error.cause), 'ECONNREFUSED');
    await client.close();
  });

  it('reports a peer that does not speak Stream Manager as such, not as a lost connection', async () => {
    const httpLike = net.createServer((socket) => {
      // Read what the client sends, so that this side sees its close and the server can close.
      socket.resume();
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => httpLike.listen(0, '127.0.0.1', resolve));
    const client = new StreamManagerClient({ port: (httpLike.address() as net.AddressInfo).port });
    try {
      const error = await client.connect().catch((caught: unknown) => caught);
      assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${String(error)}`);
      assert.equal(error.failure, 'notStreamManager');
    } finally {
      await client.close();
      await new Promise((resolve) => httpLike.close(resolve));
    }
  });

  it('times out a handshake that never completes', async () => {
    const peer = await startScriptedPeer({ handshake: false });
    const client = new StreamManagerClient({ port: peer.port, connectTimeoutMs: 200 });
    try {
      const error = await client.connect().catch((caught: unknown) => caught);
      assert.ok(error instanceof TimeoutError, `expected a Timeout, got ${String(error)}`);
      assert.equal(error.code, 'Timeout');
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it('times out each request on its own, drops a late reply quietly and keeps reading after frames it cannot use', async () => {
    const peer = await startScriptedPeer({ handshake: true });
    const client = new StreamManagerClient({ port: peer.port, requestTimeoutMs: 200 });
    try {
      const first = client.listStreams();
      const request = await peer.nextRequest();
      const timedOut = await first.catch((error: unknown) => error);
      assert.ok(timedOut instanceof TimeoutError, `expected a Timeout, got ${String(timedOut)}`);

      const second = client.listStreams();
      const secondRequest = await peer.nextRequest();
      request.socket.write(encodeFrame(Operation.ListStreamsResponse, { requestId: request.body.requestId, status: 0, streams: ['late'] }));
      request.socket.write(encodeFrame(Operation.ListStreamsResponse, { requestId: 'nobody-asked', status: 0, streams: [] }));
      request.socket.write(Buffer.from([0, 0, 0, 3, Operation.ListStreamsResponse, 0xff, 0xff]));
      request.socket.write(encodeFrame(99, { requestId: 'unknown-op' }));
      request.socket.write(encodeFrame(Operation.ListStreamsResponse, { requestId: secondRequest.body.requestId, status: 0, streams: ['on time'] }));
      assert.deepEqual(await second, ['on time']);
      assert.equal(client.state, 'connected');
    } finally {
      await client.close();
      await peer.close();
    }
  });

  it('close() rejects what is pending, can be called twice, and refuses later requests', async () => {
    const peer = await startScriptedPeer({ handshake: true });
    const client = new StreamManagerClient({ port: peer.port });
    const pending = client.listStreams().catch((error: unknown) => error);
    await peer.nextRequest();
    await Promise.all([client.close(), client.close()]);
    const rejected = await pending;
    assert.ok(rejected instanceof ConnectionError);
    assert.equal(rejected.failure, 'clientClosed');
    const refused = await client.listStreams().catch((error: unknown) => error);
    assert.ok(refused instanceof ConnectionError);
    assert.equal(refused.failure, 'clientClosed');
    assert.equal(client.pendingRequests, 0);
    await peer.close();
  });
});
