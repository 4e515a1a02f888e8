import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { collect, configNode, helper, loadFlow, observe, useRuntimeAndServer, waitUntil, type CaughtMsg, type FlowNode } from './flow-harness';


function reasonFlow(port: number, out: Record<string, unknown> = {}): FlowNode[] {
  return [
    configNode(port),
    { id: 'out', type: 'sm out', server: 'config', stream: 'readings', wires: [['sent']], ...out },
    { id: 'admin', type: 'sm admin', server: 'config', action: 'describe', wires: [['described']] },
    { id: 'sent', type: 'helper' },
    { id: 'described', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

async function statusShown(nodeId: string, text: string, timeoutMs = 5_000): Promise<void> {
  const node = observe(nodeId);
  await waitUntil(() => node.statusTexts().includes(text), `${nodeId} showing "${text}"`, timeoutMs).catch((error: Error) =>
    assert.fail(`${error.message}; it showed ${JSON.stringify(node.statusTexts())}`),
  );
}

function lastStatus(nodeId: string): string | undefined {
  return observe(nodeId).lastStatus()?.text?.toString();
}

describe('status reasons', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  useRuntimeAndServer((started, startedClient) => {
    server = started;
    client = startedClient;
  });

  it('says what a lost connection could not reach: disconnected: connection refused host:port', async () => {
    const down = await startTestServer();
    const port = down.port;
    await down.close();
    await loadFlow(reasonFlow(port));
    await statusShown('out', `disconnected: connection refused 127.0.0.1:${port}`);
    await statusShown('admin', `disconnected: connection refused 127.0.0.1:${port}`);
  });

  it('shows the queue against its limit, and a msg beyond it fails with the same words in msg.error', async () => {
    const down = await startTestServer();
    const port = down.port;
    await down.close();
    await loadFlow(reasonFlow(port, { maxQueued: 3 }));
    const caught = collect<CaughtMsg>('caught');
    for (let index = 0; index < 4; index++) helper.getNode('out').receive({ payload: `m${index}` });
    const [error] = await caught.wait(1);
    assert.equal(error.payload, 'm3');
    assert.equal(error.error.code, 'Connection');
    assert.match(error.error.message, /^\w+: queue 3\/3: /, 'Node-RED puts the error class in front');
    await statusShown('out', 'queue 3/3');
    const full = observe('out').statuses().find((status) => status.text === 'queue 3/3');
    assert.equal(full?.fill, 'red', 'a full queue is red');
  });

  it('says stream missing for an append to a stream that does not exist, and clears it after the next success', async () => {
    await loadFlow(reasonFlow(server.port));
    const caught = collect<CaughtMsg>('caught');
    const sent = collect('sent');
    const out = helper.getNode('out');
    out.receive({ payload: 'lost' });
    const [error] = await caught.wait(1);
    assert.equal(error.error.code, 'ResourceNotFound');
    assert.match(error.error.message, /^\w+: stream missing: /);
    await statusShown('out', 'stream missing');
    await client.createMessageStream({ name: 'readings', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    out.receive({ payload: 'kept' });
    await sent.wait(1);
    assert.equal(lastStatus('out'), 'connected', 'the reason goes once an append succeeds');
  });

  it('says refused: full for an append to a full RejectNewData stream', async () => {
    await client.createMessageStream({ name: 'readings', maxSize: 1024, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.Memory });
    await loadFlow(reasonFlow(server.port));
    const caught = collect<CaughtMsg>('caught');
    const sent = collect('sent');
    const out = helper.getNode('out');
    // 600-byte payloads: the second one no longer fits into 1024 bytes.
    for (let index = 0; index < 3; index++) out.receive({ payload: Buffer.alloc(600, index) });
    const errors = await caught.wait(2);
    await sent.wait(1);
    for (const error of errors) {
      assert.equal(error.error.code, 'InvalidRequest');
      assert.match(error.error.message, /^\w+: refused: full: /);
    }
    await statusShown('out', 'refused: full');
  });

  it('sm admin shows why an action failed and puts the same words in msg.error', async () => {
    await loadFlow(reasonFlow(server.port));
    const caught = collect<CaughtMsg>('caught');
    const described = collect('described');
    const admin = helper.getNode('admin');
    admin.receive({ stream: 'nowhere' });
    const [error] = await caught.wait(1);
    assert.match(error.error.message, /^\w+: stream missing: /);
    await statusShown('admin', 'stream missing');
    admin.receive({ stream: 'bad/name' });
    const [, invalid] = await caught.wait(2);
    assert.match(invalid.error.message, /^\w+: bad msg: stream: /);
    await statusShown('admin', 'bad msg: stream');
    await client.createMessageStream({ name: 'nowhere', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    admin.receive({ stream: 'nowhere' });
    await described.wait(1);
    assert.equal(lastStatus('admin'), 'connected');
  });
});
