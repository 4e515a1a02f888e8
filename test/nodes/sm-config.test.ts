import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCheckpointStream, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { collect, configNode, connectionState, helper, loadFlow, startRuntime, stopRuntime, type FlowNode } from './flow-harness';

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

  before(async () => {
    await startRuntime();
    server = await startTestServer({ authToken: TOKEN });
    const client = new StreamManagerClient({ port: server.port, authToken: TOKEN });
    await client.createMessageStream({ name: 'shared', strategyOnFull: StrategyOnFull.OverwriteOldestData });
    await client.close();
  });
  after(async () => {
    await server.close();
    await stopRuntime();
  });

  it('shares one connection, authenticated with the token credential, and shows it as connected on every node', async () => {
    await loadFlow(everyNodeFlow(server.port), { config: { authToken: TOKEN } });
    await connectionState('connected');
    const listed = collect('listed');
    helper.getNode('admin').receive({} as never);
    const [msg] = await listed.wait(1);
    // The continuous sm in keeps its consumer's position in a checkpoint stream of its own.
    assert.deepEqual((msg.payload as string[]).filter((name) => !isCheckpointStream(name)), ['shared']);
    assert.ok(!JSON.stringify((helper as unknown as { _redNodes: { getFlows(): unknown } })._redNodes.getFlows()).includes(TOKEN), 'the token is not in the flows');
    await helper.unload();
  });

  it('reads the token from ${NAME} environment references, and shows a refused token as disconnected', async () => {
    process.env.SM_TEST_TOKEN = TOKEN;
    try {
      await loadFlow(everyNodeFlow(server.port), { config: { authToken: '${SM_TEST_TOKEN}' } });
      await connectionState('connected');
      await helper.unload();
      await loadFlow(everyNodeFlow(server.port), { config: { authToken: 'wrong' } });
      await connectionState('disconnected', /^Unauthorized$/);
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
});
