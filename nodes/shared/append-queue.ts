// The ordered pipeline of sm out: appends go out in arrival order with a bounded number in flight; while the
// connection is down they wait, up to a bound, and every msg beyond it fails at once. Nothing is dropped silently.
import { ConnectionError, StreamManagerError } from '../../lib/protocol/errors';
import type { Int64 } from '../../lib/protocol/model';

export interface AppendTarget {
  readonly connected: boolean;
  append(stream: string, payload: Buffer): Promise<Int64>;
  /** Creates the stream when the node is set to; resolves false when it is not. */
  createMissingStream(stream: string): Promise<boolean>;
}

export interface AppendJob {
  stream: string;
  payloads: Buffer[];
  resolve(sequenceNumbers: Int64[]): void;
  reject(error: Error): void;
}

export interface AppendQueueOptions {
  maxInFlight: number;
  maxWaiting: number;
  /** Told whenever the number of waiting msgs changes, to show it in the status. */
  onWaitingChange?: (waiting: number) => void;
}

export class AppendQueue {
  private readonly waiting: AppendJob[] = [];
  private inFlight = 0;
  private readonly settled = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly target: AppendTarget,
    private readonly options: AppendQueueOptions,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  push(job: AppendJob): void {
    if (this.stopped) {
      job.reject(new ConnectionError('the node is stopping; the msg was not appended'));
      return;
    }
    if (this.waiting.length >= this.options.maxWaiting) {
      job.reject(
        new ConnectionError(
          `${this.waiting.length} msgs are already waiting for Stream Manager (the node's queue limit); this one was not appended`,
        ),
      );
      return;
    }
    this.waiting.push(job);
    this.pump();
    this.notify();
  }

  /** Sends what is waiting, as far as the connection and the in-flight bound allow. */
  pump(): void {
    let started = false;
    while (!this.stopped && this.target.connected && this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const job = this.waiting.shift() as AppendJob;
      this.inFlight += job.payloads.length;
      const run = this.run(job).finally(() => {
        this.inFlight -= job.payloads.length;
        this.settled.delete(run);
        this.pump();
      });
      this.settled.add(run);
      started = true;
    }
    if (started) this.notify();
  }

  /** Fails every waiting msg and waits (at most `graceMs`) for those in flight. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const job of this.waiting.splice(0)) job.reject(new ConnectionError('the node was stopped before the msg could be appended'));
    this.notify();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.settled]), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private async run(job: AppendJob): Promise<void> {
    try {
      job.resolve(await this.appendAll(job));
    } catch (error) {
      if (error instanceof StreamManagerError && error.code === 'ResourceNotFound') {
        try {
          if (await this.target.createMissingStream(job.stream)) {
            job.resolve(await this.appendAll(job));
            return;
          }
        } catch (creationError) {
          job.reject(creationError as Error);
          return;
        }
      }
      job.reject(error as Error);
    }
  }

  private appendAll(job: AppendJob): Promise<Int64[]> {
    return Promise.all(job.payloads.map((payload) => this.target.append(job.stream, payload)));
  }

  private notify(): void {
    this.options.onWaitingChange?.(this.waiting.length);
  }
}
