// Item 5, run as a child process with a real Node-RED runtime (npm start's, not the test helper, which records every
// call of every node): prints JSON with the peak RSS in MB.
//   node sm-in-memory.js sm-in PORT STREAM COUNT   sm in (continuous) reads COUNT messages
//   node sm-in-memory.js sm-out-down ROUNDS COUNT   sm out with nothing listening, queue full: heap after each round
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEnvironment } from '../scripts/start';

interface RuntimeNode {
  receive(msg: object): void;
  context(): { get(key: string): unknown };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = require(process.env.NODE_RED_PATH ?? 'node-red') as { nodes: { getNode(id: string): RuntimeNode | null } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The deployed node; Node-RED starts the flows a little after start() resolves. */
async function deployedNode(id: string): Promise<RuntimeNode> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const node = RED.nodes.getNode(id);
    if (node) return node;
    await sleep(50);
  }
  throw new Error(`node ${id} was not deployed within 10 s`);
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const userDir = mkdtempSync(path.join(tmpdir(), 'sm-bench-red-'));
  const config = { id: 'bench-config', type: 'sm-config', host: '127.0.0.1', port: mode === 'sm-in' ? args[0] : '1' };
  const flow =
    mode === 'sm-in'
      ? [config, { id: 'bench-tab', type: 'tab' }, { id: 'bench-in', type: 'sm in', z: 'bench-tab', server: 'bench-config', stream: args[1], mode: 'continuous', batchSize: '500', format: 'buffer', x: 100, y: 100, wires: [[]] }]
      : [config, { id: 'bench-tab', type: 'tab' }, { id: 'bench-out', type: 'sm out', z: 'bench-tab', server: 'bench-config', stream: 'nowhere', maxQueued: '1000', x: 100, y: 100, wires: [[]] }];
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  const environment = await startEnvironment({ userDir, editorPort: 0, streamManagerPort: 1, log: () => undefined, quiet: true });
  let result: object;
  if (mode === 'sm-in') {
    const count = Number(args[2]);
    const node = await deployedNode('bench-in');
    while (node.context().get('lastSequenceNumber') !== count - 1) await sleep(100);
    result = { received: count, peakMb: process.resourceUsage().maxRSS / 1024 };
  } else {
    const [rounds, count] = args.map(Number);
    const node = await deployedNode('bench-out');
    const heapMb: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let index = 0; index < count; index++) node.receive({ payload: Buffer.alloc(100) });
      await sleep(500);
      global.gc?.();
      heapMb.push(Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10);
    }
    result = { heapMb };
  }
  await environment.stop();
  rmSync(userDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

void main();
