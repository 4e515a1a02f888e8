// Items 4 and the second half of 6: our nodes in a real Node-RED runtime (the test helper's).
import type { Node, NodeMessage } from 'node-red';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { configNode, helper, loadFlow, startRuntime, stopRuntime } from '../test/nodes/flow-harness';
import { percentile, withConcurrency } from './measure';
import type { ServerProcess } from './server-process';

const PAYLOAD = Buffer.alloc(100, 'p');

/** The test helper records every log call (one per msg at trace level); a benchmark must not measure that. */
export function stopRecordingLogs(): void {
  (helper as unknown as { _logSpy?: { restore(): void } })._logSpy?.restore();
}

function counter(nodeId: string): { count(): number; until(total: number): Promise<void>; onMessage(listener: (msg: NodeMessage) => void): void } {
  let received = 0;
  let waiter: { total: number; resolve(): void } | undefined;
  const listeners: ((msg: NodeMessage) => void)[] = [];
  (helper.getNode(nodeId) as Node).on('input', (msg: NodeMessage) => {
    received += 1;
    for (const listener of listeners) listener(msg);
    if (waiter && received >= waiter.total) waiter.resolve();
  });
  return {
    count: () => received,
    until: (total) => (received >= total ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { total, resolve }))),
    onMessage: (listener) => listeners.push(listener),
  };
}

async function createStream(port: number, name: string): Promise<StreamManagerClient> {
  const client = new StreamManagerClient({ port });
  await client.createMessageStream({ name, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory, maxSize: 2 ** 31, streamSegmentSize: 2 ** 24 });
  return client;
}

export interface NodeRedRates {
  smOut: number;
  smIn: number;
  hop: { p50: number; p99: number };
}

export async function nodeRedRates(server: ServerProcess, messages: number, hopSamples: number): Promise<NodeRedRates> {
  await startRuntime();
  try {
    // sm out: msgs in, acknowledged msgs out.
    const outClient = await createStream(server.port, 'nr-out');
    await loadFlow([configNode(server.port), { id: 'out', type: 'sm out', server: 'config', stream: 'nr-out', maxQueued: String(messages), wires: [['sent']] }, { id: 'sent', type: 'helper' }]);
    stopRecordingLogs();
    const sent = counter('sent');
    const out = helper.getNode('out');
    await new Promise((resolve) => setTimeout(resolve, 200));
    let start = process.hrtime.bigint();
    for (let index = 0; index < messages; index++) out.receive({ payload: PAYLOAD } as never);
    await sent.until(messages);
    const smOut = messages / (Number(process.hrtime.bigint() - start) / 1e9);
    await helper.unload();
    await outClient.close();

    // sm in, continuous: messages already in the stream, delivered as msgs.
    const inClient = await createStream(server.port, 'nr-in');
    await withConcurrency(messages, 64, () => inClient.appendMessage('nr-in', PAYLOAD));
    start = process.hrtime.bigint();
    await loadFlow([configNode(server.port), { id: 'in', type: 'sm in', server: 'config', stream: 'nr-in', mode: 'continuous', batchSize: '500', format: 'buffer', wires: [['read']] }, { id: 'read', type: 'helper' }]);
    stopRecordingLogs();
    const read = counter('read');
    await read.until(messages);
    const smIn = messages / (Number(process.hrtime.bigint() - start) / 1e9);

    // The hop: one append at a time, until the continuous reader delivers it.
    const times: number[] = [];
    for (let index = 0; index < hopSamples; index++) {
      const before = read.count();
      const appended = process.hrtime.bigint();
      await inClient.appendMessage('nr-in', PAYLOAD);
      await read.until(before + 1);
      times.push(Number(process.hrtime.bigint() - appended) / 1e6);
    }
    await helper.unload();
    await inClient.close();

    return { smOut, smIn, hop: { p50: percentile(times, 0.5), p99: percentile(times, 0.99) } };
  } finally {
    await stopRuntime();
  }
}
