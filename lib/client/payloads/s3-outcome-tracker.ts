// Waits for the final status (Success, Failure, Canceled) of S3 upload tasks a program appended, and hands each over
// once, also across restarts: the tasks still waiting are kept in a small stream of their own (each write a snapshot
// of all of them, so the newest message is the whole truth), and the status stream is read by a named consumer whose
// position Stream Manager keeps. A status read before its task was tracked (the upload can finish before the append's
// answer arrives) is held for a while and matched when the task comes.
import { Persistence, StrategyOnFull } from '../../protocol/enums';
import { errorCodeOf } from '../../protocol/errors';
import type { MessageStreamDefinition } from '../../protocol/model';
import { appendCreatingStream } from '../append-creating-stream';
import type { StreamManagerClient } from '../client';
import { Consumer } from '../consumer/consumer';
import type { Delivery } from '../consumer/delivery';
import { tryDecodeS3ExportStatus, type S3ExportStatus } from './s3-export-status';

interface PendingS3Task<C> {
  /** The stream the task was appended to and its sequence number there: what the status names. */
  stream: string;
  sequenceNumber: number;
  bucket: string;
  key: string;
  inputUrl: string;
  /** What the caller wants back with the outcome (JSON-safe): a msg's properties, say. */
  context: C;
}

interface S3OutcomeTrackerOptions<C> {
  client: StreamManagerClient;
  /** The status stream of the S3 export task executor. */
  statusStream: string;
  /** Names the consumer of the status stream and the stream the waiting tasks are kept in. */
  name: string;
  /** Most tasks waiting at once; track() refuses beyond. Default 200. */
  maxPending?: number;
  onOutcome(task: PendingS3Task<C>, status: S3ExportStatus): void;
  onWarning?(text: string): void;
}

/** Statuses read before their task was tracked are kept this long, and at most this many. */
const EARLY_STATUS_MS = 10 * 60_000;
const MAX_EARLY_STATUSES = 1000;

/** Stream names allow letters, digits, space, comma, dot, hyphen and underscore. */
function pendingTasksStreamName(name: string): string {
  return `_s3tasks.${name.replace(/[^A-Za-z0-9 ,._-]/g, '_')}`.slice(0, 255);
}

const keyOf = (stream: string, sequenceNumber: number): string => `${sequenceNumber}\u0000${stream}`;

export class S3OutcomeTracker<C> {
  private readonly pending = new Map<string, PendingS3Task<C>>();
  private readonly early = new Map<string, { status: S3ExportStatus; at: number }>();
  private readonly maxPending: number;
  private readonly definition: MessageStreamDefinition;
  private consumer?: Consumer;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private stopped = false;
  private loaded?: Promise<void>;

  constructor(private readonly options: S3OutcomeTrackerOptions<C>) {
    this.maxPending = Math.max(1, options.maxPending ?? 200);
    this.definition = {
      name: pendingTasksStreamName(options.name),
      strategyOnFull: StrategyOnFull.OverwriteOldestData,
      persistence: Persistence.File,
      maxSize: 32 * 1024 * 1024,
      streamSegmentSize: 1024 * 1024,
    };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get pendingStream(): string {
    return this.definition.name;
  }

  /** Loads the tasks that were waiting when the last run stopped, then reads the status stream. */
  start(): Promise<void> {
    this.loaded ??= this.loadUntilDone().then(() => {
      if (this.stopped) return;
      this.consumer = new Consumer({
        client: this.options.client,
        stream: this.options.statusStream,
        consumer: `s3-outcomes.${this.options.name}`,
        start: 'oldest',
        onMessages: (deliveries) => this.onStatuses(deliveries),
        onWarning: (warning) => this.options.onWarning?.(warning.message),
      });
      this.consumer.start();
    });
    return this.loaded;
  }

  /** Waits for this task's outcome. False when too many tasks wait already (the outcome will not be reported). */
  track(task: PendingS3Task<C>): boolean {
    const key = keyOf(task.stream, task.sequenceNumber);
    const early = this.early.get(key);
    if (early) {
      this.early.delete(key);
      this.options.onOutcome(task, early.status);
      return true;
    }
    if (this.pending.size >= this.maxPending) return false;
    this.pending.set(key, task);
    this.save();
    return true;
  }

  /** Stops reading; the waiting tasks are written, so a later start() reports their outcomes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loaded?.catch(() => undefined);
    await this.consumer?.stop();
    await this.saving;
  }

  /** Stream Manager may not answer yet (the node starts before the connection is up): tried again each second. */
  private async loadUntilDone(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.load();
        return;
      } catch (error) {
        if (attempt === 5) this.options.onWarning?.(`could not read the waiting S3 tasks from ${this.definition.name} yet: ${(error as Error).message}; trying again`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async load(): Promise<void> {
    const { client } = this.options;
    let newest: number;
    try {
      const info = await client.describeMessageStream(this.definition.name);
      newest = Number(info.storageStatus?.newestSequenceNumber ?? -1);
    } catch (error) {
      if (errorCodeOf(error) === 'ResourceNotFound') return;
      throw error;
    }
    if (newest < 0) return;
    const [message] = await client.readMessages(this.definition.name, { desiredStartSequenceNumber: newest, minMessageCount: 1, maxMessageCount: 1 });
    try {
      const tasks = JSON.parse(Buffer.from(message.payload).toString('utf8')) as PendingS3Task<C>[];
      for (const task of tasks) this.pending.set(keyOf(task.stream, task.sequenceNumber), task);
    } catch (error) {
      this.options.onWarning?.(`the waiting S3 tasks in ${this.definition.name} could not be read (${(error as Error).message}); their outcomes will not be reported`);
    }
  }

  private onStatuses(deliveries: Delivery[]): void {
    const now = Date.now();
    for (const delivery of deliveries) {
      const status = tryDecodeS3ExportStatus(delivery.payload);
      if (!status || !status.final || status.streamName === undefined || status.sequenceNumber === undefined) continue;
      const key = keyOf(status.streamName, status.sequenceNumber);
      const task = this.pending.get(key);
      if (task) {
        this.pending.delete(key);
        this.save();
        this.options.onOutcome(task, status);
      } else if (status.timestamp === undefined || now - status.timestamp < EARLY_STATUS_MS) {
        this.early.set(key, { status, at: now });
      }
    }
    for (const [key, early] of this.early) {
      if (this.early.size <= MAX_EARLY_STATUSES && now - early.at < EARLY_STATUS_MS) break;
      this.early.delete(key);
    }
  }

  /** Writes the waiting tasks, one write at a time; changes made meanwhile go in the next write. */
  private save(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.saving = this.saving.then(async () => {
      this.dirty = false;
      const snapshot = Buffer.from(JSON.stringify([...this.pending.values()]), 'utf8');
      try {
        await appendCreatingStream(this.options.client, this.definition, snapshot);
      } catch (error) {
        this.options.onWarning?.(`could not keep the waiting S3 tasks in ${this.definition.name}: ${(error as Error).message}; after a restart their outcomes may not be reported`);
      }
    });
  }
}
