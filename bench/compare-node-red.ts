// Item 4 of docs/benchmarks.md for this build and another one, taking turns, so that a change in a rate can be told
// from the machine's drift (on a shared machine one run of a Node-RED row varies by 20 % or more):
//   npm run bench:compare -- <other checkout, built> [rounds, default 5]
// An older commit is checked out and built beside this one with
//   git worktree add /tmp/other <commit> && cd /tmp/other && npm ci && npm run build
// Both builds' Node-RED children use one sm-server of this build; every measure reads a stream filled for it alone.
import { existsSync } from 'node:fs';
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

function buildsToCompare(other: string): { name: string; benchDir: string }[] {
  const benchDir = path.resolve(other, 'dist', 'bench');
  if (!existsSync(path.join(benchDir, 'node-red-child.js'))) {
    throw new Error(`${path.resolve(other)} holds no dist/bench/node-red-child.js: give a checkout built with npm run build`);
  }
  return [
    { name: 'this build', benchDir: __dirname },
    { name: path.resolve(other), benchDir },
  ];
}

async function main(): Promise<void> {
  const [other, roundsArgument] = process.argv.slice(2);
  if (!other) throw new Error('usage: npm run bench:compare -- <other checkout, built> [rounds]');
  const rounds = Number(roundsArgument ?? 5);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`rounds must be a whole number of at least 1, not ${roundsArgument}`);
  const builds = buildsToCompare(other);
  const results = MEASURES.flatMap((measure) => builds.map((build) => ({ measure, build, rates: [] as number[] })));
  const server = await startServerProcess();
  const client = new StreamManagerClient({ port: server.port });
  let streams = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const result of results) {
        const stream = `compare-${++streams}`;
        await filledStream(server, stream, result.measure.filled);
        result.rates.push(inNodeRedOf<{ rate: number }>(result.build.benchDir, result.measure.mode, String(server.port), stream, String(MESSAGES)).rate);
        await client.deleteMessageStream(stream);
      }
    }
  } finally {
    await client.close();
    await server.stop();
  }
  const thousands = (rate: number) => `${(rate / 1000).toFixed(1)}k`;
  for (const { measure, build, rates } of results) {
    process.stdout.write(`${measure.label.padEnd(32)} ${build.name.padEnd(40)} median ${thousands(median(rates))}, ${thousands(Math.min(...rates))} to ${thousands(Math.max(...rates))} over ${rates.length} runs\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
