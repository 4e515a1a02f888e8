// 200 redeploys of a flow with every node type, each one used before it goes: afterwards the Node-RED process has
// no more sockets, timers or listeners than before, the server no more connections, and the heap has not grown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StrategyOnFull, StreamManagerClient } from '../lib/client';
import { startEnvironment, type StartedEnvironment } from '../scripts/start';
import { kill, spawnServer, type ServerChild } from './server-child';

const REDEPLOYS = 200;

/** Every node type, each set going by an inject node that fires once per deploy. */
function everyNodeFlow(port: number, round: number): Record<string, unknown>[] {
  const once = (id: string, target: string) => ({ id, type: 'inject', z: 'tab', once: true, onceDelay: 0.1, repeat: '', payload: `round ${round}`, payloadType: 'str', wires: [[target]] });
  return [
    { id: 'tab', type: 'tab', label: `round ${round}` },
    { id: 'config', type: 'sm-config', host: '127.0.0.1', port: String(port) },
    once('append', 'out'),
    { id: 'out', type: 'sm out', z: 'tab', server: 'config', stream: 'redeployed', wires: [[]] },
    { id: 'follower', type: 'sm in', z: 'tab', server: 'config', stream: 'redeployed', mode: 'continuous', start: 'newest', wires: [[]] },
    once('read', 'reader'),
    { id: 'reader', type: 'sm in', z: 'tab', server: 'config', stream: 'redeployed', mode: 'input', wires: [[]] },
    once('describe', 'admin'),
    { id: 'admin', type: 'sm admin', z: 'tab', server: 'config', action: 'describe', stream: 'redeployed', wires: [[]] },
  ];
}

interface Footprint {
  sockets: number;
  timers: number;
  processListeners: number;
  serverSockets: number;
  heapMb: number;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function footprint(server: ServerChild): Promise<Footprint> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  collectGarbage();
  const resources = process.getActiveResourcesInfo();
  return {
    sockets: resources.filter((kind) => kind === 'TCPSocketWrap').length,
    timers: resources.filter((kind) => kind === 'Timeout').length,
    processListeners: process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0),
    serverSockets: server.socketCount(),
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

describe('redeploys', () => {
  it(`leave nothing behind after ${REDEPLOYS} full deploys of a flow with every node type`, { timeout: 300_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-redeploy-'));
    const userDir = await mkdtemp(path.join(tmpdir(), 'sm-redeploy-red-'));
    const server = await spawnServer(storeDir);
    const client = new StreamManagerClient({ port: server.port });
    let nodeRed: StartedEnvironment | undefined;
    try {
      await client.createMessageStream({ name: 'redeployed', strategyOnFull: StrategyOnFull.OverwriteOldestData });
      nodeRed = await startEnvironment({
        userDir,
        editorPort: 0,
        streamManagerPort: server.port,
        log: () => undefined,
        settings: { logging: { console: { level: 'off' } } },
      });
      const editorUrl = nodeRed.editorUrl;
      /** A full deploy, as the editor's Deploy button makes it; resolves once the round's inject was appended. */
      const deploy = async (round: number): Promise<void> => {
        const response = await fetch(new URL('flows', editorUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
          body: JSON.stringify(everyNodeFlow(server.port, round)),
        });
        assert.ok(response.ok, `deploy ${round}: ${response.status}`);
        for (let wait = 0; wait < 200; wait++) {
          const newest = Number((await client.describeMessageStream('redeployed')).storageStatus?.newestSequenceNumber);
          if (newest >= round) return;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        assert.fail(`round ${round}: its msg was not appended within 5 s`);
      };

      await deploy(0);
      const before = await footprint(server);
      for (let round = 1; round <= REDEPLOYS; round++) await deploy(round);
      const after = await footprint(server);
      process.stdout.write(`# footprint after 1 deploy ${JSON.stringify(before)}, after ${REDEPLOYS} more ${JSON.stringify(after)}\n`);
      assert.ok(after.sockets <= before.sockets, `sockets: ${after.sockets} after, ${before.sockets} before`);
      assert.ok(after.timers <= before.timers, `timers: ${after.timers} after, ${before.timers} before`);
      assert.equal(after.processListeners, before.processListeners, 'process listeners');
      assert.ok(after.serverSockets <= before.serverSockets, `server sockets: ${after.serverSockets} after, ${before.serverSockets} before`);
      assert.ok(after.heapMb < before.heapMb + 16, `heap: ${after.heapMb.toFixed(1)} MB after, ${before.heapMb.toFixed(1)} MB before`);
    } finally {
      await nodeRed?.stop();
      await client.close();
      await kill(server);
      await rm(storeDir, { recursive: true, force: true });
      await rm(userDir, { recursive: true, force: true });
    }
  });
});
