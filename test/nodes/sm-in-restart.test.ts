// sm in set to resume, across real restarts of Node-RED (npm start's script as a child process) with the
// file-backed context store: every message is forwarded exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer } from '../helpers/server';

const START_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'start.js');

const FLOW = [
  { id: 'restart-tab', type: 'tab', label: 'resume' },
  { id: 'restart-config', type: 'sm-config', host: '127.0.0.1', port: '' },
  { id: 'restart-in', type: 'sm in', z: 'restart-tab', server: 'restart-config', stream: 'source', mode: 'continuous', start: 'resume', format: 'buffer', batchSize: '2', x: 100, y: 100, wires: [['restart-out']] },
  { id: 'restart-out', type: 'sm out', z: 'restart-tab', server: 'restart-config', stream: 'copy', createStream: true, persistence: 'File', x: 300, y: 100, wires: [[]] },
];

/** Runs Node-RED until `until` resolves, then stops it with SIGTERM as Ctrl-C would. */
async function runNodeRed(userDir: string, streamManagerPort: number, until: () => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [START_SCRIPT], {
    env: { ...process.env, NODE_RED_USER_DIR: userDir, PORT: '0', STREAM_MANAGER_SERVER_PORT: String(streamManagerPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await until();
  } catch (error) {
    throw new Error(`${(error as Error).message}\nNode-RED said:\n${output}`);
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `Node-RED stopped cleanly\n${output}`);
  }
}

async function waitForCopies(client: StreamManagerClient, count: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const newest = await client.describeMessageStream('copy').then(
      (info) => Number(info.storageStatus?.newestSequenceNumber),
      () => -1,
    );
    if (newest + 1 >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`copy did not reach ${count} messages within 30 s`);
}

describe('sm in resuming across Node-RED restarts', () => {
  it('forwards every message exactly once across two restarts', { timeout: 120_000 }, async () => {
    const server = await startTestServer();
    const userDir = await mkdtemp(path.join(tmpdir(), 'sm-node-red-'));
    const client = new StreamManagerClient({ port: server.port });
    try {
      await writeFile(path.join(userDir, 'flows.json'), JSON.stringify(FLOW));
      await client.createMessageStream({ name: 'source', strategyOnFull: StrategyOnFull.RejectNewData });
      const append = (from: number, to: number) =>
        Promise.all(Array.from({ length: to - from }, (_, index) => client.appendMessage('source', Buffer.from(`message ${from + index}`))));

      await append(0, 5);
      await runNodeRed(userDir, server.port, () => waitForCopies(client, 5));
      await append(5, 8);
      await runNodeRed(userDir, server.port, () => waitForCopies(client, 8));
      await append(8, 9);
      await runNodeRed(userDir, server.port, async () => {
        await waitForCopies(client, 9);
        await new Promise((resolve) => setTimeout(resolve, 500));
      });

      const copies = await client.readMessages('copy', { minMessageCount: 1, maxMessageCount: 100 });
      assert.deepEqual(
        copies.map((message) => Buffer.from(message.payload).toString()),
        Array.from({ length: 9 }, (_, index) => `message ${index}`),
      );
    } finally {
      await client.close();
      await server.close();
      await rm(userDir, { recursive: true, force: true });
    }
  });
});
