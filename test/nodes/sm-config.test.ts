import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCheckpointStream, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { freePort } from '../helpers/free-port';
import { startTestServer, type TestServer } from '../helpers/server';
import { collect, configNode, connectionState, helper, helperInternals, loadFlow, observe, startRuntime, stopRuntime, type FlowNode } from './flow-harness';

const TOKEN = 'secret-token-4f2a';

function everyNodeFlow(port: number): FlowNode[] {
  return [
    configNode(port),
    { id: 'out', type: 'sm out', server: 'config', stream: 'shared', wires: [['sent']] },
    { id: 'in', type: 'sm in', server: 'config', stream: 'shared', mode: 'continuous', wires: [['read']] },
    { id: 'reader', type: 'sm in', server: 'config', stream: 'shared', mode: 'input', wires: [['read']] },
    { id: 'admin', type: 'sm admin', server: 'config', action: 'list', wires: [['listed']] },
    { id: 'sent', type: 'helper' },
    { id: 'read', type: 'helper' },
    { id: 'listed', type: 'helper' },
  ];
}

describe('sm-config', () => {
  let server: TestServer;
  // The server logs each connection it accepts: the count of those lines is the count of connections.
  let connectionsOpened = 0;
  const countingLogger = { debug: (line: string) => void (/^connection \S+ opened from /.test(line) && connectionsOpened++), info: () => undefined, warn: () => undefined, error: () => undefined };

  before(async () => {
    await startRuntime();
    server = await startTestServer({ authToken: TOKEN, logger: countingLogger });
    const client = new StreamManagerClient({ port: server.port, authToken: TOKEN });
    await client.createMessageStream({ name: 'shared', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    await client.close();
  });
  after(async () => {
    await server.close();
    await stopRuntime();
  });

  it('shares one connection, authenticated with the token credential, and shows it as connected on every node', async () => {
    const before = connectionsOpened;
    await loadFlow(everyNodeFlow(server.port), { config: { authToken: TOKEN } });
    await connectionState('connected');
    const listed = collect('listed');
    const sent = collect('sent');
    const read = collect('read');
    helper.getNode('admin').receive({});
    helper.getNode('out').receive({ payload: 'through the one connection' });
    await sent.wait(1);
    helper.getNode('reader').receive({});
    await read.wait(2);
    const [msg] = await listed.wait(1);
    assert.equal(connectionsOpened - before, 1, 'four nodes, one action, one append, two reads: one connection');
    // The continuous sm in keeps its consumer's position in a checkpoint stream of its own.
    assert.deepEqual((msg.payload as string[]).filter((name) => !isCheckpointStream(name)), ['shared']);
    assert.ok(!JSON.stringify(helperInternals()._redNodes.getFlows()).includes(TOKEN), 'the token is not in the flows');
    await helper.unload();
  });

  it('reads the token from ${NAME} environment references, and shows a refused token as disconnected', async () => {
    process.env.SM_TEST_TOKEN = TOKEN;
    try {
      await loadFlow(everyNodeFlow(server.port), { config: { authToken: '${SM_TEST_TOKEN}' } });
      await connectionState('connected');
      await helper.unload();
      await loadFlow(everyNodeFlow(server.port), { config: { authToken: 'wrong' } });
      await connectionState('disconnected', /^token refused by 127\.0\.0\.1:\d+$/);
      await helper.unload();
    } finally {
      delete process.env.SM_TEST_TOKEN;
    }
  });

  it('lists the streams of a deployed config node through the editor endpoint', async () => {
    await loadFlow(everyNodeFlow(server.port), { config: { authToken: TOKEN } });
    const response = await helper.request().get('/greengrass-stream-manager/config/streams').expect(200);
    assert.deepEqual((response.body as { streams: string[] }).streams.filter((name) => !isCheckpointStream(name)), ['shared']);
    await helper.request().get('/greengrass-stream-manager/nothing/streams').expect(404);
    await helper.unload();
  });

  describe('development server', () => {
    let userDir: string;
    before(() => {
      userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-config-userdir-'));
      helper.settings({ userDir });
    });
    after(() => {
      helper.settings({ userDir: undefined });
      fs.rmSync(userDir, { recursive: true, force: true });
    });

    const devFlow = (port: number): FlowNode[] => [
      configNode(port, { devServer: true }),
      { id: 'out', type: 'sm out', server: 'config', stream: 'dev', createStream: true, persistence: 'File', wires: [['sent']] },
      { id: 'reader', type: 'sm in', server: 'config', stream: 'dev', mode: 'input', wires: [['read']] },
      { id: 'sent', type: 'helper' },
      { id: 'read', type: 'helper' },
    ];

    it('runs a Stream Manager in the Node-RED process with its store in the user directory, and shows its port', async () => {
      const port = await freePort();
      await loadFlow(devFlow(port));
      await connectionState('connected');
      const status = observe('out').statusTexts();
      assert.ok(status.includes(`connected: dev server :${port}`), `the port is in the status: ${JSON.stringify(status)}`);
      const sent = collect('sent');
      const read = collect('read');
      helper.getNode('out').receive({ payload: 'kept in the user dir' });
      await sent.wait(1);
      helper.getNode('reader').receive({});
      const [msg] = await read.wait(1);
      assert.equal(msg.payload, 'kept in the user dir');
      const store = path.join(userDir, 'greengrass-stream-manager', 'dev-server-config');
      assert.ok(fs.readdirSync(store).length > 0, `the store is in ${store}`);
      const client = new StreamManagerClient({ port });
      assert.deepEqual(await client.listStreams(), ['dev'], 'other programs reach it too');
      await client.close();

      // Redeploy: the server closes with the flows and starts again on the same port, with what it stored.
      await helper.unload();
      const closed = new StreamManagerClient({ port, connectTimeoutMs: 500 });
      await assert.rejects(closed.connect(), (error: { code?: string }) => error.code === 'Connection', 'nothing listens once the flows stop');
      await closed.close();
      await loadFlow(devFlow(port));
      await connectionState('connected');
      const readAgain = collect('read');
      helper.getNode('reader').receive({});
      const [again] = await readAgain.wait(1);
      assert.equal(again.payload, 'kept in the user dir');
      await helper.unload();
    });

    it('gives a second config node asking for the same port a clear error instead of a second server', async () => {
      const port = await freePort();
      await loadFlow([
        ...devFlow(port),
        { id: 'other', type: 'sm-config', host: '127.0.0.1', port: String(port), devServer: true, name: 'second' },
        { id: 'other-out', type: 'sm out', server: 'other', stream: 'dev', wires: [] },
      ]);
      await connectionState('connected');
      await connectionState('disconnected', new RegExp(`^dev server: port ${port} in use$`), 'other');
      const errors = observe('other').errors();
      assert.ok(errors.some((message) => message.includes(`port ${port} is already used by the development server of config node "config"`)), JSON.stringify(errors));
      await helper.unload();
    });

    it('says when another program holds the port', async () => {
      const holder = net.createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => holder.once('listening', resolve));
      const { port } = holder.address() as net.AddressInfo;
      try {
        await loadFlow(devFlow(port));
        await connectionState('disconnected', new RegExp(`^dev server: port ${port} in use$`));
        await helper.unload();
      } finally {
        holder.close();
      }
    });
  });
});
