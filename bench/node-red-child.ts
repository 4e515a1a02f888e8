// Items 4, 5 and the hop of item 6, run as a child process with a real Node-RED runtime (npm start's), as users run
// it; the test helper wraps every node method in spies, which the figures would measure too. Prints one line of JSON.
//   node node-red-child.js sm-out PORT STREAM COUNT     sm out: msgs/s from receive until COUNT acknowledged msgs are out
//   node node-red-child.js sm-in PORT STREAM COUNT      sm in (continuous): msgs/s from deploy until COUNT msgs are out
//   node node-red-child.js sm-in-manual PORT STREAM COUNT  sm in (continuous, manual acks from a function node):
//                                                       msgs/s from deploy until COUNT acks are sent back into it
//   node node-red-child.js hop PORT STREAM SAMPLES      one append at a time until the continuous sm in sends it: ms each
//   node node-red-child.js sm-in-rss PORT STREAM COUNT  sm in (continuous, output unwired) reads COUNT msgs: peak RSS in MB
//   node node-red-child.js sm-out-down ROUNDS COUNT     sm out with nothing listening, queue full: heap after each round
//   node node-red-child.js health-watch PORT SERVER_PID INTERVAL CHECKS  sm admin watching every stream, checking
//                                                       every INTERVAL s: server and Node-RED CPU ms per check
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listConsumers, StreamManagerClient } from '../lib/client';
import { startEnvironment } from '../scripts/start';
import { cpuMicros } from './process-stats';

interface RuntimeNode {
  receive(msg: object): void;
  on(event: 'input', listener: (msg: object) => void): void;
  context(): { get(key: string): unknown };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = require(process.env.NODE_RED_PATH ?? 'node-red') as {
  nodes: { getNode(id: string): RuntimeNode | null; setFlows(flows: object[], credentials: null, type: 'full'): Promise<unknown> };
};

/**
 * Peak RSS of this process since it started, in MB: Linux's VmHWM. Not resourceUsage().maxRSS: Linux carries the RSS
 * of the process as it was before exec into it, so a child's maxRSS is at least its parent's RSS at spawn time.
 */
function peakRssMb(): number {
  const hwm = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('no VmHWM in /proc/self/status: the peak RSS is measured on Linux only');
  return Number(hwm[1]) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** The deployed node; Node-RED starts the flows a little after a deploy resolves. */
async function deployedNode(id: string): Promise<RuntimeNode> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const node = RED.nodes.getNode(id);
    if (node) return node;
    await sleep(5);
  }
  throw new Error(`node ${id} was not deployed within 1 s`);
}

/** Deploys `nodes` (wired to a junction `sink` when `counted`); resolves with the node and the count of msgs at the sink. */
async function deploy(port: string, node: Record<string, unknown>, counted: boolean, acked = false): Promise<{ node: RuntimeNode; received(count: number): Promise<void> }> {
  const tab = { id: 'bench-tab', type: 'tab' };
  const config = { id: 'bench-config', type: 'sm-config', host: '127.0.0.1', port };
  const sink = { id: 'sink', type: 'junction', z: tab.id, x: 300, y: 100, wires: [] };
  // With manual acks, a function node sends each msg back into sm in as an ack, and the sink counts the acks.
  const ack = { id: 'ack', type: 'function', z: tab.id, func: "return { action: 'ack', sequenceNumber: msg.sequenceNumber };", outputs: 1, x: 200, y: 100, wires: [['bench', sink.id]] };
  const wires = acked ? [ack.id] : counted ? [sink.id] : [];
  await RED.nodes.setFlows([tab, config, { id: 'bench', z: tab.id, server: config.id, x: 100, y: 100, wires: [wires], ...node }, sink, ...(acked ? [ack] : [])], null, 'full');
  let count = 0;
  let waiter: { total: number; resolve(): void } | undefined;
  if (counted) {
    (await deployedNode(sink.id)).on('input', () => {
      count += 1;
      if (waiter && count >= waiter.total) waiter.resolve();
    });
  }
  return {
    node: await deployedNode('bench'),
    received: (total) => (count >= total ? Promise.resolve() : new Promise((resolve) => (waiter = { total, resolve }))),
  };
}

