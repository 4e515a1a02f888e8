// Property test with fixed seeds: random schedules of 2 to 20 consumers of one stream, spread over one to three child
// processes (test/helpers/consumer-worker.ts), with starts, clean stops, pauses, acks, nacks, seeks, kill -9 of a
// process and restarts of the real server on the same store, while appends go on. Checked throughout, from what the
// consumers logged (synchronously, so a kill loses nothing):
// - a consumer never writes a position beyond a message it has not acknowledged (automatic acks: handed over);
// - after a clean stop its position is exactly its first unacknowledged message, it resumes exactly there, and no
//   acknowledged message is delivered again;
// - after a kill -9 it resumes no earlier than the last position it had written and no later than its first
//   unacknowledged message (the at-least-once window of docs/consumer-positions.md);
// - at the end, every message from each consumer's start (or last seek) is acknowledged or inside a reported gap.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkpointStreamName, Persistence, StrategyOnFull, StreamManagerClient, type AckMode } from '../../lib/client';
import type { WorkerCommand, WorkerLogLine } from '../helpers/consumer-worker';
import { seededRandom } from '../helpers/seeded-random';
import { startTestServer } from '../helpers/server';

const WORKER = path.join(__dirname, '..', 'helpers', 'consumer-worker.js');
const STREAM = 'feed';
/** SM_SCHEDULE_SEEDS=1,2,3 replays other schedules (a failure prints its seed). */
const SEEDS = process.env.SM_SCHEDULE_SEEDS?.split(',').map(Number) ?? [20_261_203, 4_242];
const STEPS = 90;
/** How long the end of a schedule may take for every consumer to catch up. */
const CATCH_UP_MS = 60_000;

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

class Worker {
  private readonly child: ChildProcess;
  private readonly log: number;
  private offset = 0;
  private partial = '';
  private nextId = 0;
  private readonly waiting = new Map<number, () => void>();
  readonly exited: Promise<void>;
  alive = true;

