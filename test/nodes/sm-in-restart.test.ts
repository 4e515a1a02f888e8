// A continuous sm in across real restarts of Node-RED (a child process, stopped as Ctrl-C does or killed with -9):
// its consumer's position lives in Stream Manager, so stock settings (no persistent context store) resume exactly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeDeadLetter, listConsumers, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { quietFor, waitUntil } from '../helpers/wait';

const NODE_RED_PROCESS = path.join(__dirname, '..', 'helpers', 'node-red-process.js');

type FlowNode = Record<string, unknown> & { id: string };

function forwardingFlow(inNode: Record<string, unknown>, between: FlowNode[] = []): FlowNode[] {
  return [
    { id: 'restart-tab', type: 'tab', label: 'forwarding' },
    { id: 'restart-config', type: 'sm-config', host: '127.0.0.1', port: '' },
    { id: 'restart-in', type: 'sm in', z: 'restart-tab', server: 'restart-config', stream: 'source', mode: 'continuous', format: 'buffer', batchSize: '2', x: 100, y: 100, wires: [[between[0]?.id ?? 'restart-out']], ...inNode },
    ...between,
    { id: 'restart-out', type: 'sm out', z: 'restart-tab', server: 'restart-config', stream: 'copy', createStream: true, persistence: 'File', x: 300, y: 100, wires: [[]] },
  ];
}

/** Acknowledges what it forwards: messages below 10, or every one when SM_ACK_ALL is yes. */
const ACKING_FUNCTION: FlowNode = {
  id: 'restart-ack',
  type: 'function',
  z: 'restart-tab',
  func: "const ack = msg.sequenceNumber < 10 || env.get('SM_ACK_ALL') === 'yes';\nreturn [msg, ack ? { action: 'ack', sequenceNumber: msg.sequenceNumber } : null];",
  outputs: 2,
  x: 200,
  y: 100,
  wires: [['restart-out'], ['restart-in']],
};

interface NodeRedRun {
  /** Stops it as Ctrl-C does and checks it stopped cleanly. */
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Resolves when the process ends, by itself or not. */
  exited: Promise<number | null>;
}