async function measure(mode: string, args: string[]): Promise<object> {
  const [port, stream] = args;
  const count = Number(args[2]);
  switch (mode) {
    case 'sm-out': {
      const { node, received } = await deploy(port, { type: 'sm out', stream, maxQueued: String(count) }, true);
      await sleep(200);
      const start = process.hrtime.bigint();
      for (let index = 0; index < count; index++) node.receive({ payload: Buffer.alloc(100, 'p') });
      await received(count);
      return { rate: count / seconds(start) };
    }
    case 'sm-in': {
      const start = process.hrtime.bigint();
      const { received } = await deploy(port, { type: 'sm in', stream, mode: 'continuous', batchSize: '500', format: 'buffer' }, true);
      await received(count);
      return { rate: count / seconds(start) };
    }
    case 'sm-in-manual': {
      const start = process.hrtime.bigint();
      const { received } = await deploy(port, { type: 'sm in', stream, mode: 'continuous', ackMode: 'manual', batchSize: '500', format: 'buffer' }, true, true);
      await received(count);
      return { rate: count / seconds(start) };
    }
    case 'hop': {
      const { received } = await deploy(port, { type: 'sm in', stream, mode: 'continuous', start: 'newest', batchSize: '500', format: 'buffer' }, true);
      const client = new StreamManagerClient({ port: Number(port) });
      await sleep(200);
      const milliseconds: number[] = [];
      for (let index = 0; index < count; index++) {
        const appended = process.hrtime.bigint();
        await client.appendMessage(stream, Buffer.alloc(100, 'h'));
        await received(index + 1);
        milliseconds.push(seconds(appended) * 1000);
      }
      await client.close();
      return { milliseconds };
    }
    case 'sm-in-rss': {
      await deploy(port, { type: 'sm in', stream, mode: 'continuous', consumer: 'bench-rss', batchSize: '500', format: 'buffer' }, false);
      const client = new StreamManagerClient({ port: Number(port) });
      while ((await listConsumers(client, stream)).find((listing) => listing.consumer === 'bench-rss')?.nextSequenceNumber !== count) await sleep(100);
      await client.close();
      return { received: count, peakMb: peakRssMb() };
    }
    case 'sm-out-down': {
      const [rounds, messages] = args.map(Number);
      const { node } = await deploy('1', { type: 'sm out', stream: 'nowhere', maxQueued: '1000' }, false);
      const heapMb: number[] = [];
      for (let round = 0; round < rounds; round++) {
        for (let index = 0; index < messages; index++) node.receive({ payload: Buffer.alloc(100) });
        await sleep(500);
        global.gc?.();
        heapMb.push(Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10);
      }
      return { heapMb };
    }
    case 'health-watch': {
      const serverPid = Number(args[1]);
      const [interval, checks] = args.slice(2).map(Number);
      const ownMicros = () => {
        const usage = process.cpuUsage();
        return usage.user + usage.system;
      };
      const sample = () => ({ server: cpuMicros(serverPid), nodeRed: ownMicros(), at: process.hrtime.bigint() });
      // What each process spends with Node-RED up and no watch (the server's export scheduler, Node-RED's timers).
      const idleStart = sample();
      await sleep(5000);
      const idleEnd = sample();
      const idleSeconds = Number(idleEnd.at - idleStart.at) / 1e9;
      const idle = { server: (idleEnd.server - idleStart.server) / idleSeconds, nodeRed: (idleEnd.nodeRed - idleStart.nodeRed) / idleSeconds };
      const { received } = await deploy(port, { type: 'sm admin', mode: 'watch', streams: '', checkEvery: String(interval), outputs: 2 }, true);
      let last: { payload?: { streams?: { state: string }[] } } = {};
      (await deployedNode('sink')).on('input', (msg) => (last = msg));
      // The first check (on connect) is left out: it also opens the connection and reads every stream's full span.
      await received(1);
      const start = sample();
      await received(1 + checks);
      const end = sample();
      const elapsed = Number(end.at - start.at) / 1e9;
      const perCheck = (used: number, idleRate: number) => (used - idleRate * elapsed) / checks / 1000;
      const streams = last.payload?.streams ?? [];
      return {
        checks,
        intervalSeconds: interval,
        serverMsPerCheck: perCheck(end.server - start.server, idle.server),
        nodeRedMsPerCheck: perCheck(end.nodeRed - start.nodeRed, idle.nodeRed),
        okStreams: streams.filter((stream) => stream.state === 'ok').length,
        reportedStreams: streams.length,
      };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const userDir = mkdtempSync(path.join(tmpdir(), 'sm-bench-red-'));
  writeFileSync(path.join(userDir, 'flows.json'), '[]');
  // Pointed at the benchmark's server, npm start's environment starts no server of its own; sm-out-down gets one on a
  // free port, which its flow does not use.
  const environment = await startEnvironment({ userDir, editorPort: 0, streamManagerPort: mode === 'sm-out-down' ? 0 : Number(args[0]), log: () => undefined, quiet: true });
  const result = await measure(mode, args);
  await environment.stop();
  rmSync(userDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

void main();
