// sm in, continuous, as a named consumer in a real Node-RED runtime against the real server: manual acks sent back
// into the node, nacks, ack timeouts, dead letters, flow control, retention gaps, re-created streams and the status.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointStreamName, decodeDeadLetter, listConsumers, Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import type { TestServer } from '../helpers/server';
import { collect, configNode, helper, loadFlow, observe, quietFor, statusShows, useRuntimeAndServer, waitUntil, type CaughtMsg, type FlowNode } from './flow-harness';

interface DeliveredMsg {
  payload: unknown;
  sequenceNumber: number;
  deliveryCount: number;
  redelivered: boolean;
  gap?: { from: number; to: number; count: number; reason: string };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

function consumerFlow(port: number, inNode: Record<string, unknown>): FlowNode[] {
  return [
    configNode(port),
    { id: 'in', type: 'sm in', server: 'config', stream: 'feed', mode: 'continuous', format: 'utf8', pollTimeout: '200', wires: [['read']], ...inNode },
    { id: 'read', type: 'helper' },
  ];
}

describe('sm in as a consumer', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  useRuntimeAndServer((started, startedClient) => {
    server = started;
    client = startedClient;
  });

  const append = (count: number, text = (index: number) => `m${index}`) => Promise.all(range(0, count).map((index) => client.appendMessage('feed', Buffer.from(text(index)))));

  it('acknowledges manually through msgs sent back into the node, redelivers on nack and ack timeout, and dead-letters after the most deliveries', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(3);
    await loadFlow(consumerFlow(server.port, { consumer: 'forwarder', ackMode: 'manual', ackTimeout: '1', maxDeliveries: '3', deadLetterStream: 'feed-dead' }));
    const inNode = observe('in');
    const read = collect<DeliveredMsg>('read');
    const node = helper.getNode('in');
    const first = (await read.wait(3));
    assert.deepEqual(first.map((msg) => [msg.sequenceNumber, msg.deliveryCount, msg.redelivered]), [
      [0, 1, false],
      [1, 1, false],
      [2, 1, false],
    ]);
    node.receive({ action: 'ack', sequenceNumber: 1 });
    node.receive({ action: 'nack', sequenceNumber: 0, statusCode: 503 });
    // 0 comes back after its back-off (1 s), 2 after its ack timeout (1 s).
    const again = (await read.wait(5, 5000)).slice(3);
    assert.deepEqual(again.map((msg) => [msg.sequenceNumber, msg.deliveryCount, msg.redelivered]).sort(), [
      [0, 2, true],
      [2, 2, true],
    ]);
    node.receive({ action: 'ack', sequenceNumber: 2 });
    // The third delivery of 0 is its last: not acknowledged, it goes to the dead-letter stream.
    await read.wait(6, 5000);
    await waitUntil(() => inNode.warnings().length > 0, 'a warning about the dead letter', 5_000);
    const [letter] = await client.readMessages('feed-dead', { minMessageCount: 1, maxMessageCount: 5, readTimeoutMillis: 3000 });
    const decoded = decodeDeadLetter(letter.payload);
    assert.deepEqual([decoded.stream, decoded.sequenceNumber, decoded.deliveryCount, decoded.payload.toString(), decoded.consumer], ['feed', 0, 3, 'm0', 'forwarder']);
    assert.match(decoded.lastError, /no ack within 1000 ms/);
    assert.match(inNode.warnings().join('\n'), /message 0 of feed failed 3 deliveries .* dead-letter stream feed-dead/);
    await helper.unload();
    const [listing] = await listConsumers(client, 'feed');
    assert.equal(listing.nextSequenceNumber, 3, 'the position moved on past the dead letter, and was written on stop');
    assert.equal(listing.deadLetterStream, 'feed-dead');
  });

