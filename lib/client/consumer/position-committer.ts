// Writes a consumer's committed position to its checkpoint stream, coalesced: at most one append per interval, or
// sooner once enough messages were committed since the last one, and on demand (a seek, a clean stop). One append is
// under way at a time; a flush asked for during one is covered by a follow-up with the newest position.
import type { CheckpointStore, UnrevisedEntry } from './checkpoint-store';
import { messageDigest, type ConsumerPosition, type DeliveryCountRange, type MessageIdentity, type SequenceRange } from './consumer-position';
import type { StoredMessage } from '../../protocol/stored-message';

interface Target {
  next: number;
  last?: StoredMessage | MessageIdentity;
}

interface PositionCommitterOptions {
  consumer: string;
  deadLetterStream?: string;
  intervalMs: number;
  everyMessages: number;
  onError(error: unknown): void;
  /** A position was written: from now on it survives a crash. */
  onWritten?(position: number): void;
  /** Manual mode: what was handed over beyond the position, written with every position. */
  deliveries?(): { handedOutThrough?: number; deliveryCounts?: DeliveryCountRange[]; acked?: SequenceRange[]; stoppedCleanly?: true };
}

export class PositionCommitter {
  private target?: Target;
  /** Write-ahead requests made and written: a request is written by the first write that starts after it. */
  private requested = 0;
  private writtenRequest = 0;
  private written?: Target;
  private movedSinceWrite = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private writing?: Promise<void>;
  /** A flush was asked for while a write was under way: one more write follows with the newest position. */
  private flushAgain = false;
  private stopped = false;
  private lastError?: unknown;

  constructor(
    private readonly store: CheckpointStore,
    private readonly options: PositionCommitterOptions,
  ) {}

  /** The consumer's own position among the loaded ones. */
  adopt(positions: Map<string, ConsumerPosition>): ConsumerPosition | undefined {
    return positions.get(this.options.consumer);
  }

  /** Writes the position with what was handed over now (before handing more over); resolves once written, rejects when it failed. */
  async writeAhead(): Promise<void> {
    const request = ++this.requested;
    await this.flush();
    if (this.writtenRequest < request) throw this.lastError ?? new Error('the position was not written');
  }

  /** The position most recently committed (written or not), undefined before the first. */
  get position(): number | undefined {
    return this.target?.next;
  }

  move(next: number, last: StoredMessage | MessageIdentity | undefined, count: number): void {
    this.target = { next, last };
    this.movedSinceWrite += count;
    if (this.movedSinceWrite >= this.options.everyMessages) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs);
  }

  /** Writes the newest position now, if it was not written yet; resolves once it is (or failed, as reported). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) {
      this.flushAgain = true;
      return this.writing;
    }
    this.writing = this.writeNewest().finally(() => (this.writing = undefined));
    return this.writing;
  }

  /** No more timed writes; a flush still writes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async writeNewest(): Promise<void> {
    do {
      this.flushAgain = false;
      const target = this.target;
      const request = this.requested;
      if (!target || (target === this.written && request === this.writtenRequest)) continue;
      this.movedSinceWrite = 0;
      try {
        await this.store.save(this.positionOf(target));
        this.written = target;
        this.writtenRequest = request;
        this.options.onWritten?.(target.next);
      } catch (error) {
        this.lastError = error;
        this.options.onError(error);
        if (!this.stopped) this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs);
        return;
      }
    } while (this.flushAgain);
  }

  private positionOf(target: Target): UnrevisedEntry {
    const { last } = target;
    const deliveries = this.options.deliveries?.() ?? {};
    return {
      consumer: this.options.consumer,
      stream: this.store.stream,
      nextSequenceNumber: target.next,
      committedAt: Date.now(),
      ...(last ? { last: { sequenceNumber: last.sequenceNumber, ingestTime: last.ingestTime, digest: 'digest' in last ? last.digest : messageDigest(last.payload) } } : {}),
      ...(this.options.deadLetterStream ? { deadLetterStream: this.options.deadLetterStream } : {}),
      ...(deliveries.handedOutThrough !== undefined && deliveries.handedOutThrough >= target.next ? { handedOutThrough: deliveries.handedOutThrough } : {}),
      ...(deliveries.deliveryCounts && deliveries.deliveryCounts.length > 0 ? { deliveryCounts: deliveries.deliveryCounts } : {}),
      ...(deliveries.acked && deliveries.acked.length > 0 ? { acked: deliveries.acked.filter(([, to]) => to >= target.next) } : {}),
      ...(deliveries.stoppedCleanly ? { stoppedCleanly: true as const } : {}),
    } satisfies Omit<ConsumerPosition, 'revision'>;
  }
}
