import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import { StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { collect, configNode, helper, loadFlow, useRuntimeAndServer, waitUntil, type FlowNode, type CaughtMsg } from './flow-harness';

function outFlow(port: number, outNode: Record<string, unknown> = {}): FlowNode[] {
  return [
    configNode(port),
    { id: 'out', type: 'sm out', server: 'config', stream: 'telemetry', wires: [['sent']], ...outNode },
    { id: 'sent', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

describe('sm out', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  useRuntimeAndServer((started, startedClient) => {
    server = started;
    client = startedClient;
  });

  it('appends Buffer, string and JSON payloads and sends each msg on with its sequence number and stream', async () => {
    await client.createMessageStream({ name: 'telemetry', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    await loadFlow(outFlow(server.port));
    const sent = collect<{ sequenceNumber: number; stream: string }>('sent');
    const out = helper.getNode('out');
    out.receive({ payload: Buffer.from([1, 2, 3]) });
    out.receive({ payload: 'text' });
    out.receive({ payload: { temperature: 21.5 } });
    const msgs = await sent.wait(3);
    assert.deepEqual(msgs.map((msg) => [msg.stream, msg.sequenceNumber]), [['telemetry', 0], ['telemetry', 1], ['telemetry', 2]]);
    const stored = await client.readMessages('telemetry', { minMessageCount: 3, maxMessageCount: 3 });
    assert.deepEqual(stored.map((message) => Buffer.from(message.payload).toString('hex')), ['010203', Buffer.from('text').toString('hex'), Buffer.from('{"temperature":21.5}').toString('hex')]);
  });

  it('takes msg.stream when the node names no stream, and a typed stream from msg when set so', async () => {
    await client.createMessageStream({ name: 'a', strategyOnFull: 0 });
    await client.createMessageStream({ name: 'b', strategyOnFull: 0 });
    await loadFlow(outFlow(server.port, { stream: '' }));
    const sent = collect('sent');
    helper.getNode('out').receive({ payload: 'x', stream: 'a' });
    await sent.wait(1);
    await helper.unload();
    await loadFlow(outFlow(server.port, { stream: 'target', streamType: 'msg' }));
    const sentAgain = collect('sent');
    helper.getNode('out').receive({ payload: 'y', target: 'b' });
    await sentAgain.wait(1);
    assert.equal(Number((await client.describeMessageStream('a')).storageStatus?.newestSequenceNumber), 0);
    assert.equal(Number((await client.describeMessageStream('b')).storageStatus?.newestSequenceNumber), 0);
  });

  it('creates the missing stream from the node definition when set to', async () => {
    await loadFlow(outFlow(server.port, { createStream: true, persistence: 'Memory', maxSize: '1048576', streamSegmentSize: '65536', strategyOnFull: 'RejectNewData' }));
    const sent = collect<{ sequenceNumber: number; payload: string }>('sent');
    for (let index = 0; index < 10; index++) {
      helper.getNode('out').receive({ payload: `m${index}` });
      if (index % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
    }
    const msgs = await sent.wait(10);
    assert.deepEqual(msgs.map((msg) => [msg.payload, msg.sequenceNumber]), Array.from({ length: 10 }, (_, index) => [`m${index}`, index]));
    const stored = await client.readMessages('telemetry', { minMessageCount: 10, maxMessageCount: 10 });
    assert.deepEqual(stored.map((message) => Buffer.from(message.payload).toString()), Array.from({ length: 10 }, (_, index) => `m${index}`), 'stored in arrival order');
    const { definition } = await client.describeMessageStream('telemetry');
    assert.deepEqual([definition?.persistence, definition?.maxSize, definition?.strategyOnFull], [1, 1_048_576, 0]);
  });

  it('appends an array payload as a batch and sends msg.sequenceNumbers once all are acknowledged', async () => {
    await client.createMessageStream({ name: 'telemetry', strategyOnFull: 0 });
    await loadFlow(outFlow(server.port, { batch: true }));
    const sent = collect<{ sequenceNumbers: number[] }>('sent');
    helper.getNode('out').receive({ payload: ['a', { b: 1 }, Buffer.from('c')] });
    const [msg] = await sent.wait(1);
    assert.deepEqual(msg.sequenceNumbers, [0, 1, 2]);
  });

  it('sends every error to Catch with a stable code, and keeps working for the next msg', async () => {
    await loadFlow(outFlow(server.port, { stream: '' }));
    const caught = collect<CaughtMsg>('caught');
    const sent = collect('sent');
    const out = helper.getNode('out');
    out.receive({ payload: 'no stream named' });
    out.receive({ payload: null, stream: 'telemetry' });
    out.receive({ payload: 'x', stream: 'bad/name' });
    out.receive({ payload: 'x', stream: 'missing' });
    const errors = await caught.wait(4);
    const byCode = errors.map((msg) => msg.error.code).sort();
    assert.deepEqual(byCode, ['ResourceNotFound', 'Validation', 'Validation', 'Validation']);
    assert.ok(errors.some((msg) => /msg\.payload is required/.test(msg.error.message)));
    await client.createMessageStream({ name: 'telemetry', strategyOnFull: 0 });
    out.receive({ payload: 'fine', stream: 'telemetry' });
    await sent.wait(1);
  });

  it('reports Connection errors at Catch when the server is down and the queue limit is reached', async () => {
    const down = await startTestServer();
    const port = down.port;
    await down.close();
    await loadFlow(outFlow(port, { maxQueued: 2 }));
    const caught = collect<{ error: { code: string; message: string }; payload: string }>('caught');
    const out = helper.getNode('out');
    for (let index = 0; index < 5; index++) out.receive({ payload: `m${index}` });
    const errors = await caught.wait(3);
    assert.deepEqual(errors.map((msg) => [msg.error.code, msg.payload]), [['Connection', 'm2'], ['Connection', 'm3'], ['Connection', 'm4']]);
    assert.match(errors[0].error.message, /2 msgs are already waiting/);
    // The Catch node stops with the flow (and the helper stops recording the log): watch the node's own error
    // reports to see that the msgs still waiting are reported, not dropped.
    const reported: string[] = [];
    const report = out.error.bind(out);
    out.error = (error: Error, msg?: NodeMessage) => {
      reported.push(`${String(msg?.payload)}: ${error.message}`);
      report(error, msg);
    };
    await helper.unload();
    assert.deepEqual(reported, ['m0: not connected: the node was stopped before the msg could be appended', 'm1: not connected: the node was stopped before the msg could be appended']);
  });

  it('gives every one of 1000 msgs a unique, ordered sequence number or an error across a server restart', async () => {
    await client.createMessageStream({ name: 'telemetry', strategyOnFull: 0, streamSegmentSize: 1_048_576 });
    await loadFlow(outFlow(server.port));
    const sent = collect<{ sequenceNumber: number; index: number; payload: string }>('sent');
    const caught = collect<CaughtMsg>('caught');
    const out = helper.getNode('out');
    for (let index = 0; index < 1000; index++) {
      out.receive({ payload: `m${index}`, index });
      if (index === 400) await server.restart();
    }
    await waitUntil(() => sent.messages.length + caught.messages.length >= 1000, 'all 1000 msgs at the output or Catch', 10_000, 50).catch(() => undefined);
    assert.equal(sent.messages.length + caught.messages.length, 1000, 'every msg reached the output or Catch');
    const numbers = sent.messages.map((msg) => msg.sequenceNumber);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'in order');
    assert.equal(new Set(numbers).size, numbers.length, 'unique');
    for (const msg of caught.messages) assert.equal(msg.error.code, 'Connection');
    const stored = await client.readMessages('telemetry', { minMessageCount: 1, maxMessageCount: 2000 });
    const acknowledged = new Map(sent.messages.map((msg) => [msg.sequenceNumber, msg.payload]));
    for (const message of stored) {
      const payload = acknowledged.get(Number(message.sequenceNumber));
      if (payload !== undefined) assert.equal(Buffer.from(message.payload).toString(), payload);
    }
  });
});
