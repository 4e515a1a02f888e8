// Follows a stream like a subscriber: long-polls in bounded batches from a start position, hands messages over in
// order and never twice, reports messages that aged out before they could be read, waits for a stream that does
// not exist (yet), and resumes at the next sequence number after a lost connection.
import { StreamManagerError } from '../protocol/errors';
import type { Message } from '../protocol/model';
import type { StreamManagerClient } from './client';

export type StartPosition = 'oldest' | 'newest' | number;

export type ReaderState =
  | { state: 'starting' }
  | { state: 'reading'; next: number }
  | { state: 'paused'; next: number }
  | { state: 'waiting-for-stream' }
  | { state: 'retrying'; reason: StreamManagerError }
  | { state: 'stopped' };

export interface ContinuousReaderOptions {
  client: StreamManagerClient;
  stream: string;
  start: StartPosition;
  /** Most messages per read. */
  batchSize: number;
  /** How long the server holds each read while no message comes (its readTimeoutMillis). */
  pollTimeoutMs: number;
  /** Pause after a failed read before the next one. Default 1000 ms. */
  retryDelayMs?: number;
  /** Gets each batch in order; the next read waits until it returns (or its promise settles). */
  onMessages(messages: Message[]): void | Promise<void>;
  /** Messages between `from` and `to` (inclusive) were gone before they could be read. */
  onSkipped(count: number, from: number, to: number): void;
  onState(state: ReaderState): void;
  /** The stream was deleted and created again (its numbering began anew); reading goes on at `resumingAt`. */
  onRecreated?(resumingAt: number): void;
}

export class ContinuousReader {
  private next?: number;
  private paused = false;
  private stopped = false;
  private generation = 0;
  private abort = new AbortController();
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly options: ContinuousReaderOptions) {}

  /** The sequence number the next read asks for; undefined until the start position is resolved. */
  get nextSequenceNumber(): number | undefined {
    return this.next;
  }

  start(): void {
    this.loop ??= this.run();
  }

  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.interrupt();
  }

  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.interrupt();
  }

  /** Goes on from `sequenceNumber`; a read under way is abandoned and its messages are not delivered. */
  seek(sequenceNumber: number): void {
    this.next = sequenceNumber;
    this.generation += 1;
    this.interrupt();
  }

  /** Stops: the read under way is abandoned at once and no timer is left behind. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt();
    await this.loop;
    this.options.onState({ state: 'stopped' });
  }

  private interrupt(): void {
    this.abort.abort(new Error('reader interrupted'));
    this.abort = new AbortController();
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { client, stream } = this.options;
    const retryDelayMs = this.options.retryDelayMs ?? 1000;
    this.options.onState({ state: 'starting' });
    while (!this.stopped) {
      if (this.paused) {
        this.options.onState({ state: 'paused', next: this.next ?? 0 });
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const generation = this.generation;
      const signal = this.abort.signal;
      try {
        if (this.next === undefined) this.next = await this.resolveStart();
        this.options.onState({ state: 'reading', next: this.next });
        const wanted = this.next;
        const messages = await client.readMessages(
          stream,
          { desiredStartSequenceNumber: wanted, minMessageCount: 1, maxMessageCount: this.options.batchSize, readTimeoutMillis: this.options.pollTimeoutMs },
          { signal },
        );
        if (this.stopped || generation !== this.generation || messages.length === 0) continue;
        const first = Number(messages[0].sequenceNumber);
        if (first > wanted) this.options.onSkipped(first - wanted, wanted, first - 1);
        await this.options.onMessages(messages);
        if (generation === this.generation) this.next = Number(messages[messages.length - 1].sequenceNumber) + 1;
      } catch (error) {
        if (this.stopped || signal.aborted) continue;
        const failure = error instanceof StreamManagerError ? error : new StreamManagerError(String((error as Error).message), 'UnknownFailure');
        if (failure.code === 'NotEnoughMessages') {
          await this.checkForRecreatedStream();
          continue;
        }
        this.options.onState(failure.code === 'ResourceNotFound' ? { state: 'waiting-for-stream' } : { state: 'retrying', reason: failure });
        await this.sleep(retryDelayMs);
      }
    }
  }

  private async resolveStart(): Promise<number> {
    const start = this.options.start;
    if (typeof start === 'number') return start;
    const { storageStatus } = await this.options.client.describeMessageStream(this.options.stream);
    if (start === 'oldest') return Number(storageStatus?.oldestSequenceNumber ?? 0);
    return Number(storageStatus?.newestSequenceNumber ?? -1) + 1;
  }

  /** A stream deleted and created again starts its numbering at 0: go on from its oldest message. */
  private async checkForRecreatedStream(): Promise<void> {
    const next = this.next;
    if (next === undefined || next === 0) return;
    const { storageStatus } = await this.options.client.describeMessageStream(this.options.stream).catch(() => ({ storageStatus: undefined }));
    if (!storageStatus || this.next !== next) return;
    const newest = Number(storageStatus.newestSequenceNumber ?? -1);
    if (newest < next - 1) {
      const oldest = Number(storageStatus.oldestSequenceNumber ?? 0);
      this.next = Math.min(oldest, newest + 1);
      this.options.onRecreated?.(this.next);
    }
  }
}
