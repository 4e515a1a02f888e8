// Items 4, 5 and the hop of 6: our nodes in a real Node-RED runtime, each measure in a child process of its own
// (node-red-child.ts); this side creates the streams they use.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { withConcurrency } from './measure';
import type { ServerProcess } from './server-process';

/** Runs this build's node-red-child.js with `args`; resolves with the JSON it prints last. */
export function inNodeRed<T>(...args: string[]): T {
  return inNodeRedOf<T>(__dirname, ...args);
}

/** The same with the node-red-child.js in `benchDir`: another build's dist/bench, to compare builds. */
export function inNodeRedOf<T>(benchDir: string, ...args: string[]): T {
  const output = execFileSync(process.execPath, ['--expose-gc', path.join(benchDir, 'node-red-child.js'), ...args], { encoding: 'utf8', maxBuffer: 2 ** 29 });
  return JSON.parse(output.trim().split('\n').pop() as string) as T;
}

/** A Memory stream holding `messages` messages of 100 bytes. */
export async function filledStream(server: ServerProcess, name: string, messages: number): Promise<void> {
  const client = new StreamManagerClient({ port: server.port });
  await client.createMessageStream({ name, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory, maxSize: 2 ** 31, streamSegmentSize: 2 ** 24 });
  const payload = Buffer.alloc(100, 'm');
  await withConcurrency(messages, 64, () => client.appendMessage(name, payload));
  await client.close();
}