async function startNodeRed(userDir: string, port: number, settings: 'stock' | 'start', env: Record<string, string> = {}): Promise<NodeRedRun> {
  const child = spawn(process.execPath, [NODE_RED_PROCESS, settings], {
    env: { ...process.env, NODE_RED_USER_DIR: userDir, STREAM_MANAGER_SERVER_PORT: String(port), PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready ')) resolve();
    });
    void exited.then((code) => reject(new Error(`Node-RED exited with ${code} before it was ready:\n${output}`)));
  });
  return {
    exited,
    async stop() {
      child.kill('SIGTERM');
      assert.equal(await exited, 0, `Node-RED stopped cleanly\n${output}`);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function copies(client: StreamManagerClient): Promise<string[]> {
  const messages = await client.readMessages('copy', { minMessageCount: 1, maxMessageCount: 1000 }).catch(() => []);
  return messages.map((message) => Buffer.from(message.payload).toString());
}

async function waitForCopies(client: StreamManagerClient, count: number): Promise<void> {
  await waitUntil(async () => (await copies(client)).length >= count, `${count} messages in copy`, 30_000, 100).catch(async (error: Error) => {
    throw new Error(`${error.message} (it has ${(await copies(client)).length})`);
  });
}

const messages = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => `message ${from + index}`);

async function withNodeRedAndServer(flow: FlowNode[], test: (context: { server: TestServer; client: StreamManagerClient; userDir: string }) => Promise<void>): Promise<void> {
  const server = await startTestServer();
  const userDir = await mkdtemp(path.join(tmpdir(), 'sm-node-red-'));
  const client = new StreamManagerClient({ port: server.port });
  try {
    await writeFile(path.join(userDir, 'flows.json'), JSON.stringify(flow));
    await client.createMessageStream({ name: 'source', strategyOnFull: StrategyOnFull.RejectNewData });
    await test({ server, client, userDir });
  } finally {
    await client.close();
    await server.close();
    await rm(userDir, { recursive: true, force: true });
  }
}

const append = (client: StreamManagerClient, from: number, to: number) => Promise.all(messages(from, to).map((text) => client.appendMessage('source', Buffer.from(text))));

describe('sm in across Node-RED restarts', () => {
  it('with stock settings resumes exactly where a clean stop left it: no message twice, none missing', { timeout: 120_000 }, async () => {
    await withNodeRedAndServer(forwardingFlow({}), async ({ server, client, userDir }) => {
      await append(client, 0, 5);
      let nodeRed = await startNodeRed(userDir, server.port, 'stock');
      await waitForCopies(client, 5);
      await nodeRed.stop();
      await append(client, 5, 8);
      nodeRed = await startNodeRed(userDir, server.port, 'stock');
      await waitForCopies(client, 8);
      await nodeRed.stop();
      await append(client, 8, 9);
      nodeRed = await startNodeRed(userDir, server.port, 'stock');
      await waitForCopies(client, 9);
      await quietFor(500);
      await nodeRed.stop();
      assert.deepEqual(await copies(client), messages(0, 9));
    });
  });

  it('after kill -9 loses nothing acknowledged: only unacknowledged messages come again', { timeout: 120_000 }, async () => {
    await withNodeRedAndServer(forwardingFlow({ ackMode: 'manual', consumer: 'forwarder' }, [ACKING_FUNCTION]), async ({ server, client, userDir }) => {
      await append(client, 0, 20);
      let nodeRed = await startNodeRed(userDir, server.port, 'stock');
      await waitForCopies(client, 20);
      // Long enough for the coalesced position write (once a second) of the ten acknowledged ones.
      await waitUntil(async () => (await listConsumers(client, 'source'))[0]?.nextSequenceNumber === 10, 'the position 10 committed', 5_000, 100);
      await nodeRed.kill();
      nodeRed = await startNodeRed(userDir, server.port, 'stock', { SM_ACK_ALL: 'yes' });
      await waitForCopies(client, 30);
      await quietFor(500);
      await nodeRed.stop();
      const forwarded = await copies(client);
      assert.deepEqual(forwarded.slice(0, 20), messages(0, 20));
      assert.deepEqual(forwarded.slice(20), messages(10, 20), 'the ten never acknowledged came again, and nothing else');
      const [position] = await listConsumers(client, 'source');
      assert.equal(position.nextSequenceNumber, 20);
    });
  });

  it('takes over where an older version kept its position in a persistent context store (start: resume)', { timeout: 120_000 }, async () => {
    await withNodeRedAndServer(forwardingFlow({ start: 'resume' }), async ({ server, client, userDir }) => {
      await append(client, 0, 8);
      // What the older version wrote with npm start's localfilesystem store: the last sequence number it sent on.
      await mkdir(path.join(userDir, 'context', 'restart-tab'), { recursive: true });
      await writeFile(path.join(userDir, 'context', 'restart-tab', 'restart-in.json'), JSON.stringify({ lastSequenceNumber: 4 }));
      let nodeRed = await startNodeRed(userDir, server.port, 'start');
      await waitForCopies(client, 3);
      await nodeRed.stop();
      await append(client, 8, 10);
      nodeRed = await startNodeRed(userDir, server.port, 'start');
      await waitForCopies(client, 5);
      await quietFor(500);
      await nodeRed.stop();
      assert.deepEqual(await copies(client), messages(5, 10));
    });
  });
});

/** Forwards and acknowledges every msg, except the poison one: on it, it kills its own Node-RED with kill -9. */
const POISONED_FUNCTION: FlowNode = {
  id: 'restart-poisoned',
  type: 'function',
  z: 'restart-tab',
  func:
    "if (msg.payload.toString() === 'poison') {\n  const host = msg.constructor.constructor('return process')();\n  host.kill(host.pid, 'SIGKILL');\n  return null;\n}\nreturn [msg, { action: 'ack', sequenceNumber: msg.sequenceNumber }];",
  outputs: 2,
  x: 200,
  y: 100,
  wires: [['restart-out'], ['restart-in']],
};

describe('a poison message that crashes Node-RED', () => {
  it('reaches the dead-letter stream after Give up after deliveries, each ended by the crash', { timeout: 240_000 }, async () => {
    const inNode = { ackMode: 'manual', consumer: 'poisoned', maxDeliveries: '3', deadLetterStream: 'source-dead', batchSize: '10' };
    await withNodeRedAndServer(forwardingFlow(inNode, [POISONED_FUNCTION]), async ({ server, client, userDir }) => {
      await Promise.all(['before', 'poison', 'after'].map((text) => client.appendMessage('source', Buffer.from(text))));
      let crashes = 0;
      for (; crashes < 5; crashes++) {
        const nodeRed = await startNodeRed(userDir, server.port, 'stock');
        const ended = await Promise.race([nodeRed.exited.then(() => true), waitForCopies(client, 2).then(() => false, () => false)]);
        if (!ended) {
          await nodeRed.stop();
          break;
        }
      }
      assert.equal(crashes, 3, 'Node-RED crashed once per delivery, and not after the third');
      const [letter] = await client.readMessages('source-dead', { minMessageCount: 1, maxMessageCount: 10, readTimeoutMillis: 0 });
      const deadLetter = decodeDeadLetter(letter.payload);
      assert.equal(deadLetter.payload.toString(), 'poison');
      assert.equal(deadLetter.deliveryCount, 3);
      assert.equal(deadLetter.sequenceNumber, 1);
      assert.deepEqual(await copies(client), ['before', 'after']);
      const [position] = await listConsumers(client, 'source');
      assert.equal(position.nextSequenceNumber, 3);
    });
  });
});