  it('stops reading while the most msgs are outstanding', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(50);
    await loadFlow(consumerFlow(server.port, { ackMode: 'manual', maxOutstanding: '8', batchSize: '4' }));
    const read = collect<DeliveredMsg>('read');
    const node = helper.getNode('in');
    await read.wait(8);
    await quietFor(400);
    assert.equal(read.messages.length, 8);
    // Acknowledging what has arrived, round by round: never more than 8 outstanding.
    for (let acked = 0, rounds = 0; acked < 50 && rounds < 100; rounds++) {
      await read.wait(acked + 1);
      assert.ok(read.messages.length - acked <= 8, `at most 8 outstanding, ${read.messages.length - acked} were`);
      for (const msg of read.messages.slice(acked)) node.receive({ action: 'ack', sequenceNumber: msg.sequenceNumber });
      acked = read.messages.length;
    }
    assert.deepEqual(read.messages.map((msg) => msg.sequenceNumber), range(0, 50));
  });

  it('refuses an ack in automatic mode and an ack without a sequence number, with a clear error', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await loadFlow([
      ...consumerFlow(server.port, {}),
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
      { id: 'manual-in', type: 'sm in', server: 'config', stream: 'feed', mode: 'continuous', ackMode: 'manual', wires: [[]] },
    ]);
    const caught = collect<CaughtMsg>('caught');
    helper.getNode('in').receive({ action: 'ack', sequenceNumber: 0 });
    helper.getNode('manual-in').receive({ action: 'ack' });
    const errors = await caught.wait(2);
    assert.deepEqual(errors.map((msg) => msg.error.code), ['Validation', 'Validation']);
    assert.match(errors[0].error.message, /manual/);
    assert.match(errors[1].error.message, /sequence number/);
  });

  it('marks the first msg after messages lost to retention with msg.gap and warns with the range', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.OverwriteOldestData, maxSize: 4096, streamSegmentSize: 1024 });
    await loadFlow(consumerFlow(server.port, { format: 'buffer' }));
    const inNode = observe('in');
    const read = collect<DeliveredMsg>('read');
    const node = helper.getNode('in');
    await client.appendMessage('feed', Buffer.alloc(1000, 1));
    await read.wait(1);
    node.receive({ action: 'pause' });
    await statusShows('in', /paused/);
    for (let index = 0; index < 10; index++) await client.appendMessage('feed', Buffer.alloc(1000, index));
    const oldest = Number((await client.describeMessageStream('feed')).storageStatus?.oldestSequenceNumber);
    node.receive({ action: 'resume' });
    const msgs = (await read.wait(1 + 11 - oldest));
    assert.deepEqual(msgs.map((msg) => msg.sequenceNumber), [0, ...range(oldest, 11)]);
    assert.deepEqual(msgs[1].gap, { from: 1, to: oldest - 1, count: oldest - 1, reason: 'retention' });
    assert.equal(msgs[2].gap, undefined);
    assert.deepEqual(inNode.warnings(), [`${oldest - 1} messages of feed (1 to ${oldest - 1}) were removed by retention before consumer node-red-in read them; going on at ${oldest}`]);
  });

  it('warns with the reason and where it reads, in the status and in msg.gap, when its position cannot be found among unreadable checkpoint records', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(6);
    await client.createMessageStream({ name: checkpointStreamName('feed'), strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File });
    await client.appendMessage(checkpointStreamName('feed'), Buffer.from('{"format":"sm-consumer-checkpoint/2","entries":[{"consumer":"lost","str'));
    await loadFlow(consumerFlow(server.port, { consumer: 'lost', start: 'newest' }));
    const inNode = observe('in');
    const read = collect<DeliveredMsg>('read');
    await waitUntil(() => inNode.warnings().length > 0, 'the warning');
    assert.deepEqual(inNode.warnings(), [
      'no position of consumer lost was found in _consumers.feed, which holds 1 records that are not checkpoint records: its position may have been among them. Starting as set: reading from 6 (newest: 5); messages 0 to 5 (6) are not read',
    ]);
    await statusShows('in', /position not verified/);
    assert.match(String(inNode.lastStatus()?.text), /^lost @ 6, .* behind, position not verified \(position lost\), read from 6$/);
    await append(1, () => 'after');
    const [msg] = await read.wait(1);
    assert.equal(msg.sequenceNumber, 6);
    assert.deepEqual(msg.gap, { from: 0, to: 5, count: 6, reason: 'position-lost' });
  });

  it('reads a stream deleted and created again whole from its first message, while running and while stopped', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(4);
    await loadFlow(consumerFlow(server.port, {}));
    let inNode = observe('in');
    let read = collect<DeliveredMsg>('read');
    await read.wait(4);
    await client.deleteMessageStream('feed');
    await statusShows('in', /waiting for the stream to exist/);
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(6, (index) => `second ${index}`);
    await read.wait(10);
    assert.deepEqual(read.messages.map((msg) => msg.payload).slice(4), range(0, 6).map((index) => `second ${index}`));
    assert.deepEqual(inNode.warnings(), ['stream feed was deleted and created again; reading it from its first message (0)']);

    await helper.unload();
    await client.deleteMessageStream('feed');
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(9, (index) => `third ${index}`);
    await loadFlow(consumerFlow(server.port, {}));
    inNode = observe('in');
    read = collect<DeliveredMsg>('read');
    await read.wait(9);
    await quietFor(300);
    assert.deepEqual(read.messages.map((msg) => msg.payload), range(0, 9).map((index) => `third ${index}`));
    assert.equal(inNode.warnings().length, 1);
    assert.match(inNode.warnings()[0], /deleted and created again while consumer node-red-in was stopped; reading it from its first message \(0\)/);
  });

  it('shows consumer, position and lag in its status, and commits a seek', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(20);
    await loadFlow(consumerFlow(server.port, { consumer: 'shown', ackMode: 'manual' }));
    const read = collect<DeliveredMsg>('read');
    const node = helper.getNode('in');
    const shown = observe('in');
    await read.wait(20);
    for (const sequenceNumber of range(0, 5)) node.receive({ action: 'ack', sequenceNumber });
    const expected = 'shown @ 5, 15 behind, 15 awaiting ack';
    await waitUntil(() => shown.lastStatus()?.text === expected, `the status "${expected}"`, 6_000).catch((error: Error) =>
      assert.fail(`${error.message}; it shows "${shown.lastStatus()?.text}"`),
    );
    node.receive({ action: 'seek', sequenceNumber: 12 });
    await waitUntil(async () => (await listConsumers(client, 'feed'))[0].nextSequenceNumber === 12, 'the seek to 12 committed');
    await read.wait(28);
    assert.deepEqual(read.messages.slice(20).map((msg) => msg.sequenceNumber), range(12, 20));
  });
});
