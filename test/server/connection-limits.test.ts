import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Persistence, StrategyOnFull, StreamManagerClient, type MessageStreamDefinition } from '../../lib/client';
import { CONNECT_VERSION, encodeFrame, Operation, PROTOCOL_VERSION } from '../../lib/protocol';
import type { Logger } from '../../lib/common/logger';
import { startServer } from '../../lib/server';
import { tmpdir } from 'node:os';
import { startTestServer, type TestServer } from '../helpers/server';
import { openRaw } from '../helpers/raw-connection';
import { quietFor } from '../helpers/wait';

/** The warnings the server logs, to check that it says why it closed a connection. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message) => warnings.push(message) };
}

const stream = (name: string, persistence: Persistence): MessageStreamDefinition => ({
  name,
  persistence,
  maxSize: 2 ** 30,
  strategyOnFull: StrategyOnFull.OverwriteOldestData,
});

describe('what a connection may cost the server', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  const logger = recordingLogger();

  before(async () => {
    server = await startTestServer({ logger, handshakeTimeoutMs: 300, incompleteFrameTimeoutMs: 300 });
    client = new StreamManagerClient({ port: server.port });
    await client.connect();
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('closes a connection that stays silent, or stops half-way through its Connect, past the handshake deadline', async () => {
    const silent = await openRaw(server.port, { handshake: false });
    const halfway = await openRaw(server.port, { handshake: false });
    const connect = encodeFrame(Operation.Connect, { requestId: 'c', protocolVersion: PROTOCOL_VERSION });
    halfway.send(Buffer.concat([Buffer.of(CONNECT_VERSION), connect.subarray(0, connect.length - 3)]));
    await Promise.all([silent.closed, halfway.closed]);
    assert.ok(logger.warnings.some((line) => /no accepted Connect within 300 ms/.test(line)), logger.warnings.join('\n'));
    assert.ok(Array.isArray(await client.listStreams()), 'others are still served');
  });

  it('refuses a frame above 8 KiB before the handshake with RequestPayloadTooLarge, without waiting for its bytes', async () => {
    const header = await openRaw(server.port, { handshake: false });
    header.send(Buffer.from([CONNECT_VERSION, 0x00, 0x10, 0x00, 0x00, Operation.Connect]));
    const refused = await header.nextFrame();
    assert.equal(refused?.operation, Operation.ConnectResponse);
    assert.equal(refused?.body.status, 4);
    assert.match(String(refused?.body.errorMessage), /at most 8192 bytes/);
    await header.closed;

    const padded = await openRaw(server.port, { handshake: false });
    padded.send(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.Connect, { requestId: 'c', protocolVersion: PROTOCOL_VERSION, authToken: 'x'.repeat(9000) })]));
    assert.equal((await padded.nextFrame())?.body.status, 4);
    await padded.closed;
  });

  it('closes a connection whose frame stops arriving half-way, once connected, past the incomplete-frame deadline', async () => {
    const raw = await openRaw(server.port);
    const frame = encodeFrame(Operation.ListStreams, { requestId: 'cut short' });
    raw.send(frame.subarray(0, frame.length - 2));
    await raw.closed;
    assert.ok(logger.warnings.some((line) => /an incomplete frame \(\d+ bytes so far\) got no more bytes for 300 ms/.test(line)), logger.warnings.join('\n'));
  });

  it('keeps a connected client that is merely idle between frames', async () => {
    const raw = await openRaw(server.port);
    await quietFor(500);
    raw.send(encodeFrame(Operation.ListStreams, { requestId: 'after a pause' }));
    assert.equal((await raw.nextFrame())?.body.requestId, 'after a pause');
    raw.close();
  });
});

describe('connection limit options', () => {
  it('refuses a limit that is not a whole number in its range, naming the option, before it listens', async () => {
    for (const [option, value] of [['handshakeTimeoutMs', 0], ['incompleteFrameTimeoutMs', 2 ** 31], ['maxReplyFrameLength', 100], ['maxQueuedBytesPerConnection', 1.5]] as const) {
      await assert.rejects(startServer({ port: 0, storeDir: tmpdir(), [option]: value }), new RegExp(`^ValidationError: ${option} must be a whole number from \\d+ to \\d+, got`));
    }
  });
});

describe('answers that would not fit in one frame', () => {
  it('answers a read with as many whole messages as fit, even fewer than its minimum, and ResponsePayloadTooLarge only for a message that fits no answer; the server goes on', async () => {
    const server = await startTestServer({ maxReplyFrameLength: 1024 * 1024 });
    const client = new StreamManagerClient({ port: server.port });
    try {
      for (const persistence of [Persistence.Memory, Persistence.File]) {
        const name = `big-${persistence}`;
        await client.createMessageStream(stream(name, persistence));
        for (let index = 0; index < 3; index++) await client.appendMessage(name, Buffer.alloc(400 * 1024, index));
        const some = await client.readMessages(name, { minMessageCount: 1, maxMessageCount: 3 });
        assert.deepEqual(some.map((message) => message.sequenceNumber), [0, 1], 'two of the three 400 KiB messages fit in 1 MiB');
        const minimumTooLarge = await client.readMessages(name, { minMessageCount: 3, maxMessageCount: 3 });
        assert.deepEqual(minimumTooLarge.map((message) => message.sequenceNumber), [0, 1], 'the reply carries what fits');

        // A long-poll that wakes with more than fits is answered with what fits: the appends that woke it succeed.
        const waiting = client.readMessages(name, { desiredStartSequenceNumber: 3, minMessageCount: 3, maxMessageCount: 3, readTimeoutMillis: 5_000 });
        const appended = [];
        for (let index = 0; index < 3; index++) appended.push(await client.appendMessage(name, Buffer.alloc(400 * 1024, index)));
        assert.deepEqual(appended, [3, 4, 5]);
        assert.deepEqual((await waiting).map((message) => message.sequenceNumber), [3, 4]);

        // One message larger than any answer fails that read alone, and says how to go past it.
        const huge = await client.appendMessage(name, Buffer.alloc(1024 * 1024, 9));
        const refused = await client.readMessages(name, { desiredStartSequenceNumber: huge, minMessageCount: 1, maxMessageCount: 1 }).catch((error: unknown) => error);
        assert.equal((refused as { code?: string }).code, 'ResponsePayloadTooLarge');
        assert.match(String((refused as Error).message), new RegExp(`read from ${Number(huge) + 1}`));
      }
      assert.ok((await client.listStreams()).length >= 2, 'the server still serves');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('survives a long-poll on a File stream whose wake-up passes the 64 MiB read limit (it used to end the process)', async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream(stream('huge', Persistence.File));
      const waiting = client.readMessages('huge', { minMessageCount: 65, maxMessageCount: 65, readTimeoutMillis: 20_000 });
      const megabyte = Buffer.alloc(1024 * 1024, 7);
      for (let index = 0; index < 65; index++) await client.appendMessage('huge', megabyte);
      const answered = await waiting;
      assert.ok(answered.length >= 1 && answered.length < 65, `the wake-up carries the whole messages that fit 64 MiB, got ${answered.length}`);
      assert.deepEqual(answered.map((message) => message.sequenceNumber), [...answered.keys()]);
      assert.equal((await client.describeMessageStream('huge')).storageStatus?.newestSequenceNumber, 64);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('a client that does not read its answers', () => {
  it('waits alone: its pipelined big reads are answered as it reads, others are served meanwhile, and memory stays bounded', async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream(stream('big', Persistence.Memory));
      await client.createMessageStream(stream('small', Persistence.Memory));
      for (let index = 0; index < 4; index++) await client.appendMessage('big', Buffer.alloc(1024 * 1024, index));
      const greedy = await openRaw(server.port);
      greedy.socket.pause();
      const reads = 100;
      const requests = Array.from({ length: reads }, (_, index) =>
        encodeFrame(Operation.ReadMessages, { requestId: `read-${index}`, streamName: 'big', readMessagesOptions: { minMessageCount: 4, maxMessageCount: 4 } }),
      );
      // 100 answers of 4 MiB each: 400 MiB if the server built them all.
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      greedy.send(Buffer.concat(requests));

      const appended = [];
      for (let index = 0; index < 500; index++) appended.push(client.appendMessage('small', Buffer.from(`reading ${index}`)));
      assert.equal((await Promise.all(appended)).length, 500, 'the other client is served');
      const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      assert.ok(growthMb < 200, `the server held ${growthMb.toFixed(0)} MB more for the greedy client; its bound is 16 MiB of answers`);

      greedy.socket.resume();
      const answered = new Set<unknown>();
      for (let index = 0; index < reads; index++) {
        const frame = await greedy.nextFrame(10_000);
        assert.equal((frame?.body.messages as unknown[]).length, 4);
        answered.add(frame?.body.requestId);
      }
      assert.equal(answered.size, reads, 'every read was answered once the client read its socket');
      greedy.close();
    } finally {
      await client.close();
      await server.close();
    }
  });
});
