import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StrategyOnFull, StreamManagerClient } from '../../lib/client';
import type { TestServer } from '../helpers/server';
import { collect, configNode, helper, observe, loadFlow, quietFor, statusShows, useRuntimeAndServer, waitUntil, type FlowNode } from './flow-harness';

interface ReadMsg {
  _msgid: string;
  payload: unknown;
  stream: string;
  topic: string;
  sequenceNumber: number;
  ingestTime: number;
  messages?: { sequenceNumber: number }[];
  error?: { code: string; message: string };
}

function inFlow(port: number, inNode: Record<string, unknown>): FlowNode[] {
  return [
    configNode(port),
    { id: 'in', type: 'sm in', server: 'config', stream: 'feed', mode: 'continuous', wires: [['read']], ...inNode },
    { id: 'read', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

const sequenceNumbers = (msgs: ReadMsg[]) => msgs.map((msg) => msg.sequenceNumber);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('sm in', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  useRuntimeAndServer((started, startedClient) => {
    server = started;
    client = startedClient;
  });

  async function appendAll(count: number, text = (index: number) => `{"n":${index}}`): Promise<void> {
    await Promise.all(range(0, count).map((index) => client.appendMessage('feed', Buffer.from(text(index)))));
  }

  it('reads on input with the node fields, overridden by msg.stream and msg.readOptions, decoding payloads as asked, one msg of its own per message', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    await appendAll(5);
    await client.createMessageStream({ name: 'other', strategyOnFull: 0 });
    await client.appendMessage('other', Buffer.from([0xff, 0x00]));
    await loadFlow(inFlow(server.port, { mode: 'input', maxMessageCount: '2', format: 'auto' }));
    const read = collect<ReadMsg>('read');
    const node = helper.getNode('in');
    node.receive({ topic: 'kept' });
    await read.wait(2);
    node.receive({ readOptions: { desiredStartSequenceNumber: 3, maxMessageCount: 10 } });
    await read.wait(4);
    node.receive({ stream: 'other' });
    const msgs = await read.wait(5);
    assert.deepEqual(msgs.map((msg) => msg.sequenceNumber), [0, 1, 3, 4, 0]);
    assert.deepEqual(msgs[0].payload, { n: 0 });
    assert.equal(msgs[0].topic, 'feed');
    assert.ok(msgs[0].ingestTime > 1_600_000_000_000);
    assert.deepEqual(msgs[4].payload, Buffer.from([0xff, 0x00]), 'auto keeps bytes that are not UTF-8 as a Buffer');
    assert.equal(new Set(msgs.map((msg) => msg._msgid)).size, 5, 'each msg has its own _msgid');
  });

  it('sends nothing when there are not enough messages, or reports NotEnoughMessages when set to', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: 0 });
    await loadFlow(inFlow(server.port, { mode: 'input' }));
    const caught = collect<ReadMsg>('caught');
    const read = collect<ReadMsg>('read');
    helper.getNode('in').receive({});
    await quietFor(200);
    assert.equal(read.messages.length + caught.messages.length, 0);
    await helper.unload();
    await loadFlow(inFlow(server.port, { mode: 'input', notEnough: 'error' }));
    const reported = collect<ReadMsg>('caught');
    helper.getNode('in').receive({});
    const [msg] = await reported.wait(1);
    assert.equal(msg.error?.code, 'NotEnoughMessages');
  });

  it('outputs one msg per read with the array of payloads and msg.messages when set to batch', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: 0 });
    await appendAll(3, (index) => `t${index}`);
    await loadFlow(inFlow(server.port, { mode: 'input', output: 'batch', format: 'utf8', maxMessageCount: '10' }));
    const read = collect<ReadMsg>('read');
    helper.getNode('in').receive({});
    const [msg] = await read.wait(1);
    assert.deepEqual(msg.payload, ['t0', 't1', 't2']);
    assert.deepEqual(msg.messages?.map((meta) => meta.sequenceNumber), [0, 1, 2]);
  });

  it('starts a new consumer at the oldest, at only new messages, or at a given sequence number', async () => {
    for (const [start, extra, first] of [
      ['oldest', {}, 0],
      ['newest', {}, undefined],
      ['sequence', { startSequenceNumber: '2' }, 2],
    ] as const) {
      await client.createMessageStream({ name: 'feed', strategyOnFull: 0 });
      await appendAll(3);
      await loadFlow(inFlow(server.port, { start, consumer: `first-run-${start}`, ...extra }));
      const read = collect<ReadMsg>('read');
      // A consumer at newest takes what is appended once it has started: append until something new arrives.
      let appended = 3;
      await waitUntil(
        async () => {
          if (sequenceNumbers(read.messages).some((sequenceNumber) => sequenceNumber >= 3)) return true;
          await client.appendMessage('feed', Buffer.from(`{"n":${appended}}`));
          appended += 1;
          return false;
        },
        `a message appended after the start (${start})`,
        10_000,
        100,
      );
      await waitUntil(() => sequenceNumbers(read.messages).includes(appended - 1), `the last appended message (${start})`);
      const numbers = sequenceNumbers(read.messages);
      assert.deepEqual(numbers, range(first ?? numbers[0], appended), `start ${start}`);
      if (first === undefined) assert.ok(numbers[0] >= 3, `newest took only new messages: ${JSON.stringify(numbers)}`);
      await helper.unload();
      await client.deleteMessageStream('feed');
    }
  });

  it('delivers 10 000 messages exactly once and in order while a producer appends, across a server restart, each msg with its own _msgid', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: 0, streamSegmentSize: 1_048_576 });
    await loadFlow(inFlow(server.port, { batchSize: '500', pollTimeout: '1000' }));
    const read = collect<ReadMsg>('read');
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(range(0, 500).map((index) => client.appendMessage('feed', Buffer.from(String(batch * 500 + index)))));
      if (batch === 10) {
        await server.restart();
        // The producer's own client notices the restart on its next request and connects again.
        await client.listStreams().catch(() => undefined);
      }
    }
    const msgs = await read.wait(10_000, 60_000);
    await quietFor(300);
    assert.equal(msgs.length, 10_000, 'no duplicates');
    assert.deepEqual(sequenceNumbers(msgs), range(0, 10_000));
    assert.deepEqual(msgs.map((msg) => msg.payload), range(0, 10_000));
    assert.equal(new Set(msgs.map((msg) => msg._msgid)).size, 10_000);
  });

  it('warns how many messages aged out before they could be read, and goes on from the oldest', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.OverwriteOldestData, maxSize: 4096, streamSegmentSize: 1024 });
    await loadFlow(inFlow(server.port, { start: 'sequence', startSequenceNumber: '0' }));
    const node = observe('in');
    helper.getNode('in').receive({ action: 'pause' });
    await statusShows('in', /paused/);
    for (let index = 0; index < 10; index++) await client.appendMessage('feed', Buffer.alloc(1024, index));
    const read = collect<ReadMsg>('read');
    helper.getNode('in').receive({ action: 'resume' });
    const msgs = await read.wait(4);
    assert.deepEqual(sequenceNumbers(msgs), [6, 7, 8, 9]);
    assert.equal(node.warnings().length, 1, 'one warning for the six messages that aged out');
  });

  it('pauses, resumes and seeks on msg.action, and refuses other actions with a clear error', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: 0 });
    await appendAll(3);
    await loadFlow(inFlow(server.port, {}));
    const read = collect<ReadMsg>('read');
    const caught = collect<ReadMsg>('caught');
    const node = helper.getNode('in');
    await read.wait(3);
    node.receive({ action: 'pause' });
    await statusShows('in', /paused/);
    await appendAll(1);
    await quietFor(200);
    assert.equal(read.messages.length, 3, 'nothing while paused');
    node.receive({ action: 'resume' });
    await read.wait(4);
    node.receive({ action: 'seek', sequenceNumber: 1 });
    await read.wait(7);
    assert.deepEqual(sequenceNumbers(read.messages), [0, 1, 2, 3, 1, 2, 3]);
    node.receive({ action: 'explode' });
    node.receive({ action: 'seek', sequenceNumber: -4 });
    const errors = await caught.wait(2);
    assert.deepEqual(errors.map((msg) => msg.error?.code), ['Validation', 'Validation']);
  });
});
