// Msgs no node should get, sent to every node: each one ends at Catch once, with a stable code and a message that
// says what was wrong, and the next good msg works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StrategyOnFull, StreamManagerClient } from '../lib/client';
import { collect, configNode, helper, loadFlow, startRuntime, stopRuntime } from '../test/nodes/flow-harness';
import { kill, spawnServer, type ServerChild } from './server-child';
import { quietFor } from '../test/helpers/wait';

type Hostile = Record<string, unknown>;

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = circular;
let deep: unknown = 'bottom';
for (let level = 0; level < 1_000; level++) deep = { deeper: deep };
// An empty msg.stream is no stream named: sm in and sm admin then use their own, as they should.
const oddStreams: unknown[] = [42, { name: 'feed' }, ['feed'], 'x'.repeat(256), '../feed', 'feed\u0000', 'fe\ned', true];

const HOSTILE: Record<string, Hostile[]> = {
  out: [
    { payload: undefined },
    { payload: null },
    { payload: () => 'a function' },
    { payload: Symbol('symbol') },
    { payload: circular },
    { payload: deep },
    { payload: Buffer.alloc(8 * 1024) },
    ...[...oddStreams, ''].map((stream) => ({ payload: 'reading', stream })),
  ],
  reader: [
    { readOptions: 'everything' },
    { readOptions: [1, 2] },
    { readOptions: { minMessageCount: -1 } },
    { readOptions: { minMessageCount: 5, maxMessageCount: 2 } },
    { readOptions: { maxMessageCount: Number.NaN } },
    { readOptions: { desiredStartSequenceNumber: 2 ** 70 } },
    { readOptions: { readTimeoutMillis: 1.5 } },
    { readOptions: { readTimeoutMillis: '100' } },
    { readOptions: { colour: 'blue' } },
    { readOptions: deep },
    ...oddStreams.map((stream) => ({ stream })),
  ],
  follower: [{ action: 'explode' }, { action: 42 }, { action: { name: 'pause' } }, { action: 'seek' }, { action: 'seek', sequenceNumber: -1 }, { action: 'seek', sequenceNumber: 'first' }, { action: 'seek', sequenceNumber: 2 ** 70 }],
  // A payload that is not a plain object (an inject node's timestamp, say) carries no definition fields: not listed.
  admin: [
    { action: 'rename' },
    { action: 7 },
    { action: ['list'] },
    { action: 'create', payload: { maxSize: 'big' } },
    { action: 'create', payload: { strategyOnFull: 'sometimes' } },
    { action: 'create', payload: { persistence: 7 } },
    { action: 'create', payload: { timeToLiveMillis: -5 } },
    { action: 'create', payload: { exportDefinition: { kinesis: 'yes' } } },
    { action: 'create', payload: { exportDefinition: deep } },
    { action: 'create', payload: circular },
    ...oddStreams.map((stream) => ({ action: 'describe', stream })),
  ],
};

/** What a good msg to each node looks like, and the node that shows it worked. */
const GOOD: Record<string, { msg: Hostile; output: string }> = {
  out: { msg: { payload: 'fine', stream: 'feed' }, output: 'outDone' },
  reader: { msg: {}, output: 'readerDone' },
  follower: { msg: { action: 'seek', sequenceNumber: 0 }, output: 'followerDone' },
  admin: { msg: { action: 'list' }, output: 'adminDone' },
};

interface CaughtMsg {
  _msgid: string;
  error: { code?: string; message: string; source: { id: string } };
}

describe('hostile msgs to every node', () => {
  let storeDir: string;
  let server: ServerChild;

  before(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), 'sm-hostile-'));
    server = await spawnServer(storeDir);
    const client = new StreamManagerClient({ port: server.port });
    await client.createMessageStream({ name: 'feed', maxSize: 4096, streamSegmentSize: 4096, strategyOnFull: StrategyOnFull.RejectNewData });
    await client.appendMessage('feed', Buffer.from('first'));
    await client.close();
    await startRuntime();
  });
  after(async () => {
    await stopRuntime();
    await kill(server);
    await rm(storeDir, { recursive: true, force: true });
  });

  it('ends each at Catch once, with a stable code and a clear message, and the next good msg works', { timeout: 60_000 }, async () => {
    await loadFlow([
      configNode(server.port),
      { id: 'out', type: 'sm out', server: 'config', stream: '', wires: [['outDone']] },
      { id: 'reader', type: 'sm in', server: 'config', stream: 'feed', mode: 'input', readTimeout: '0', notEnough: 'error', wires: [['readerDone']] },
      { id: 'follower', type: 'sm in', server: 'config', stream: 'feed', mode: 'continuous', start: 'oldest', wires: [['followerDone']] },
      { id: 'admin', type: 'sm admin', server: 'config', action: '', stream: 'made', wires: [['adminDone']] },
      ...['outDone', 'readerDone', 'followerDone', 'adminDone', 'caught'].map((id) => ({ id, type: 'helper' })),
      { id: 'catcher', type: 'catch', scope: null, uncaught: true, wires: [['caught']] },
    ]);
    const caught = collect<CaughtMsg>('caught');
    const outputs = Object.fromEntries(Object.values(GOOD).map(({ output }) => [output, collect(output)]));
    await outputs.followerDone.wait(1);
    const sent = new Map<string, { node: string; msg: Hostile }>();
    for (const [node, msgs] of Object.entries(HOSTILE)) {
      for (const [index, msg] of msgs.entries()) {
        const _msgid = `${node}-${index}`;
        sent.set(_msgid, { node, msg });
        helper.getNode(node).receive({ ...msg, stream: 'stream' in msg ? msg.stream : node === 'out' ? 'feed' : undefined, _msgid });
      }
    }
    await caught.wait(sent.size, 20_000).catch(() => undefined);
    await quietFor(500); // a second Catch msg for any of them would come now
    const errors = caught.messages;
    const missing = [...sent].filter(([id]) => !errors.some((msg) => msg._msgid === id)).map(([id, { msg }]) => `${id} ${describeMsg(msg)}`);
    assert.deepEqual(missing, [], 'every hostile msg reached Catch');
    assert.equal(errors.length, sent.size, 'one Catch msg for each hostile msg, no more');
    for (const { _msgid, error } of errors) {
      const { node, msg } = sent.get(_msgid) as { node: string; msg: Hostile };
      assert.equal(error.source.id, node, _msgid);
      assert.ok(['Validation', 'InvalidRequest'].includes(error.code ?? ''), `${_msgid} ${describeMsg(msg)}: code ${error.code}: ${error.message}`);
      assert.ok(error.message.length >= 20 && !/undefined|\[object Object\]/.test(error.message), `${_msgid} ${describeMsg(msg)}: unclear message "${error.message}"`);
    }

    for (const [node, { msg, output }] of Object.entries(GOOD)) {
      const before = outputs[output].messages.length;
      helper.getNode(node).receive({ ...msg });
      await outputs[output].wait(before + 1);
    }
    await helper.unload();
  });
});

function describeMsg(msg: Hostile): string {
  return Object.entries(msg)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? 'object' : String(value).slice(0, 30)}`)
    .join(' ');
}
