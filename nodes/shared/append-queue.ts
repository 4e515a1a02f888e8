// The ordered pipeline of sm out: appends go out in arrival order with a bounded number in flight; while the
// connection is down they wait, up to a bound, and every msg beyond it fails at once. Nothing is dropped silently.
import { ConnectionError, StreamManagerError } from '../../lib/protocol/errors';
import type { Int64 } from '../../lib/protocol/model';
import { settleWithin } from './settle-within';

/** A msg that found the queue at its limit while Stream Manager was away: a Connection error, with no connection failure of its own. */
export class QueueFullError extends StreamManagerError {
  constructor(
    readonly waiting: number,
    readonly limit: number,
  ) {
    super(`${waiting} msgs are already waiting for Stream Manager (the node's queue limit); this one was not appended`, 'Connection');
  }
}

interface AppendTarget {
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

interface QueuedJob extends AppendJob {
  /** Arrival order, kept when a job goes back into the queue. */
  order: number;
  createdStreamFor?: boolean;
}

interface AppendQueueOptions {
  maxInFlight: number;
  maxWaiting: number;
  /** Told whenever the number of waiting msgs changes, to show it in the status. */
  onWaitingChange?: (waiting: number) => void;
}

export class AppendQueue {
  /**
   * The waiting jobs are waiting[head..], oldest first. Taking one moves `head` on: Array#shift copies the whole
   * array once it is long (tens of thousands of msgs queued while the server is away), which made each take O(n).
   */
  private waiting: (QueuedJob | undefined)[] = [];
  private head = 0;
  private inFlight = 0;
  private arrivals = 0;
  /** Set while a missing stream is being created: nothing new goes out, so appends keep their order. */
  private creating?: Promise<boolean>;
  private readonly settled = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly target: AppendTarget,
    private readonly options: AppendQueueOptions,
  ) {}

  get waitingCount(): number {
    return this.waiting.length - this.head;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  push(job: AppendJob): void {
    if (this.stopped) {
      job.reject(new ConnectionError('the node is stopping; the msg was not appended', 'clientClosed'));
      return;
    }
    if (this.waitingCount >= this.options.maxWaiting) {
      job.reject(new QueueFullError(this.waitingCount, this.options.maxWaiting));
      return;
    }
    // The job itself is queued (not a copy): one object fewer per msg, and a burst of msgs is all held at once.
    const queued = job as QueuedJob;
    queued.order = this.arrivals++;
    this.waiting.push(queued);
    this.pump();
    this.notify();
  }

  /** Sends what is waiting, as far as the connection and the in-flight bound allow. */
  pump(): void {
    let started = false;
    while (!this.stopped && !this.creating && this.target.connected && this.inFlight < this.options.maxInFlight && this.waitingCount > 0) {
      const job = this.takeOldest();
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
    const waiting = this.waiting.slice(this.head) as QueuedJob[];
    this.waiting = [];
    this.head = 0;
    for (const job of waiting) job.reject(new ConnectionError('the node was stopped before the msg could be appended', 'clientClosed'));
    this.notify();
    await settleWithin(Promise.allSettled([...this.settled]), graceMs);
  }

  private async run(job: QueuedJob): Promise<void> {
    try {
      job.resolve(await this.appendAll(job));
    } catch (error) {
      if (error instanceof StreamManagerError && error.code === 'ResourceNotFound' && !job.createdStreamFor) {
        this.retryAfterCreating(job, error);
        return;
      }
      job.reject(error as Error);
    }
  }

  /**
   * Puts the job back in its place and creates the stream (once for all the appends that found it missing);
   * the appends go out again, in their order, once it exists.
   */
  private retryAfterCreating(job: QueuedJob, notFound: StreamManagerError): void {
    let creation = this.creating;
    if (!creation) {
      const started = this.target.createMissingStream(job.stream);
      creation = started;
      this.creating = started;
      const resume = (): void => {
        this.creating = undefined;
        this.pump();
      };
      // One turn later than the callbacks below, so that every append waiting on this creation is back in line first.
      void started.then(() => Promise.resolve().then(resume), () => Promise.resolve().then(resume));
    }
    creation.then(
      (created) => {
        if (!created) {
          job.reject(notFound);
          return;
        }
        job.createdStreamFor = true;
        const position = this.waiting.findIndex((waiting, index) => index >= this.head && (waiting as QueuedJob).order > job.order);
        this.waiting.splice(position === -1 ? this.waiting.length : position, 0, job);
      },
      (creationError: Error) => job.reject(creationError),
    );
  }

  private takeOldest(): QueuedJob {
    const job = this.waiting[this.head] as QueuedJob;
    this.waiting[this.head] = undefined;
    this.head += 1;
    // Dropping the taken slots once they are half of the array keeps this O(1) on average.
    if (this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return job;
  }

  private appendAll(job: QueuedJob): Promise<Int64[]> {
    if (job.payloads.length === 1) return this.target.append(job.stream, job.payloads[0]).then((sequenceNumber) => [sequenceNumber]);
    return Promise.all(job.payloads.map((payload) => this.target.append(job.stream, payload)));
  }

  private notify(): void {
    this.options.onWaitingChange?.(this.waitingCount);
  }
}
