// Item 3: the server's append rate next to its limits: a loopback TCP echo of the same frames (Memory streams) and
// raw sequential file writes of the same records (File streams, with and without flush on write). Runs alternate
// and the medians count, so that a machine that slows down in between affects both sides alike. The server's CPU
// time per append, read from /proc, is the figure that moves least with the machine's load.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Persistence, StrategyOnFull, StreamManagerClient, type MessageStreamDefinition } from '../lib/client';
import { CONNECT_VERSION, encodeFrame, FrameDecoder, Operation, PROTOCOL_VERSION } from '../lib/protocol';
import { median } from './measure';
import { cpuMicros } from './process-stats';
import type { ServerProcess } from './server-process';

const PAYLOAD = Buffer.alloc(1024, 'x');
/** A File stream's record on disk: 20 header bytes and the payload. */
const RECORD = Buffer.alloc(20 + PAYLOAD.length, 'r');

/** Sends ready-made append frames over one raw connection, `inFlight` at a time; resolves with appends per second. */
async function rawAppendRate(port: number, stream: string, appends: number, inFlight: number): Promise<number> {
  const frames = Array.from({ length: appends }, () => encodeFrame(Operation.AppendMessage, { requestId: randomUUID(), name: stream, payload: PAYLOAD }));
  const socket = net.createConnection({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const decoder = new FrameDecoder();
  let handshaken = false;
  let sent = 0;
  let answered = 0;
  const finished = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (!handshaken) chunk = chunk.subarray(1);
      const got = decoder.push(chunk);
      if (!handshaken) {
        handshaken = true;
        got.shift();
        start = process.hrtime.bigint();
        while (sent < Math.min(inFlight, appends)) socket.write(frames[sent++]);
      }
      answered += got.length;
      const batch: Buffer[] = [];
      for (let index = 0; index < got.length && sent < appends; index++) batch.push(frames[sent++]);
      if (batch.length > 0) socket.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
      if (answered >= appends) resolve();
    });
  });
  let start = process.hrtime.bigint();
  socket.write(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.Connect, { requestId: 'bench', protocolVersion: PROTOCOL_VERSION })]));
  await finished;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  socket.destroy();
  return appends / seconds;
}

async function startEchoServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'echo-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /:(\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

function rawFileWriteRate(records: number, flush: boolean): number {
  const file = path.join(fs.mkdtempSync(path.join(tmpdir(), 'sm-raw-')), 'raw.log');
  const fd = fs.openSync(file, 'a');
  const start = process.hrtime.bigint();
  for (let index = 0; index < records; index++) {
    fs.writeSync(fd, RECORD);
    if (flush) fs.fdatasyncSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.closeSync(fd);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return records / seconds;
}

interface ServerRates {
  memory: number;
  echoLimit: number;
  file: number;
  fileLimit: number;
  fileFlush: number;
  fileFlushLimit: number;
  /** Server CPU time (user + system) per append, in microseconds. */
  memoryCpuMicros: number;
  fileCpuMicros: number;
  fileFlushCpuMicros: number;
}


/** Runs `measure` on the server, with the server's CPU time per append it took. */
async function withServerCpu(server: ServerProcess, appends: number, measure: () => Promise<number>): Promise<{ rate: number; cpuMicros: number }> {
  const before = cpuMicros(server.child.pid as number);
  const rate = await measure();
  return { rate, cpuMicros: (cpuMicros(server.child.pid as number) - before) / appends };
}

/**
 * The server shares one fdatasync among the appends under way, so it takes flushed appends far faster than the raw
 * loop's one sync each; it gets more of them, or its CPU figure would rest on a few hundred milliseconds.
 */
const SERVER_FLUSHED_FACTOR = 5;

/** The measures of one build of the server, when another (the baseline) is measured in turn with it. */
interface BaselineRates {
  memory: number;
  file: number;
  fileFlush: number;
  memoryCpuMicros: number;
  fileCpuMicros: number;
  fileFlushCpuMicros: number;
}

async function createBenchStreams(server: ServerProcess): Promise<void> {
  const client = new StreamManagerClient({ port: server.port });
  const create = (name: string, fields: Partial<MessageStreamDefinition>) =>
    client.createMessageStream({ name, strategyOnFull: StrategyOnFull.OverwriteOldestData, maxSize: 2 ** 27, streamSegmentSize: 2 ** 24, ...fields });
  await create('server-memory', { persistence: Persistence.Memory });
  await create('server-file', { persistence: Persistence.File });
  await create('server-flush', { persistence: Persistence.File, flushOnWrite: true });
  await client.close();
}

/** Memory, File and File + flushOnWrite appends on one server, each with its CPU time. */
async function measureServer(server: ServerProcess, appends: number, flushedAppends: number): Promise<BaselineRates> {
  const memory = await withServerCpu(server, appends, () => rawAppendRate(server.port, 'server-memory', appends, 64));
  const file = await withServerCpu(server, appends, () => rawAppendRate(server.port, 'server-file', appends, 64));
  const flushed = await withServerCpu(server, flushedAppends, () => rawAppendRate(server.port, 'server-flush', flushedAppends, 64));
  return {
    memory: memory.rate,
    file: file.rate,
    fileFlush: flushed.rate,
    memoryCpuMicros: memory.cpuMicros,
    fileCpuMicros: file.cpuMicros,
    fileFlushCpuMicros: flushed.cpuMicros,
  };
}

function medians<T extends object>(samples: T[]): T {
  const keys = Object.keys(samples[0]) as (keyof T)[];
  return Object.fromEntries(keys.map((key) => [key, median(samples.map((sample) => sample[key] as number))])) as T;
}

/**
 * The server's rates next to their limits, `runs` times in turn, medians. With a baseline (another build of the
 * server, e.g. the previous release), its measures are taken in turn with ours in each run.
 */
export async function serverRates(
  server: ServerProcess,
  appends: number,
  flushedAppends: number,
  runs: number,
  baseline?: ServerProcess,
): Promise<ServerRates & { baseline?: BaselineRates }> {
  await createBenchStreams(server);
  if (baseline) await createBenchStreams(baseline);
  const echo = await startEchoServer();
  try {
    const samples: ServerRates[] = [];
    const baselineSamples: BaselineRates[] = [];
    for (let run = 0; run < runs; run++) {
      const echoLimit = await rawAppendRate(echo.port, 'server-memory', appends, 64);
      const fileLimit = rawFileWriteRate(appends, false);
      const fileFlushLimit = rawFileWriteRate(flushedAppends, true);
      samples.push({ echoLimit, fileLimit, fileFlushLimit, ...(await measureServer(server, appends, flushedAppends * SERVER_FLUSHED_FACTOR)) });
      if (baseline) baselineSamples.push(await measureServer(baseline, appends, flushedAppends * SERVER_FLUSHED_FACTOR));
    }
    return { ...medians(samples), baseline: baseline ? medians(baselineSamples) : undefined };
  } finally {
    echo.stop();
  }
}
