// Writes a consumer's committed position to its checkpoint stream, coalesced: at most one append per interval, or
// sooner once enough messages were committed since the last one, and on demand (a seek, a clean stop). One append is
// under way at a time; a flush asked for during one is covered by a follow-up with the newest position.
import type { CheckpointStore } from './checkpoint-store';
import { messageDigest, type ConsumerPosition, type MessageIdentity } from './consumer-position';
import type { ReadMessage } from './delivery';

interface Target {
  next: number;
  last?: ReadMessage | MessageIdentity;
}

export interface PositionCommitterOptions {
  consumer: string;
  deadLetterStream?: string;
  intervalMs: number;
  everyMessages: number;
  onError(error: unknown): void;
}

export class PositionCommitter {
  private revision = 0;
  private others: ConsumerPosition[] = [];
  private target?: Target;
  private written?: Target;
  private movedSinceWrite = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private writing?: Promise<void>;
  /** A flush was asked for while a write was under way: one more write follows with the newest position. */
  private flushAgain = false;
  private stopped = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly options: PositionCommitterOptions,
  ) {}

  /** Takes the loaded positions: its own revision goes on from there, the others are carried forward. */
  adopt(positions: Map<string, ConsumerPosition>): ConsumerPosition | undefined {
    const own = positions.get(this.options.consumer);
    this.revision = own?.revision ?? 0;
    this.others = [...positions.values()].filter((position) => position.consumer !== this.options.consumer);
    return own;
  }

  /** The position most recently committed (written or not), undefined before the first. */
  get position(): number | undefined {
    return this.target?.next;
  }

  move(next: number, last: ReadMessage | MessageIdentity | undefined, count: number): void {
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
      if (!target || target === this.written) continue;
      this.movedSinceWrite = 0;
      this.revision += 1;
      try {
        await this.store.save([this.positionOf(target), ...this.others]);
        this.written = target;
      } catch (error) {
        this.options.onError(error);
        if (!this.stopped) this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs);
        return;
      }
    } while (this.flushAgain);
  }

  private positionOf(target: Target): ConsumerPosition {
    const { last } = target;
    return {
      consumer: this.options.consumer,
      stream: this.store.stream,
      nextSequenceNumber: target.next,
      committedAt: Date.now(),
      revision: this.revision,
      ...(last ? { last: { sequenceNumber: last.sequenceNumber, ingestTime: last.ingestTime, digest: 'digest' in last ? last.digest : messageDigest(last.payload) } } : {}),
      ...(this.options.deadLetterStream ? { deadLetterStream: this.options.deadLetterStream } : {}),
    };
  }
}