  constructor(port: number, logFile: string) {
    this.log = openSync(logFile, 'a+');
    this.child = fork(WORKER, [], { env: { ...process.env, SM_PORT: String(port), SM_STREAM: STREAM, SM_LOG: logFile }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: { done: number }) => this.waiting.get(reply.done)?.());
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        this.alive = false;
        for (const resolveWaiting of this.waiting.values()) resolveWaiting();
        resolve();
      }),
    );
  }

  /** Sends a command and resolves once the worker did it (or died). */
  run(command: DistributiveOmit<WorkerCommand, 'id'>): Promise<void> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      if (!this.alive) return resolve();
      this.waiting.set(id, () => {
        this.waiting.delete(id);
        resolve();
      });
      this.child.send({ ...command, id });
    });
  }

  /** The log lines written since the last call. */
  lines(): WorkerLogLine[] {
    const buffer = Buffer.alloc(1 << 16);
    let text = this.partial;
    for (;;) {
      const read = readSync(this.log, buffer, 0, buffer.length, this.offset);
      if (read === 0) break;
      this.offset += read;
      text += buffer.subarray(0, read).toString();
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map((line) => JSON.parse(line) as WorkerLogLine);
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Ends the process: its consumers stop cleanly first. */
  async end(): Promise<void> {
    if (this.alive) this.child.disconnect();
    await this.exited;
    closeSync(this.log);
  }
}

type Resume = { clean: true; position: number } | { clean: false; low: number; high: number };

/** What the test knows of one consumer, from the commands it gave and the lines its consumer logged. */
class ConsumerModel {
  worker?: Worker;
  paused = false;
  /** Coverage is checked from here: the start (oldest, 0) or the last seek. */
  private base = 0;
  /** Acknowledged (handed over, with automatic acks), dead-lettered, or inside a reported gap; from `base` on. */
  private readonly done = new Set<number>();
  private firstNotDone = 0;
  /** Delivered in this run and not acknowledged since. */
  readonly ackable = new Set<number>();
  private lastWritten?: number;
  private seekWritten?: number;
  private commitFailed = false;
  /** Set by a clean stop: no message acknowledged since the last crash may come again until a crash or a seek. */
  private cleanlyStopped = false;
  /** Acknowledged since the last crash or seek: a crash may forget the acks of its last commit interval. */
  private readonly ackedSinceCrash = new Set<number>();
  private crashedSinceBase = false;
  /** Checked on the first read after a start; unset once a seek came first. */
  resume?: Resume = { clean: true, position: 0 };
  readonly gaps: string[] = [];
  readonly violations: string[] = [];
  deliveries = 0;

  constructor(
    readonly name: string,
    readonly ackMode: AckMode,
  ) {}

  get position(): number {
    while (this.done.has(this.firstNotDone)) this.firstNotDone += 1;
    return this.firstNotDone;
  }

  private markDone(sequenceNumber: number): void {
    if (sequenceNumber >= this.base) this.done.add(sequenceNumber);
    this.ackedSinceCrash.add(sequenceNumber);
    this.ackable.delete(sequenceNumber);
  }

  apply(line: WorkerLogLine): void {
    switch (line.t) {
      case 'delivered':
        this.deliveries += 1;
        if (this.cleanlyStopped && this.ackedSinceCrash.has(line.sequenceNumber)) this.violations.push(`message ${line.sequenceNumber}, acknowledged, was delivered again after a clean stop`);
        if (line.gap) {
          this.gaps.push(JSON.stringify(line.gap));
          for (let sequenceNumber = line.gap.from; sequenceNumber <= line.gap.to; sequenceNumber++) this.markDone(sequenceNumber);
        }
        if (this.ackMode === 'auto') this.markDone(line.sequenceNumber);
        else this.ackable.add(line.sequenceNumber);
        return;
      case 'reading':
        if (!this.resume) return;
        if (this.resume.clean ? line.next !== this.resume.position : line.next < this.resume.low || line.next > this.resume.high) {
          this.violations.push(`resumed at ${line.next}, expected ${this.resume.clean ? `exactly ${this.resume.position} after a clean stop` : `${this.resume.low} to ${this.resume.high} after a crash`}`);
        }
        return;
      case 'committed':
        this.commitFailed = false;
        if (this.seekWritten !== undefined) {
          // Writes that began before the seek may end after it: only the seek's own write counts from here.
          if (line.position !== this.seekWritten) return;
          this.seekWritten = undefined;
        }
        if (line.position > this.position) this.violations.push(`wrote position ${line.position} while message ${this.position} was not acknowledged`);
        this.lastWritten = line.position;
        return;
      case 'warning':
        if (line.kind === 'dead-lettered' && line.sequenceNumber !== undefined) this.markDone(line.sequenceNumber);
        if (line.kind === 'commit-failed') this.commitFailed = true;
        if (line.kind !== 'dead-lettered' && line.kind !== 'commit-failed' && line.kind !== 'gap') this.violations.push(`unexpected warning: ${line.message}`);
        return;
      case 'seek':
        this.base = line.sequenceNumber;
        this.firstNotDone = line.sequenceNumber;
        this.done.clear();
        this.ackedSinceCrash.clear();
        this.crashedSinceBase = false;
        this.ackable.clear();
        this.lastWritten = undefined;
        this.seekWritten = line.sequenceNumber;
        this.cleanlyStopped = false;
        this.resume = undefined;
        return;
      case 'acked':
        if (line.taken) this.markDone(line.sequenceNumber);
        else this.ackable.delete(line.sequenceNumber);
        return;
      case 'stopped':
        this.worker = undefined;
        this.paused = false;
        this.ackable.clear();
        if (this.commitFailed) {
          // Its last write failed (the server was restarting): it resumes as after a crash.
          this.crashed();
          return;
        }
        // Stopped before it read its position (the server was away while it started): it wrote nothing, so it
        // resumes where it would have resumed had it not started.
        if (line.position === undefined) return;
        this.checkStop(line.position);
        this.resume = { clean: true, position: line.position };
        this.cleanlyStopped = true;
    }
  }

  /**
   * A clean stop's position: never beyond an unacknowledged message, never before what was written. With automatic
   * acks and no crash since the start or seek, exactly after the last message handed over. (In manual mode, or after a
   * crash, the consumer may not have read again yet what is known to be acknowledged.)
   */
  private checkStop(position: number): void {
    const exact = this.ackMode === 'auto' && !this.crashedSinceBase;
    if (exact ? position !== this.position : position > this.position || position < (this.lastWritten ?? 0)) {
      this.violations.push(`stopped cleanly at ${position}, expected ${exact ? this.position : `${this.lastWritten ?? 0} to ${this.position}`}`);
    }
  }

  crashed(): void {
    this.crashedSinceBase = true;
    this.ackedSinceCrash.clear();
    this.worker = undefined;
    this.paused = false;
    this.ackable.clear();
    this.resume = { clean: false, low: this.lastWritten ?? 0, high: this.position };
    this.cleanlyStopped = false;
  }

  /** Every message from the start or the last seek up to `newest` is acknowledged or inside a reported gap. */
  covers(newest: number): boolean {
    return this.position > newest;
  }
}

/** The test's own requests, tried again while a restart of the server closes their connection. */
async function retried<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function runSchedule(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const server = await startTestServer();
  const logDir = await mkdtemp(path.join(tmpdir(), 'sm-schedule-'));
  const client = new StreamManagerClient({ port: server.port });
  const workers: Worker[] = [];
  let appending = true;
  let appender: Promise<void> | undefined;
  try {
    await client.createMessageStream({ name: STREAM, strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.File });
    // A small checkpoint stream, so that the consumers' commits overwrite it many times in one schedule.
    await client.createMessageStream({ name: checkpointStreamName(STREAM), maxSize: 65_536, streamSegmentSize: 8192, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File, flushOnWrite: true });
    const consumerCount = 2 + Math.floor(random() * 19);
    const processCount = 1 + Math.floor(random() * 3);
    const models = Array.from({ length: consumerCount }, (_, index) => new ConsumerModel(`c${index}`, random() < 0.5 ? 'manual' : 'auto'));
    const byName = new Map(models.map((model) => [model.name, model]));
    const slots: (Worker | undefined)[] = Array.from({ length: processCount }, () => undefined);
    const history: string[] = [`${consumerCount} consumers (${models.map((model) => `${model.name} ${model.ackMode}`).join(', ')}) over ${processCount} processes`];

    const drain = (worker: Worker): void => {
      for (const line of worker.lines()) byName.get(line.consumer)?.apply(line);
    };
    const drainAll = (): void => workers.forEach(drain);
    const workerIn = (slot: number): Worker => {
      let worker = slots[slot];
      if (!worker?.alive) {
        worker = new Worker(server.port, path.join(logDir, `worker-${workers.length}.log`));
        workers.push(worker);
        slots[slot] = worker;
      }
      return worker;
    };
    const command = async (worker: Worker, sent: DistributiveOmit<WorkerCommand, 'id'>): Promise<void> => {
      await worker.run(sent);
      drain(worker);
    };
    const running = () => models.filter((model) => model.worker?.alive);
    const stopped = () => models.filter((model) => !model.worker);
    const totalDeliveries = () => models.reduce((sum, model) => sum + model.deliveries, 0);
    const letTimePass = async (): Promise<void> => {
      const before = totalDeliveries();
      const until = Date.now() + 100 + random() * 300;
      while (Date.now() < until && totalDeliveries() < before + 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        drainAll();
      }
    };
    const ackSome = async (model: ConsumerModel): Promise<void> => {
      const ackable = [...model.ackable].sort((a, b) => a - b);
      if (ackable.length === 0 || !model.worker) return;
      // Mostly the oldest ones, in order, so positions move; sometimes one further on, leaving a hole.
      const chosen = random() < 0.7 ? ackable.slice(0, 1 + Math.floor(random() * 10)) : [pick(ackable)];
      await command(model.worker, { op: 'ack', consumer: model.name, sequenceNumbers: chosen });
    };

    let appended = 0;
    appender = (async () => {
      while (appending) {
        try {
          await client.appendMessage(STREAM, Buffer.from(`message ${appended}`));
          appended += 1;
        } catch {
          // The server is restarting: try again.
        }
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();

    type Step = { weight: number; run(): Promise<void> };
    const steps = (): Step[] => {
      const live = running();
      const manual = live.filter((model) => model.ackMode === 'manual');
      const nackable = manual.filter((model) => model.ackable.size > 0);
      const aliveWorkers = workers.filter((worker) => worker.alive);
      const candidates: (Step | false)[] = [
        stopped().length > 0 && {
          weight: 3,
          run: async () => {
            const model = pick(stopped());
            const slot = Math.floor(random() * processCount);
            model.worker = workerIn(slot);
            history.push(`start ${model.name} in process ${slot}`);
            await command(model.worker, { op: 'start', consumer: model.name, ackMode: model.ackMode });
          },
        },
        live.length > 0 && {
          weight: 2,
          run: async () => {
            const model = pick(live);
            history.push(`stop ${model.name}`);
            await command(model.worker as Worker, { op: 'stop', consumer: model.name });
          },
        },
        live.length > 0 && {
          weight: 1,
          run: async () => {
            const model = pick(live);
            model.paused = !model.paused;
            history.push(`${model.paused ? 'pause' : 'resume'} ${model.name}`);
            await command(model.worker as Worker, { op: model.paused ? 'pause' : 'resume', consumer: model.name });
          },
        },
        manual.length > 0 && {
          weight: 5,
          run: async () => {
            const model = pick(manual);
            history.push(`ack some of ${model.name}`);
            await ackSome(model);
          },
        },
        nackable.some((model) => model.ackable.size > 1) && {
          weight: 1,
          run: async () => {
            // A hole in the acks at a clean stop: the msgs acknowledged behind it must not come again.
            const model = pick(nackable.filter((candidate) => candidate.ackable.size > 1));
            const later = [...model.ackable].sort((a, b) => a - b).slice(1);
            history.push(`ack ${later.length} of ${model.name} behind its oldest, then stop it`);
            await command(model.worker as Worker, { op: 'ack', consumer: model.name, sequenceNumbers: later.filter(() => random() < 0.5) });
            await command(model.worker as Worker, { op: 'stop', consumer: model.name });
          },
        },
        nackable.length > 0 && {
          weight: 1,
          run: async () => {
            const model = pick(nackable);
            const sequenceNumber = pick([...model.ackable]);
            history.push(`nack ${sequenceNumber} of ${model.name}`);
            await command(model.worker as Worker, { op: 'nack', consumer: model.name, sequenceNumber });
          },
        },
        live.length > 0 && {
          weight: 1,
          run: async () => {
            const model = pick(live);
            const sequenceNumber = Math.floor(random() * (appended + 1));
            history.push(`seek ${model.name} to ${sequenceNumber}`);
            await command(model.worker as Worker, { op: 'seek', consumer: model.name, sequenceNumber });
          },
        },
        aliveWorkers.length > 0 && {
          weight: 0.7,
          run: async () => {
            const worker = pick(aliveWorkers);
            history.push(`kill -9 the process of ${models.filter((model) => model.worker === worker).map((model) => model.name).join(' ') || 'no consumer'}`);
            await worker.kill();
            drain(worker);
            for (const model of models) if (model.worker === worker) model.crashed();
          },
        },
        {
          weight: 0.3,
          run: async () => {
            history.push('restart the server');
            await server.restart();
          },
        },
        { weight: 3, run: letTimePass },
      ];
      return candidates.filter((candidate): candidate is Step => candidate !== false);
    };

    for (let step = 0; step < STEPS; step++) {
      const choices = steps();
      let roll = random() * choices.reduce((sum, choice) => sum + choice.weight, 0);
      const chosen = choices.find((choice) => (roll -= choice.weight) < 0) ?? choices[choices.length - 1];
      await chosen.run();
      drainAll();
    }

    appending = false;
    await appender;
    const { storageStatus } = await retried(() => client.describeMessageStream(STREAM));
    const newest = Number(storageStatus?.newestSequenceNumber);
    history.push(`end: every consumer runs to ${newest}`);
    for (const model of models) {
      if (!model.worker) {
        model.worker = workerIn(Math.floor(random() * processCount));
        await command(model.worker, { op: 'start', consumer: model.name, ackMode: model.ackMode });
      } else if (model.paused) {
        model.paused = false;
        await command(model.worker, { op: 'resume', consumer: model.name });
      }
    }
    const deadline = Date.now() + CATCH_UP_MS;
    while (!models.every((model) => model.covers(newest)) && Date.now() < deadline) {
      for (const model of models) if (model.ackMode === 'manual' && model.worker && model.ackable.size > 0) await command(model.worker, { op: 'ack', consumer: model.name, sequenceNumbers: [...model.ackable].sort((a, b) => a - b) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      drainAll();
    }
    const behind = models.filter((model) => !model.covers(newest)).map((model) => `${model.name} at ${model.position}`);
    for (const model of models) await command(model.worker as Worker, { op: 'stop', consumer: model.name });
    const violations = models.flatMap((model) => model.violations.map((violation) => `${model.name}: ${violation}`));
    const failure = [...violations, ...(behind.length > 0 ? [`not every message up to ${newest} acknowledged within ${CATCH_UP_MS} ms: ${behind.join(', ')}`] : [])];
    assert.deepEqual(failure.slice(0, 10), [], `seed ${seed} (replay: SM_SCHEDULE_SEEDS=${seed}): ${failure.length} violations\nschedule:\n${history.join('\n')}`);
    assert.ok(models.reduce((sum, model) => sum + model.deliveries, 0) > newest, `seed ${seed}: the consumers were delivered messages`);
  } finally {
    appending = false;
    await appender;
    await Promise.all(workers.map((worker) => worker.end()));
    await client.close();
    await server.close();
    await rm(logDir, { recursive: true, force: true });
  }
}

describe('consumer schedules (property, fixed seeds)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every consumer resumes at its committed position, none later, no acknowledged message after a clean stop, none skipped silently`, { timeout: 150_000 }, async () => {
      await runSchedule(seed);
    });
  }
});
