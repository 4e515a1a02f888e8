// Positions in the checkpoint stream against the real local server: a quiet consumer's position survives any number
// of commits by busy ones, a removed consumer stays removed, and records of the first format are still read.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointStreamName, Consumer, listConsumers, removeConsumer, Persistence, StrategyOnFull, StreamManagerClient, type Delivery } from '../../lib/client';
import { useServerAndClient } from '../helpers/server-and-client';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('consumer positions', () => {
  const context = useServerAndClient();
  let client: StreamManagerClient;
  beforeEach(() => ({ client } = context));

  const append = (count: number) => Promise.all(range(0, count).map((index) => client.appendMessage('feed', Buffer.from(`m${index}`))));

  /** A small checkpoint stream, so that a few hundred commits overwrite it many times over. */
  const smallCheckpointStream = () =>
    client.createMessageStream({ name: checkpointStreamName('feed'), maxSize: 16_384, streamSegmentSize: 2048, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File });

  function consumer(name: string, onMessages: (deliveries: Delivery[]) => void = () => undefined, start: 'oldest' | 'newest' = 'oldest'): Consumer {
    return new Consumer({ client, stream: 'feed', consumer: name, start, pollTimeoutMs: 100, commitIntervalMs: 20, onMessages });
  }

  async function consumeAll(run: Consumer, delivered: Delivery[], count: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (delivered.length < count) {
      assert.ok(Date.now() < deadline, `${delivered.length} of ${count} deliveries to ${run.name}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('keeps a quiet consumer\'s position while a busy one overwrites the checkpoint stream many times', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await smallCheckpointStream();
    await append(10);
    const quietDelivered: Delivery[] = [];
    const quiet = consumer('quiet', (batch) => quietDelivered.push(...batch));
    quiet.start();
    await consumeAll(quiet, quietDelivered, 10);
    await quiet.stop();

    const busy = consumer('busy');
    busy.start();
    for (let commit = 0; commit < 400; commit++) await busy.seek(commit % 10);
    await append(5);
    await busy.stop();
    const { storageStatus } = await client.describeMessageStream(checkpointStreamName('feed'));
    assert.ok(Number(storageStatus?.oldestSequenceNumber) > 100, 'the checkpoint stream was overwritten many times');

    const listed = await listConsumers(client, 'feed');
    assert.deepEqual(listed.map((listing) => listing.consumer), ['busy', 'quiet']);
    assert.equal(listed[1].nextSequenceNumber, 10);
    const resumedDelivered: Delivery[] = [];
    const resumed = consumer('quiet', (batch) => resumedDelivered.push(...batch), 'newest');
    resumed.start();
    await consumeAll(resumed, resumedDelivered, 5);
    await resumed.stop();
    assert.deepEqual(resumedDelivered.map((delivery) => delivery.sequenceNumber), range(10, 15));
  });

  it('removes a consumer on purpose only, and no older copy brings it back', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await smallCheckpointStream();
    await append(3);
    for (const name of ['gone', 'kept']) {
      const delivered: Delivery[] = [];
      const run = consumer(name, (batch) => delivered.push(...batch));
      run.start();
      await consumeAll(run, delivered, 3);
      await run.stop();
    }
    assert.equal(await removeConsumer(client, 'feed', 'gone'), true);
    assert.equal(await removeConsumer(client, 'feed', 'gone'), false, 'a removed consumer is not there to remove');
    assert.equal(await removeConsumer(client, 'feed', 'never-was'), false);
    assert.deepEqual((await listConsumers(client, 'feed')).map((listing) => listing.consumer), ['kept']);

    const busy = consumer('busy');
    busy.start();
    for (let commit = 0; commit < 300; commit++) {
      await busy.seek(commit % 3);
      if (commit % 50 === 0) assert.deepEqual((await listConsumers(client, 'feed')).map((listing) => listing.consumer), ['busy', 'kept'], `after ${commit} commits`);
    }
    await busy.stop();
    assert.deepEqual((await listConsumers(client, 'feed')).map((listing) => listing.consumer), ['busy', 'kept']);
  });

  it('reads positions written in the first record format and carries them on', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await smallCheckpointStream();
    await append(8);
    const old = { consumer: 'old', stream: 'feed', nextSequenceNumber: 6, committedAt: 1_700_000_000_000, revision: 4 };
    await client.appendMessage(checkpointStreamName('feed'), Buffer.from(JSON.stringify({ format: 'sm-consumer-checkpoint/1', positions: [old] })));
    const busy = consumer('busy');
    busy.start();
    for (let commit = 0; commit < 200; commit++) await busy.seek(commit % 8);
    await busy.stop();
    const listed = await listConsumers(client, 'feed');
    assert.deepEqual(listed.find((listing) => listing.consumer === 'old'), { consumer: 'old', stream: 'feed', nextSequenceNumber: 6, committedAt: old.committedAt });
    const delivered: Delivery[] = [];
    const resumed = consumer('old', (batch) => delivered.push(...batch));
    resumed.start();
    await consumeAll(resumed, delivered, 2);
    await resumed.stop();
    assert.deepEqual(delivered.map((delivery) => delivery.sequenceNumber), [6, 7]);
  });
});
