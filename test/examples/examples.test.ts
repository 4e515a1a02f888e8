// Every example flow deploys into a real runtime against the local server and its nodes start without error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeDeadLetter, listConsumers, StreamManagerClient } from '../../lib/client';
import { startNodeRedChild } from '../helpers/node-red-child';
import { startTestServer, type TestServer } from '../helpers/server';
import { helper, helperInternals, loadFlow, startRuntime, stopRuntime, type FlowNode } from '../nodes/flow-harness';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');
const OUR_TYPES = ['sm in', 'sm out', 'sm admin'];

interface LogEntry {
  level: number;
  id?: string;
  type?: string;
  msg?: unknown;
}

describe('example flows', () => {
  let server: TestServer;
  const previousPort = process.env.STREAM_MANAGER_SERVER_PORT;
  const previousEditorPort = process.env.PORT;

  before(async () => {
    server = await startTestServer();
    process.env.STREAM_MANAGER_SERVER_PORT = String(server.port);
    await startRuntime();
    // export-health-alerts asks Node-RED's port (PORT) for its endpoint: the runtime's own, which answers (404: the
    // harness serves no http in endpoints over HTTP) rather than refusing. Its own test runs it in a real Node-RED.
    process.env.PORT = new URL(helper.url()).port;
  });
  after(async () => {
    if (previousPort === undefined) delete process.env.STREAM_MANAGER_SERVER_PORT;
    else process.env.STREAM_MANAGER_SERVER_PORT = previousPort;
    if (previousEditorPort === undefined) delete process.env.PORT;
    else process.env.PORT = previousEditorPort;
    await stopRuntime();
    await server.close();
  });

  const files = fs.readdirSync(EXAMPLES).filter((file) => file.endsWith('.json'));

  it('has the examples the README promises', () => {
    assert.deepEqual(files.sort(), [
      'continuous-reading-with-resume.json',
      'durable-mqtt-forwarding.json',
      'export-health-alerts.json',
      'getting-started.json',
      'reliable-forwarding.json',
      'sensor-batching-with-export.json',
      'sitewise-and-s3-export.json',
      'stream-lifecycle.json',
    ]);
  });

  it('getting-started.json really appends readings and reads them back', { timeout: 20_000 }, async () => {
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'getting-started.json'), 'utf8')) as FlowNode[];
    await loadFlow(flow);
    const read = helper.getNode('gs-read');
    const readBack = new Promise<{ payload: { temperature: number } }>((resolve) => read.on('input', resolve as never));
    const client = new StreamManagerClient({ port: server.port });
    try {
      const msg = await readBack;
      assert.equal(typeof msg.payload.temperature, 'number');
      assert.ok(Number((await client.describeMessageStream('getting-started')).storageStatus?.newestSequenceNumber) >= 0);
    } finally {
      await client.close();
      await helper.unload();
    }
  });

  it('reliable-forwarding.json, in a real Node-RED, posts every reading to its endpoint and acknowledges it once it got through', { timeout: 60_000 }, async () => {
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'reliable-forwarding.json'), 'utf8')) as FlowNode[];
    const client = new StreamManagerClient({ port: server.port });
    // Started first to learn its port, then deployed with the endpoint's URL on that port.
    const nodeRed = await startNodeRedChild(server.port);
    try {
      (flow.find((node) => node.id === 'rf-post') as FlowNode).url = `${nodeRed.editorUrl}api/reliable-forwarding-demo`;
      await nodeRed.deploy(flow);
      let position = 0;
      for (let attempt = 0; attempt < 150 && position < 6; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        position = (await listConsumers(client, 'forwarding-demo')).find((listing) => listing.consumer === 'http-forwarder')?.nextSequenceNumber ?? 0;
      }
      assert.ok(position >= 6, `six readings acknowledged, position ${position}`);
      const dead = (await client.listStreams()).includes('forwarding-demo-dead') ? await client.readMessages('forwarding-demo-dead', { maxMessageCount: 10 }) : [];
      assert.deepEqual(dead.map((message) => decodeDeadLetter(message.payload).lastError), [], 'none of them was dead-lettered: each got through');
    } finally {
      await nodeRed.stop();
      await client.close();
    }
  });

  for (const file of files) {
    it(`${file} deploys, explains itself in a comment node and starts without error`, async () => {
      const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
      assert.ok(flow.some((node) => node.type === 'comment' && String(node.info).length > 50), 'a comment node explains the flow');
      const allowed = new Set(['tab', 'comment', 'inject', 'debug', 'function', 'catch', 'http in', 'http request', 'http response', 'mqtt out', 'mqtt-broker', 'status', 'complete', 'file', 'change', 'switch', 'sm-config', ...OUR_TYPES]);
      for (const node of flow) assert.ok(allowed.has(node.type), `${node.type} is a core node or ours`);
      await loadFlow(flow);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        for (const node of flow.filter((candidate) => OUR_TYPES.includes(candidate.type))) {
          assert.ok(helper.getNode(node.id), `${node.type} ${node.id} started`);
        }
        const errors = (helper.log().args as [LogEntry][])
          .map(([entry]) => entry)
          .filter((entry) => entry.level <= 20 && entry.id !== undefined);
        assert.deepEqual(errors.map((entry) => `${entry.type} ${entry.id}: ${String(entry.msg)}`), []);
      } finally {
        await helper.unload();
      }
    });
  }

  it('all share one config node, so importing several adds one connection, and all of them run together on it', async () => {
    const flows = files.map((file) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[]);
    const configs = flows.map((flow) => flow.filter((node) => node.type === 'sm-config'));
    for (const [index, found] of configs.entries()) assert.equal(found.length, 1, `${files[index]} has one config node`);
    for (const [index, [config]] of configs.entries()) assert.deepEqual(config, configs[0][0], `${files[index]}'s config node is the shared one`);
    for (const [index, flow] of flows.entries()) {
      const servers = new Set(flow.filter((node) => 'server' in node).map((node) => node.server));
      assert.deepEqual([...servers], [configs[0][0].id], `${files[index]} uses the shared config node`);
    }
    // What the editor does on import: a config node whose id is already there is not added again.
    const imported = new Map<string, FlowNode>();
    for (const node of flows.flat()) if (!imported.has(node.id)) imported.set(node.id, node);
    await loadFlow([...imported.values()]);
    try {
      const configNodes: string[] = [];
      helperInternals()._redNodes.eachNode((node) => {
        if (node.type === 'sm-config') configNodes.push(node.id);
      });
      assert.deepEqual(configNodes, [configs[0][0].id]);
      for (const node of [...imported.values()].filter((candidate) => OUR_TYPES.includes(candidate.type))) {
        assert.ok(helper.getNode(node.id), `${node.type} ${node.id} started`);
      }
    } finally {
      await helper.unload();
    }
  });
});
