// Reads waiting on the server for enough messages (long-polls): woken after each stored append, answered at their
// timeout with NotEnoughMessages.
import type { StoredMessage } from '../../protocol/stored-message';

/** setTimeout fires at once for longer delays; a long-poll this long (24.8 days) is as good as forever. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ReadRequest {
  desiredStartSequenceNumber: number;
  minMessageCount: number;
  maxMessageCount: number;
  /** The bytes the reply may carry (the largest frame the server sends); a default applies when left out. */
  maxBytes?: number;
}

interface Waiter {
  request: ReadRequest;
  maxBytes: number;
  timer: NodeJS.Timeout;
  resolve(messages: StoredMessage<Buffer>[]): void;
  reject(error: unknown): void;
}

export class LongPollWaiters {
  private readonly waiting = new Set<Waiter>();

  get size(): number {
    return this.waiting.size;
  }

  /** Waits for a read whose reply may carry `maxBytes`; `timedOut` gives the error it ends with after `timeoutMs`. */
  add(request: ReadRequest, maxBytes: number, timeoutMs: number, timedOut: () => Error): { promise: Promise<StoredMessage<Buffer>[]>; cancel(): void } {
    let waiter: Waiter | undefined;
    const promise = new Promise<StoredMessage<Buffer>[]>((resolve, reject) => {
      waiter = {
        request,
        maxBytes,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting.delete(waiter as Waiter);
          reject(timedOut());
        }, Math.min(timeoutMs, MAX_TIMER_MS)),
      };
      this.waiting.add(waiter);
    });
    return {
      promise,
      cancel: () => {
        if (!waiter || !this.waiting.delete(waiter)) return;
        clearTimeout(waiter.timer);
      },
    };
  }

  /** Answers every waiter `serve` has messages for (or an error, such as a reply that cannot fit). */
  wake(serve: (request: ReadRequest, maxBytes: number) => StoredMessage<Buffer>[] | undefined): void {
    for (const waiter of this.waiting) {
      let messages: StoredMessage<Buffer>[] | undefined;
      try {
        messages = serve(waiter.request, waiter.maxBytes);
      } catch (error) {
        this.settle(waiter);
        waiter.reject(error);
        continue;
      }
      if (!messages) continue;
      this.settle(waiter);
      waiter.resolve(messages);
    }
  }

  /** Ends every wait: with `error`, or silently (server stop, where the connections close). */
  endAll(error?: Error): void {
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer);
      if (error) waiter.reject(error);
    }
    this.waiting.clear();
  }

  private settle(waiter: Waiter): void {
    this.waiting.delete(waiter);
    clearTimeout(waiter.timer);
  }
}
