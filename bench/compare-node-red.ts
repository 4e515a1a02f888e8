// Item 4 of docs/benchmarks.md for this build and another one, taking turns, so that a change in a rate can be told
// from the machine's drift (on a shared machine one run of a Node-RED row varies by 20 % or more):
//   npm run bench:compare -- <other checkout, built> [rounds, default 5]
// An older commit is checked out and built beside this one with
//   git worktree add /tmp/other <commit> && cd /tmp/other && npm ci && npm run build
// Both builds' Node-RED children use one sm-server of this build; every measure reads a stream filled for it alone.
import * as path from 'node:path';
import { StreamManagerClient } from '../lib/client';
import { filledStream, inNodeRedOf } from './node-red-bench';
import { median } from './measure';
import { startServerProcess } from './server-process';

const MESSAGES = 50_000;
const MEASURES = [
  { mode: 'sm-out', label: 'sm out msgs/s', filled: 0 },
  { mode: 'sm-in', label: 'sm in, automatic acks, msgs/s', filled: MESSAGES },
  { mode: 'sm-in-manual', label: 'sm in, manual acks, msgs/s', filled: MESSAGES },
];

async function main(): Promise<void> {
  const [other, roundsArgument] = process.argv.slice(2);
  if (!other) throw new Error('usage: npm run bench:compare -- <other checkout, built> [rounds]');
  const builds = [
    { name: 'this build', benchDir: __dirname },
    { name: path.resolve(other), benchDir: path.resolve(other, 'dist', 'bench') },
  ];
  const rounds = Number(roundsArgument ?? 5);
  const rates = new Map<string, number[]>();
  const server = await startServerProcess();
  const client = new StreamManagerClient({ port: server.port });
  let streams = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const measure of MEASURES) {
        for (const build of builds) {
          const stream = `compare-${++streams}`;
          await filledStream(server, stream, measure.filled);
          const { rate } = inNodeRedOf<{ rate: number }>(build.benchDir, measure.mode, String(server.port), stream, String(MESSAGES));
          const key = `${measure.label}\t${build.name}`;
          rates.set(key, [...(rates.get(key) ?? []), rate]);
          await client.deleteMessageStream(stream);
        }
      }
    }
  } finally {
    await client.close();
    await server.stop();
  }
  const thousands = (rate: number) => `${(rate / 1000).toFixed(1)}k`;
  for (const [key, values] of rates) {
    const [label, build] = key.split('\t');
    process.stdout.write(`${label.padEnd(32)} ${build.padEnd(40)} median ${thousands(median(values))}, ${thousands(Math.min(...values))} to ${thousands(Math.max(...values))} over ${values.length} runs\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
