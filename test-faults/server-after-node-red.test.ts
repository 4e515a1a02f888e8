// Node-RED comes up before Stream Manager, as on a gateway that boots Node-RED first: the nodes show that nothing
// answers, sm out holds what arrives meanwhile, and once the server starts every msg is stored in order and read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collect, configNode, connectionState, helper, loadFlow, startRuntime, stopRuntime, type StoredMsg } from '../test/nodes/flow-harness';
import { kill, spawnServer, type ServerChild } from './server-child';
import { quietFor } from '../test/helpers/wait';

const WAITING_MSGS = 200;

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('a server started after Node-RED', () => {
  it(`stores the ${WAITING_MSGS} msgs that arrived before it, in order, and sm in reads them all`, { timeout: 60_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-late-'));
    const port = await freePort();
    let server: ServerChild | undefined;
    await startRuntime();
    try {
      await loadFlow([
        configNode(port, { connectTimeout: '0.5' }),
        { id: 'out', type: 'sm out', server: 'config', stream: 'late', createStream: true, persistence: 'File', maxQueued: String(WAITING_MSGS), wires: [['acked']] },
        { id: 'acked', type: 'helper' },
        { id: 'in', type: 'sm in', server: 'config', stream: 'late', mode: 'continuous', start: 'oldest', format: 'utf8', wires: [['delivered']] },
        { id: 'delivered', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]);
      const acked = collect<StoredMsg>('acked');
      const delivered = collect<StoredMsg>('delivered');
      const caught = collect('caught');
      await connectionState('disconnected', /^connection refused 127\.0\.0\.1:\d+$/);
      const out = helper.getNode('out');
      for (let index = 0; index < WAITING_MSGS; index++) out.receive({ payload: `early ${index}` });
      await quietFor(1_000);
      assert.equal(acked.messages.length + caught.messages.length, 0, 'the msgs wait for the server: none acknowledged, none failed');

      server = await spawnServer(storeDir, { port });
      await connectionState('connected', undefined, 'config', 15_000);
      const stored = await acked.wait(WAITING_MSGS, 15_000);
      assert.deepEqual(stored.map((msg) => msg.sequenceNumber), Array.from({ length: WAITING_MSGS }, (_, index) => index));
      assert.deepEqual(stored.map((msg) => msg.payload), Array.from({ length: WAITING_MSGS }, (_, index) => `early ${index}`));
      const read = await delivered.wait(WAITING_MSGS, 15_000);
      assert.deepEqual(read.map((msg) => msg.payload), stored.map((msg) => msg.payload));
      assert.equal(caught.messages.length, 0, 'no msg failed');
      await helper.unload();
    } finally {
      await stopRuntime();
      if (server) await kill(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
