import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Persistence, StrategyOnFull, StreamManagerClient, type MessageStreamDefinition } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';

async function withServer(
  test: (client: StreamManagerClient, server: TestServer) => Promise<void>,
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<void> {
  const server = await startTestServer(options);
  const client = new StreamManagerClient({ port: server.port });
  try {
    await test(client, server);
  } finally {
    await client.close();
    await server.close();
  }
}

/** The error a call fails with; the test fails if it succeeds. */
async function failure(attempt: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await attempt;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new assert.AssertionError({ message: 'expected the call to fail' });
}

const kib = (count: number, fill = 'x') => Buffer.alloc(count * 1024, fill);

function stream(name: string, fields: Partial<MessageStreamDefinition> = {}): MessageStreamDefinition {
  return { name, strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.Memory, ...fields };
}

describe('stream semantics of the local server', () => {
  it('numbers messages per stream from 0 and starts again at 0 after delete and create', () =>
    withServer(async (client) => {
      await client.createMessageStream(stream('a'));
      await client.createMessageStream(stream('b'));
      assert.deepEqual([await client.appendMessage('a', kib(1)), await client.appendMessage('a', kib(1)), await client.appendMessage('b', kib(1))], [0, 1, 0]);
      await client.deleteMessageStream('a');
      await client.createMessageStream(stream('a'));
      assert.equal(await client.appendMessage('a', kib(1)), 0);
    }));

  it('honours desired start, min and max counts, and starts at the oldest when asked for less', () =>
    withServer(async (client) => {
      await client.createMessageStream(stream('reads'));
      for (let index = 0; index < 10; index++) await client.appendMessage('reads', Buffer.from(`m${index}`));
      const sequence = (messages: { sequenceNumber?: number | bigint }[]) => messages.map((message) => message.sequenceNumber);
      assert.deepEqual(sequence(await client.readMessages('reads', { desiredStartSequenceNumber: 4, minMessageCount: 1, maxMessageCount: 3 })), [4, 5, 6]);
      assert.deepEqual(sequence(await client.readMessages('reads')), [0]);
      assert.deepEqual(sequence(await client.readMessages('reads', { desiredStartSequenceNumber: 8, minMessageCount: 2 })), [8, 9]);
      const tooMany = await failure(client.readMessages('reads', { desiredStartSequenceNumber: 8, minMessageCount: 3, maxMessageCount: 5 }));
      assert.equal(tooMany.code, 'NotEnoughMessages');
      const beyond = await failure(client.readMessages('reads', { desiredStartSequenceNumber: 50, minMessageCount: 1, readTimeoutMillis: 100 }));
      assert.equal(beyond.code, 'NotEnoughMessages');
    }));

  it('refuses appends to a full RejectNewData stream and keeps what it has', () =>
    withServer(async (client) => {
      await client.createMessageStream(stream('full', { maxSize: 4096, streamSegmentSize: 1024 }));
      for (let index = 0; index < 4; index++) await client.appendMessage('full', kib(1));
      const refused = await failure(client.appendMessage('full', kib(1)));
      assert.equal(refused.code, 'InvalidRequest');
      assert.match(refused.message, /is full/);
      const { storageStatus } = await client.describeMessageStream('full');
      assert.deepEqual(storageStatus, { oldestSequenceNumber: 0, newestSequenceNumber: 3, totalBytes: 4096 });
    }));

  it('drops whole oldest segments of a full OverwriteOldestData stream', () =>
    withServer(async (client) => {
      // 2 KiB segments hold two 1 KiB messages each; maxSize 4 KiB holds two segments.
      await client.createMessageStream(stream('ring', { maxSize: 4096, streamSegmentSize: 2048, strategyOnFull: StrategyOnFull.OverwriteOldestData }));
      for (let index = 0; index < 5; index++) await client.appendMessage('ring', kib(1, String(index)));
      const { storageStatus } = await client.describeMessageStream('ring');
      assert.deepEqual(storageStatus, { oldestSequenceNumber: 2, newestSequenceNumber: 4, totalBytes: 3072 });
      const [oldest] = await client.readMessages('ring', { desiredStartSequenceNumber: 0 });
      assert.equal(oldest.sequenceNumber, 2, 'a read below the oldest starts at the oldest');
    }));

  it('drops segments whose newest message is older than the time to live', async () => {
    let now = Date.now();
    await withServer(
      async (client) => {
        await client.createMessageStream(stream('aging', { timeToLiveMillis: 60_000, streamSegmentSize: 1024 }));
        await client.appendMessage('aging', kib(1));
        await client.appendMessage('aging', kib(1));
        now += 30_000;
        await client.appendMessage('aging', kib(1));
        now += 40_000;
        await delay(100);
        assert.equal((await client.describeMessageStream('aging')).storageStatus?.oldestSequenceNumber, 2);
        now += 40_000;
        await delay(100);
        assert.deepEqual((await client.describeMessageStream('aging')).storageStatus, { oldestSequenceNumber: 3, newestSequenceNumber: 2, totalBytes: 0 });
        assert.equal(await client.appendMessage('aging', kib(1)), 3, 'numbering goes on after everything expired');
      },
      { clock: () => now, housekeepingIntervalMs: 20 },
    );
  });

  it('applies update rules: persistence cannot change, maxSize not below the data held, exports replaced', () =>
    withServer(async (client) => {
      await client.createMessageStream(stream('rules', { maxSize: 8192, streamSegmentSize: 1024 }));
      for (let index = 0; index < 3; index++) await client.appendMessage('rules', kib(1));
      const persistence = await failure(client.updateMessageStream(stream('rules', { persistence: Persistence.File })));
      assert.equal(persistence.code, 'UpdateNotAllowed');
      const shrink = await failure(client.updateMessageStream(stream('rules', { maxSize: 2048, streamSegmentSize: 1024 })));
      assert.equal(shrink.code, 'InvalidRequest');
      const missing = await failure(client.updateMessageStream(stream('nowhere')));
      assert.equal(missing.code, 'ResourceNotFound');

      await client.updateMessageStream(stream('rules', { exportDefinition: { kinesis: [{ identifier: 'k1', kinesisStreamName: 'cloud' }], http: [{ identifier: 'h1', uri: 'http://127.0.0.1:9/' }] } }));
      assert.deepEqual((await client.describeMessageStream('rules')).exportStatuses?.map((status) => status.exportConfigIdentifier).sort(), ['h1', 'k1']);
      await client.updateMessageStream(stream('rules', { exportDefinition: { kinesis: [{ identifier: 'k1', kinesisStreamName: 'cloud' }] } }));
      assert.deepEqual((await client.describeMessageStream('rules')).exportStatuses?.map((status) => status.exportConfigIdentifier), ['k1']);
    }));
});
