// Item 10 (issues 12 and 25, storage): a File stream filled with `totalBytes` of 1 KiB messages. The server's peak RSS
// and rate while filling, the time from start to listening on that store, the replay from disk (oldest to newest,
// batches of 500) on a server that holds File streams only, with its minor page faults and CPU time per message, and
// the same replay from a Memory stream on a second server process: the limit without the disk. Each server runs in a
// child process with a store of its own; with a baseline build, that build is measured the same way in turn.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { withConcurrency } from './measure';
import { cpuMicros, minorFaults, peakRssMb } from './process-stats';

const CLI = path.join(__dirname, '..', 'lib', 'server', 'cli.js');
const PAYLOAD = Buffer.alloc(1024, 's');
const STREAM = 'storage-bench';
const MEMORY_REPLAY_MESSAGES = 100_000;
const MEMORY_REPLAY_RUNS = 5;
const BATCH = 500;

interface StartedServer {
  child: ChildProcess;
  pid: number;
  port: number;
  /** From spawn to the line that says it listens, in milliseconds. */
  startMs: number;
}

async function startServer(cli: string, storeDir: string): Promise<StartedServer> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, '--port', '0', '--store', storeDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`sm-server exited with ${code}: ${output}`)));
  });
  return { child, pid: child.pid as number, port, startMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

function stop(server: StartedServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

/** A replay as the server saw it: messages per second, its minor page faults per MiB of payload and CPU time per message. */
export interface ReplayFigures {
  rate: number;
  faultsPerMiB: number;
  cpuMicrosPerMessage: number;
  /** The machine's load average over the last minute when the replay ended (it is shared). */
  load: number;
}

async function replay(server: StartedServer, client: StreamManagerClient, stream: string, messages: number): Promise<ReplayFigures> {
  const faultsBefore = minorFaults(server.pid);
  const cpuBefore = cpuMicros(server.pid);
  const start = process.hrtime.bigint();
  let next = 0;
  while (next < messages) {
    const batch = await client.readMessages(stream, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: BATCH });
    next = Number(batch[batch.length - 1].sequenceNumber) + 1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mebibytes = (messages * PAYLOAD.length) / 2 ** 20;
  return {
    rate: messages / seconds,
    faultsPerMiB: (minorFaults(server.pid) - faultsBefore) / mebibytes,
    cpuMicrosPerMessage: (cpuMicros(server.pid) - cpuBefore) / messages,
    load: os.loadavg()[0],
  };
}

interface StorageFigures {
  messages: number;
  fillPeakRssMb: number;
  fillRate: number;
  /** The server's CPU time per append while filling. */
  fillCpuMicros: number;
  /** The server's minor page faults per MiB appended while filling. */
  fillFaultsPerMiB: number;
  restartMs: number;
  /** Replay from disk on a server holding the File stream only. */
  file: ReplayFigures;
  replayPeakRssMb: number;
  /** The same replay from a Memory stream on a second server process. */
  memory: ReplayFigures;
}

function withStore<T>(prefix: string, use: (storeDir: string) => Promise<T>): Promise<T> {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return use(storeDir).finally(() => fs.rmSync(storeDir, { recursive: true, force: true }));
}

async function fill(server: StartedServer, stream: string, persistence: Persistence, messages: number): Promise<{ rate: number; cpuMicros: number; faultsPerMiB: number }> {
  const client = new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 });
  try {
    await client.createMessageStream({ name: stream, persistence, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 2 * messages * PAYLOAD.length });
    const cpuBefore = cpuMicros(server.pid);
    const faultsBefore = minorFaults(server.pid);
    const start = process.hrtime.bigint();
    await withConcurrency(messages, 64, () => client.appendMessage(stream, PAYLOAD));
    const rate = messages / (Number(process.hrtime.bigint() - start) / 1e9);
    const mebibytes = (messages * PAYLOAD.length) / 2 ** 20;
    return { rate, cpuMicros: (cpuMicros(server.pid) - cpuBefore) / messages, faultsPerMiB: (minorFaults(server.pid) - faultsBefore) / mebibytes };
  } finally {
    await client.close();
  }
}

/** Starts `cli` on a fresh store, runs `use`, stops it. */
async function withServer<T>(cli: string, storeDir: string, use: (server: StartedServer) => Promise<T>): Promise<T> {
  const server = await startServer(cli, storeDir);
  try {
    return await use(server);
  } finally {
    await stop(server);
  }
}

async function replayOn(server: StartedServer, stream: string, messages: number): Promise<ReplayFigures> {
  const client = new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 });
  try {
    return await replay(server, client, stream, messages);
  } finally {
    await client.close();
  }
}

/** The figures of one build of sm-server (`cli`): this one by default. */
export async function storageFigures(totalBytes: number, cli = CLI): Promise<StorageFigures> {
  const messages = Math.floor(totalBytes / PAYLOAD.length);
  const onDisk = await withStore('sm-storage-bench-', async (storeDir) => {
    const filled = await withServer(cli, storeDir, async (server) => ({ ...(await fill(server, STREAM, Persistence.File, messages)), peakRssMb: peakRssMb(server.pid) }));
    return withServer(cli, storeDir, async (server) => {
      const file = await replayOn(server, STREAM, messages);
      return { filled, restartMs: server.startMs, file, replayPeakRssMb: peakRssMb(server.pid) };
    });
  });
  const inMemory = Math.min(messages, MEMORY_REPLAY_MESSAGES);
  const memory = await withStore('sm-memory-bench-', (storeDir) =>
    withServer(cli, storeDir, async (server) => {
      await fill(server, `${STREAM}-memory`, Persistence.Memory, inMemory);
      // A replay of 100 000 messages takes a fraction of a second, at the mercy of the machine's other work: the median of a few.
      const replays: ReplayFigures[] = [];
      for (let run = 0; run < MEMORY_REPLAY_RUNS; run++) replays.push(await replayOn(server, `${STREAM}-memory`, inMemory));
      return replays.sort((a, b) => a.rate - b.rate)[Math.floor(replays.length / 2)];
    }),
  );
  return {
    messages,
    fillPeakRssMb: onDisk.filled.peakRssMb,
    fillRate: onDisk.filled.rate,
    fillCpuMicros: onDisk.filled.cpuMicros,
    fillFaultsPerMiB: onDisk.filled.faultsPerMiB,
    restartMs: onDisk.restartMs,
    file: onDisk.file,
    replayPeakRssMb: onDisk.replayPeakRssMb,
    memory,
  };
}
