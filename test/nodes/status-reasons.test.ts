import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { collect, configNode, helper, loadFlow, useRuntimeAndServer, type FlowNode } from './flow-harness';

type Caught = { error: { code: string; message: string }; payload: unknown };
type StatusSpy = { status: { args: { fill?: string; text?: string }[][] } };

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

function statusTexts(nodeId: string): string[] {
  return (helper.getNode(nodeId) as unknown as StatusSpy).status.args.map(([status]) => String(status.text));
}

async function statusShown(nodeId: string, text: string, timeoutMs = 5_000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    if (statusTexts(nodeId).includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`${nodeId} did not show "${text}" within ${timeoutMs} ms; it showed ${JSON.stringify(statusTexts(nodeId))}`);
}

function lastStatus(nodeId: string): string {
  const texts = statusTexts(nodeId);
  return texts[texts.length - 1];
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
    const caught = collect('caught');
    for (let index = 0; index < 4; index++) helper.getNode('out').receive({ payload: `m${index}` } as never);
    const [error] = (await caught.wait(1)) as unknown as Caught[];
    assert.equal(error.payload, 'm3');
    assert.equal(error.error.code, 'Connection');
    assert.match(error.error.message, /^\w+: queue 3\/3: /, 'Node-RED puts the error class in front');
    await statusShown('out', 'queue 3/3');
    const full = (helper.getNode('out') as unknown as StatusSpy).status.args.find(([status]) => status.text === 'queue 3/3');
    assert.equal(full?.[0].fill, 'red', 'a full queue is red');
  });

  it('says stream missing for an append to a stream that does not exist, and clears it after the next success', async () => {
    await loadFlow(reasonFlow(server.port));
    const caught = collect('caught');
    const sent = collect('sent');
    const out = helper.getNode('out');
    out.receive({ payload: 'lost' } as never);
    const [error] = (await caught.wait(1)) as unknown as Caught[];
    assert.equal(error.error.code, 'ResourceNotFound');
    assert.match(error.error.message, /^\w+: stream missing: /);
    await statusShown('out', 'stream missing');
    await client.createMessageStream({ name: 'readings', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    out.receive({ payload: 'kept' } as never);
    await sent.wait(1);
    assert.equal(lastStatus('out'), 'connected', 'the reason goes once an append succeeds');
  });

  it('says refused: full for an append to a full RejectNewData stream', async () => {
    await client.createMessageStream({ name: 'readings', maxSize: 1024, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.Memory });
    await loadFlow(reasonFlow(server.port));
    const caught = collect('caught');
    const sent = collect('sent');
    const out = helper.getNode('out');
    // 600-byte payloads: the second one no longer fits into 1024 bytes.
    for (let index = 0; index < 3; index++) out.receive({ payload: Buffer.alloc(600, index) } as never);
    const errors = (await caught.wait(2)) as unknown as Caught[];
    await sent.wait(1);
    for (const error of errors) {
      assert.equal(error.error.code, 'InvalidRequest');
      assert.match(error.error.message, /^\w+: refused: full: /);
    }
    await statusShown('out', 'refused: full');
  });

  it('sm admin shows why an action failed and puts the same words in msg.error', async () => {
    await loadFlow(reasonFlow(server.port));
    const caught = collect('caught');
    const described = collect('described');
    const admin = helper.getNode('admin');
    admin.receive({ stream: 'nowhere' } as never);
    const [error] = (await caught.wait(1)) as unknown as Caught[];
    assert.match(error.error.message, /^\w+: stream missing: /);
    await statusShown('admin', 'stream missing');
    admin.receive({ stream: 'bad/name' } as never);
    const [, invalid] = (await caught.wait(2)) as unknown as Caught[];
    assert.match(invalid.error.message, /^\w+: bad msg: stream: /);
    await statusShown('admin', 'bad msg: stream');
    await client.createMessageStream({ name: 'nowhere', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    admin.receive({ stream: 'nowhere' } as never);
    await described.wait(1);
    assert.equal(lastStatus('admin'), 'connected');
  });
});
