import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, listConsumers, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { waitUntil } from '../helpers/wait';
import type { TestServer } from '../helpers/server';
import { collect, configNode, helper, loadFlow, useRuntimeAndServer, type FlowNode, type CaughtMsg } from './flow-harness';

function adminFlow(port: number, adminNode: Record<string, unknown> = {}): FlowNode[] {
  return [
    configNode(port),
    { id: 'admin', type: 'sm admin', server: 'config', action: 'describe', wires: [['done']], ...adminNode },
    { id: 'done', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

type AdminOutput = { payload: unknown; stream?: string };

describe('sm admin', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  useRuntimeAndServer((started, startedClient) => {
    server = started;
    client = startedClient;
  });

  it('creates a stream from the node form, overridden field by field by msg.payload, and outputs the definition', async () => {
    await loadFlow(adminFlow(server.port, { action: 'create', stream: 'from-form', maxSize: '2048', streamSegmentSize: '1024', persistence: 'Memory', strategyOnFull: 'RejectNewData' }));
    const done = collect<AdminOutput>('done');
    helper.getNode('admin').receive({ payload: { maxSize: 4096, strategyOnFull: 'OverwriteOldestData', timeToLiveMillis: '3600000' } });
    const [msg] = await done.wait(1);
    assert.deepEqual(msg.payload, { name: 'from-form', maxSize: 4096, streamSegmentSize: 1024, timeToLiveMillis: 3_600_000, strategyOnFull: 1, persistence: 1 });
    assert.equal(msg.stream, 'from-form');
    const { definition } = await client.describeMessageStream('from-form');
    assert.deepEqual([definition?.maxSize, definition?.strategyOnFull, definition?.persistence], [4096, 1, 1]);
  });

  it('runs every action from msg.action: create, upsert, update, describe, list and delete', async () => {
    await loadFlow(adminFlow(server.port));
    const done = collect<AdminOutput>('done');
    const admin = helper.getNode('admin');
    const steps = [
      { action: 'create', stream: 'life', payload: { persistence: 1 } },
      { action: 'upsert', stream: 'life', payload: { persistence: 1, maxSize: 1_048_576, streamSegmentSize: 1024 } },
      { action: 'update', stream: 'life', payload: { persistence: 1, exportDefinition: { kinesis: [{ identifier: 'k', kinesisStreamName: 'cloud' }] } } },
      { action: 'describe', stream: 'life' },
      { action: 'list' },
      { action: 'delete', payload: { name: 'life' } },
    ];
    for (const [index, step] of steps.entries()) {
      admin.receive(step);
      await done.wait(index + 1);
    }
    const msgs = await done.wait(6);
    const described = msgs[3].payload as { definition: { maxSize: number; exportDefinition: unknown }; storageStatus: unknown; exportStatuses: { exportConfigIdentifier: string }[] };
    assert.equal(described.definition.maxSize, 268_435_456, 'update sends the complete definition: maxSize back to its default');
    assert.deepEqual(described.storageStatus, { oldestSequenceNumber: 0, newestSequenceNumber: -1, totalBytes: 0 });
    assert.equal(described.exportStatuses[0].exportConfigIdentifier, 'k');
    assert.deepEqual(msgs[4].payload, ['life']);
    assert.equal(msgs[5].payload, 'life');
    assert.deepEqual(await client.listStreams(), []);
  });

  it('shows 64-bit values beyond 2^53 as exact decimal strings', async () => {
    await client.createMessageStream({ name: 'huge', strategyOnFull: 0, maxSize: 2n ** 62n });
    await loadFlow(adminFlow(server.port, { stream: 'huge' }));
    const done = collect<AdminOutput>('done');
    helper.getNode('admin').receive({ payload: null });
    const [msg] = await done.wait(1);
    assert.equal((msg.payload as { definition: { maxSize: unknown } }).definition.maxSize, '4611686018427387904');
  });

  it('sends bad input and server refusals to Catch with a stable code, and keeps working', async () => {
    await loadFlow(adminFlow(server.port));
    const caught = collect<CaughtMsg>('caught');
    const done = collect('done');
    const admin = helper.getNode('admin');
    admin.receive({ action: 'rename', stream: 'x' });
    admin.receive({ action: 'describe', stream: 'missing' });
    admin.receive({ action: 'create', stream: 'bad', payload: { exportDefinition: '{not json' } });
    admin.receive({ action: 'create', stream: 'bad', payload: { maxSize: 10 } });
    admin.receive({ action: 'create', stream: 'bad', payload: { colour: 'blue' } });
    admin.receive({ action: 'create' });
    const errors = await caught.wait(6);
    const summary = errors.map((msg) => `${msg.error.code}: ${msg.error.message}`);
    const expected = [
      /^Validation: .*action must be one of create, update, upsert, delete, describe, list, health, consumers, removeConsumer, got "rename"/,
      /^ResourceNotFound: .*stream missing does not exist/,
      /^Validation: .*exportDefinition must be JSON text of an ExportDefinition/,
      /^Validation: .*maxSize must be at least 1024/,
      /^Validation: .*msg\.payload\.colour is not a definition field/,
      /^Validation: .*stream /,
    ];
    for (const pattern of expected) assert.ok(summary.some((line) => pattern.test(line)), `${pattern} in ${summary.join(' | ')}`);
    admin.receive({ action: 'list' });
    await done.wait(1);
  });

  it('upsert on an existing stream changes only the fields msg.payload sets and sends the definition after the call', async () => {
    const exportDefinition = { kinesis: [{ identifier: 'to-cloud', kinesisStreamName: 'cloud', batchSize: 10 }] };
    await client.createMessageStream({
      name: 'kept',
      maxSize: 65_536,
      streamSegmentSize: 4096,
      timeToLiveMillis: 3_600_000,
      strategyOnFull: 0,
      persistence: 1,
      exportDefinition,
    });
    // The node's form differs in every field: none of it may reach an existing stream.
    await loadFlow(adminFlow(server.port, { action: 'upsert', stream: 'kept', maxSize: '2048', streamSegmentSize: '1024', strategyOnFull: 'OverwriteOldestData', persistence: 'File', flushOnWrite: true }));
    const done = collect<AdminOutput>('done');
    helper.getNode('admin').receive({ payload: { maxSize: 131_072 } });
    const [msg] = await done.wait(1);
    const { definition } = await client.describeMessageStream('kept');
    assert.deepEqual(
      [definition?.maxSize, definition?.streamSegmentSize, definition?.timeToLiveMillis, definition?.strategyOnFull, definition?.persistence, definition?.flushOnWrite ?? false],
      [131_072, 4096, 3_600_000, 0, 1, false],
    );
    assert.equal(definition?.exportDefinition?.kinesis?.[0].kinesisStreamName, 'cloud');
    assert.deepEqual(msg.payload, JSON.parse(JSON.stringify(definition)), 'msg.payload is the definition after the call');
    assert.equal(msg.stream, 'kept');
  });

  it('upsert of a missing stream creates it from the form and msg.payload, and a second upsert keeps the first one\'s fields', async () => {
    await loadFlow(adminFlow(server.port, { action: 'upsert', stream: 'fresh', maxSize: '8192', streamSegmentSize: '1024', strategyOnFull: 'RejectNewData', persistence: 'Memory' }));
    const done = collect<{ payload: Record<string, unknown> }>('done');
    const admin = helper.getNode('admin');
    admin.receive({ payload: { timeToLiveMillis: 60_000 } });
    await done.wait(1);
    admin.receive({ payload: { strategyOnFull: 'OverwriteOldestData' } });
    const [created, updated] = await done.wait(2);
    assert.deepEqual([created.payload.maxSize, created.payload.timeToLiveMillis, created.payload.strategyOnFull, created.payload.persistence], [8192, 60_000, 0, 1]);
    assert.deepEqual([updated.payload.maxSize, updated.payload.timeToLiveMillis, updated.payload.strategyOnFull, updated.payload.persistence], [8192, 60_000, 1, 1]);
  });

  it('lists a stream\'s consumers and forgets one on purpose; an unknown or missing consumer name goes to Catch', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    for (let index = 0; index < 3; index++) await client.appendMessage('feed', Buffer.from(`reading ${index}`));
    for (const name of ['left-behind', 'uploader']) {
      let delivered = 0;
      const consumer = new Consumer({ client, stream: 'feed', consumer: name, onMessages: (batch) => void (delivered += batch.length) });
      consumer.start();
      await waitUntil(() => delivered === 3, `${name} reads the three readings`);
      await consumer.stop();
    }
    await loadFlow(adminFlow(server.port, { action: 'removeConsumer', stream: 'feed', consumer: 'left-behind' }));
    const done = collect<AdminOutput>('done');
    const caught = collect<CaughtMsg>('caught');
    const admin = helper.getNode('admin');

    admin.receive({ action: 'consumers' });
    const [listed] = await done.wait(1);
    const listing = listed.payload as { consumer: string; stream: string; nextSequenceNumber: number; committedAt: number }[];
    assert.deepEqual(listing.map(({ consumer, stream, nextSequenceNumber }) => ({ consumer, stream, nextSequenceNumber })), [
      { consumer: 'left-behind', stream: 'feed', nextSequenceNumber: 3 },
      { consumer: 'uploader', stream: 'feed', nextSequenceNumber: 3 },
    ]);
    assert.ok(listing.every(({ committedAt }) => committedAt > Date.now() - 60_000 && committedAt <= Date.now()), 'each with the time of its last commit');

    admin.receive({ payload: 'from the node settings' });
    const [, removed] = await done.wait(2);
    assert.deepEqual(removed.payload, { stream: 'feed', consumer: 'left-behind', removed: true });
    assert.equal(removed.stream, 'feed');
    assert.deepEqual((await listConsumers(client, 'feed')).map(({ consumer }) => consumer), ['uploader']);

    admin.receive({ consumer: 'left-behind' });
    admin.receive({ consumer: 'uplaoder' });
    admin.receive({ stream: 'feed', consumer: 42 });
    const errors = (await caught.wait(3)).map(({ error }) => `${error.code}: ${error.message}`);
    for (const expected of [
      /^ResourceNotFound: .*stream feed has no consumer named left-behind/,
      /^ResourceNotFound: .*stream feed has no consumer named uplaoder: the action consumers lists those it has/,
      /^Validation: .*consumer must be text: the consumer's name, got number 42/,
    ]) {
      assert.ok(errors.some((line) => expected.test(line)), `${expected} in ${errors.join(' | ')}`);
    }
    assert.deepEqual((await listConsumers(client, 'feed')).map(({ consumer }) => consumer), ['uploader'], 'a refused removal changes nothing');
  });
});
