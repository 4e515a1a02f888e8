// Item 10 (issue 12, storage): a File stream filled with `totalBytes` of 1 KiB messages. The server's peak RSS while
// filling, the time from start to listening on that store, the replay rate from disk (oldest to newest, batches of
// 500), and the server's peak RSS over restart and replay. The server runs in a child process with a store of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { withConcurrency } from './measure';

const CLI = path.join(__dirname, '..', 'lib', 'server', 'cli.js');
const PAYLOAD = Buffer.alloc(1024, 's');
const STREAM = 'storage-bench';

interface StartedServer {
  child: ChildProcess;
  port: number;
  /** From spawn to the line that says it listens, in milliseconds. */
  startMs: number;
}

async function startServer(storeDir: string): Promise<StartedServer> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, '--port', '0', '--store', storeDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`sm-server exited with ${code}: ${output}`)));
  });
  return { child, port, startMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

function stop(server: StartedServer): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

/** The peak resident memory of the process so far (VmHWM), in MB. */
function peakRssMb(child: ChildProcess): number {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export interface StorageFigures {
  messages: number;
  fillPeakRssMb: number;
  fillRate: number;
  restartMs: number;
  replayRate: number;
  replayPeakRssMb: number;
  /** The same replay from a Memory stream (of at most 100 000 messages), on the same server: the limit without the disk. */
  memoryReplayRate: number;
}

async function replayRate(client: StreamManagerClient, stream: string, messages: number): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  while (next < messages) {
    const batch = await client.readMessages(stream, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: 500 });
    next = Number(batch[batch.length - 1].sequenceNumber) + 1;
  }
  return messages / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function storageFigures(totalBytes: number): Promise<StorageFigures> {
  const storeDir = fs.mkdtempSync(path.join(tmpdir(), 'sm-storage-bench-'));
  const messages = Math.floor(totalBytes / PAYLOAD.length);
  let server = await startServer(storeDir);
  try {
    let client = new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 });
    await client.createMessageStream({ name: STREAM, persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 2 * totalBytes });
    const fillStart = process.hrtime.bigint();
    await withConcurrency(messages, 64, () => client.appendMessage(STREAM, PAYLOAD));
    const fillRate = messages / (Number(process.hrtime.bigint() - fillStart) / 1e9);
    const fillPeakRssMb = peakRssMb(server.child);
    await client.close();
    await stop(server);

    server = await startServer(storeDir);
    client = new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 });
    const fileReplayRate = await replayRate(client, STREAM, messages);
    const replayPeakRssMb = peakRssMb(server.child);
    const inMemory = Math.min(messages, 100_000);
    await client.createMessageStream({ name: `${STREAM}-memory`, persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 2 * totalBytes });
    await withConcurrency(inMemory, 64, () => client.appendMessage(`${STREAM}-memory`, PAYLOAD));
    const memoryReplayRate = await replayRate(client, `${STREAM}-memory`, inMemory);
    await client.close();
    return { messages, fillPeakRssMb, fillRate, restartMs: server.startMs, replayRate: fileReplayRate, replayPeakRssMb, memoryReplayRate };
  } finally {
    await stop(server);
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}
