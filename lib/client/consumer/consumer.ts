// A named consumer of one stream. Its committed position lives in Stream Manager itself (a checkpoint stream per
// source stream), so it survives restarts of the process, the server and the device, on sm-server and on a core device.
// It reads in long-polled batches, checks on every read that the stream is still the one it was reading (the message
// before its position must be the one it read, by ingest time and payload), reports messages lost to retention with
// their range, and in manual mode tracks acks, nacks, ack timeouts, redeliveries and dead letters.
import { StreamManagerError } from '../../protocol/errors';
import type { Message } from '../../protocol/model';
import type { StreamManagerClient } from '../client';
import { CheckpointStore } from './checkpoint-store';
import type { ConsumerState, ConsumerWarning } from './consumer-events';
import { messageDigest, type ConsumerPosition, type MessageIdentity } from './consumer-position';
import { DeliveryCounts } from './delivery-counts';
import { appendDeadLetter } from './dead-letter-stream';
import type { StoredMessage } from '../../protocol/stored-message';
import type { Delivery, Gap } from './delivery';
import { OutstandingMessages, type Outstanding } from './outstanding-messages';
import { PositionCommitter } from './position-committer';
import type { UnreadableCheckpoints } from './unreadable-checkpoints';

export type AckMode = 'auto' | 'manual';

/** Where a consumer without a committed position begins: its oldest message, only new ones, or a sequence number. */
export type StartPosition = 'oldest' | 'newest' | number;

export interface ConsumerOptions {
  client: StreamManagerClient;
  stream: string;
  /** The consumer's name: its position is kept under it. */
  consumer: string;
  /** `auto` (default): a message is done once handed over; `manual`: once ack() is called for it. */
  ackMode?: AckMode;
  /** Where a consumer without a committed position begins. Default `oldest`. */
  start?: StartPosition;
  /** Manual mode: reading stops while this many messages wait for their ack. Default 1000. */
  maxOutstanding?: number;
  /** Manual mode: a delivery not acknowledged within this is delivered again. Default 30 000 ms. */
  ackTimeoutMs?: number;
  /** Manual mode: after this many deliveries a message goes to the dead-letter stream. Default 5. */
  maxDeliveries?: number;
  /** Manual mode: the wait before redelivering a nacked message, doubled with each delivery (at most 60 s). Default 1000 ms. */
  nackDelayMs?: number;
  /** Manual mode: where messages go after their most deliveries; created (File) when missing. */
  deadLetterStream?: string;
  /** Most messages per read. Default 500. */
  batchSize?: number;
  /** How long the server holds a read while no message comes. Default 5000 ms. */
  pollTimeoutMs?: number;
  /** Pause after a failed request before trying again. Default 1000 ms. */
  retryDelayMs?: number;
  /** At most one position write per this interval. Default 1000 ms. */
  commitIntervalMs?: number;
  /** ...or sooner, once this many messages were committed since the last write. Default 10 000. */
  commitEveryMessages?: number;
  /** Gets the deliveries in order (redeliveries one at a time); the next read waits until it returns. */
  onMessages(deliveries: Delivery[]): void;
  onWarning?(warning: ConsumerWarning): void;
  onState?(state: ConsumerState): void;
  /** A position was written to the checkpoint stream: from now on the consumer resumes there or later, even after a crash. */
  onCommitted?(position: number): void;
}

interface Anchor {
  sequenceNumber: number;
  /** Unset when the message before the position is not known yet (after a seek): the next read learns it. */
  identity?: MessageIdentity | StoredMessage;
  /** Taken from the saved position: a mismatch means the stream was re-created while the consumer was stopped. */
  saved?: boolean;
}

const MAX_NACK_DELAY_MS = 60_000;

function storedMessageOf(message: Message): StoredMessage {
  return { sequenceNumber: Number(message.sequenceNumber), ingestTime: Number(message.ingestTime), payload: message.payload };
}

function sameMessage(known: MessageIdentity | StoredMessage, read: StoredMessage): boolean {
  if (known.ingestTime !== read.ingestTime) return false;
  return 'digest' in known ? known.digest === messageDigest(read.payload) : Buffer.from(known.payload.buffer, known.payload.byteOffset, known.payload.byteLength).equals(read.payload);
}

const asError = (error: unknown): StreamManagerError =>
  error instanceof StreamManagerError ? error : new StreamManagerError(String((error as Error)?.message ?? error), 'UnknownFailure');

export class Consumer {
  readonly stream: string;
  readonly name: string;
  readonly ackMode: AckMode;
  private readonly checkpoints: CheckpointStore;
  private readonly committer: PositionCommitter;
  private readonly outstanding = new OutstandingMessages();
  private readonly maxOutstanding: number;
  private readonly ackTimeoutMs: number;
  private readonly maxDeliveries: number;
  /** Manual mode: reading waits until this many msgs fit below the most outstanding, so reads stay batches, not single messages. */
  private readonly refill: number;
  /** The next sequence number to read; undefined until the position is resolved. */
  private next?: number;
  private anchor?: Anchor;
  private saved?: { next: number; last?: MessageIdentity };
  private hadPosition = false;
  private streamWentMissing = false;
  private paused = false;
  private stopped = false;
  private generation = 0;
  private abort = new AbortController();
  private wake?: () => void;
  private loop?: Promise<void>;
  private sweeper?: ReturnType<typeof setInterval>;
  private lostToRetention = 0;
  /** Checkpoint records that could not be read on start, newer than the consumer's own newest copy. */
  private unreadable?: UnreadableCheckpoints;
  /** Why the next msg cannot vouch for every message before it: set on the next delivery. */
  private pendingGap?: Gap;
  private unverified?: Gap;
  /** Manual mode: how often each message was handed over, as recorded ahead of every hand-over. */
  private readonly counts = new DeliveryCounts();

  constructor(private readonly options: ConsumerOptions) {
    this.stream = options.stream;
    this.name = options.consumer;
    this.ackMode = options.ackMode ?? 'auto';
    this.maxOutstanding = Math.max(1, options.maxOutstanding ?? 1000);
    this.ackTimeoutMs = Math.max(1, options.ackTimeoutMs ?? 30_000);
    this.maxDeliveries = Math.max(1, options.maxDeliveries ?? 5);
    this.refill = Math.max(1, Math.min(options.batchSize ?? 500, Math.ceil(this.maxOutstanding / 2)));
    this.checkpoints = new CheckpointStore(options.client, options.stream);
    this.committer = new PositionCommitter(this.checkpoints, {
      consumer: options.consumer,
      deadLetterStream: options.deadLetterStream,
      intervalMs: options.commitIntervalMs ?? 1000,
      everyMessages: options.commitEveryMessages ?? 10_000,
      onWritten: (position) => options.onCommitted?.(position),
      onError: (error) => this.warn({ kind: 'commit-failed', error: asError(error), message: `could not write the position of consumer ${this.name} to ${this.checkpoints.name}: ${asError(error).message}; trying again` }),
      ...(this.ackMode === 'manual' ? { deliveries: () => this.counts.record(this.outstanding.unacknowledged(), this.outstanding.ackedAhead(), this.next) } : {}),
    });
  }

  /** The committed position: every message before it is acknowledged. Undefined until it is known. */
  get position(): number | undefined {
    return this.committer.position ?? this.saved?.next;
  }

  /** Messages delivered and not acknowledged (manual mode). */
  get outstandingCount(): number {
    return this.outstanding.size;
  }

  /** Messages lost to retention before they could be read, since the consumer started. */
  get lostCount(): number {
    return this.lostToRetention;
  }

  /** The last time the position could not be found or verified since the consumer started (see `Gap`), if any. */
  get positionWarning(): Gap | undefined {
    return this.unverified;
  }

  /** The stream the positions are kept in. */
  get checkpointStream(): string {
    return this.checkpoints.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops delivering until resume(): no reads, no redeliveries. In manual mode the ack timeouts stop too, so a pause
   * of any length (the receiver is away) sends nothing to the dead-letter stream; acks are still taken.
   */
  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.interrupt();
  }

  /**
   * Delivers again. In manual mode every message still awaiting its ack is delivered again first, in order, before
   * any newer one: what a receiver that went away did not confirm may be lost, and this keeps the stream's order.
   */
  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    if (this.ackMode === 'manual') this.redeliverUnacknowledged();
    this.interrupt();
  }

  /**
   * Goes on from `sequenceNumber` and commits it as the position at once. Outstanding messages are forgotten (their
   * acks are ignored) and a read under way is abandoned.
   */
  async seek(sequenceNumber: number): Promise<void> {
    this.generation += 1;
    this.outstanding.clear();
    this.counts.forget();
    this.saved = undefined;
    this.pendingGap = undefined;
    this.next = sequenceNumber;
    this.anchor = sequenceNumber > 0 ? { sequenceNumber: sequenceNumber - 1 } : undefined;
    this.hadPosition = true;
    this.interrupt();
    this.committer.move(sequenceNumber, undefined, 0);
    await this.committer.flush();
  }

  /** Manual mode: the message is done. False when it is not outstanding (already acked, or unknown). */
  ack(sequenceNumber: number): boolean {
    const entry = this.outstanding.get(sequenceNumber);
    if (!entry || entry.acked) return false;
    this.acknowledge(entry);
    return true;
  }

  /** Manual mode: the message failed; it is delivered again after a back-off, or dead-lettered after its most deliveries. */
  nack(sequenceNumber: number, reason = 'nacked'): boolean {
    const entry = this.outstanding.get(sequenceNumber);
    if (!entry || entry.acked || entry.held) return false;
    entry.lastError = reason;
    this.retryOrGiveUp(entry, Math.min(MAX_NACK_DELAY_MS, (this.options.nackDelayMs ?? 1000) * 2 ** (entry.deliveryCount - 1)));
    return true;
  }

  /** Messages in the stream after the committed position (asks the server for the newest). */
  async lag(): Promise<number | undefined> {
    const position = this.position;
    if (position === undefined) return undefined;
    const { storageStatus } = await this.options.client.describeMessageStream(this.stream);
    return Math.max(0, Number(storageStatus?.newestSequenceNumber ?? -1) + 1 - position);
  }

  /** Stops reading at once, writes the committed position, and leaves no timer behind. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt();
    await this.loop;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.committer.stop();
    // Written while the outstanding messages are still known, so that their delivery counts are kept; in manual mode
    // always, marked as a clean stop, so that the next start knows every ack is in it.
    if (this.ackMode === 'manual' && this.committer.position !== undefined) {
      this.counts.stopping = true;
      await this.committer.writeAhead().catch(() => undefined);
    } else {
      await this.committer.flush();
    }
    this.outstanding.clear();
    this.options.onState?.({ state: 'stopped' });
  }

  private warn(warning: ConsumerWarning): void {
    this.options.onWarning?.(warning);
  }

  private state(state: ConsumerState): void {
    this.options.onState?.(state);
  }

  private interrupt(): void {
    this.abort.abort(new Error('consumer interrupted'));
    this.abort = new AbortController();
    this.wake?.();
  }

  private waitForWake(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const retryDelayMs = this.options.retryDelayMs ?? 1000;
    this.state({ state: 'starting' });
    let loaded = false;
    while (!this.stopped) {
      if (this.paused) {
        this.state({ state: 'paused', next: this.next ?? this.position ?? 0 });
        await this.waitForWake();
        continue;
      }
      if (this.ackMode === 'manual' && (this.maxOutstanding - this.outstanding.size < this.refill || (this.outstanding.size > 0 && this.counts.careful(this.next)))) {
        this.state({ state: 'holding', outstanding: this.outstanding.size });
        await this.waitForWake();
        continue;
      }
      const generation = this.generation;
      const signal = this.abort.signal;
      try {
        if (!loaded) {
          this.loadSaved(await this.checkpoints.load());
          loaded = true;
        }
        if (this.next === undefined) this.next = await this.resolvePosition();
        this.state({ state: 'reading', next: this.next });
        await this.readOnce(generation, signal);
      } catch (error) {
        if (this.stopped || signal.aborted) continue;
        const failure = asError(error);
        if (failure.code === 'NotEnoughMessages') {
          await this.afterEmptyRead(generation).catch(() => undefined);
          continue;
        }
        if (failure.code === 'ResourceNotFound') {
          this.streamGone();
          this.state({ state: 'waiting-for-stream' });
        } else {
          this.state({ state: 'retrying', reason: failure });
        }
        await this.waitForWake(retryDelayMs);
      }
    }
  }

  private loadSaved(positions: Map<string, ConsumerPosition>): void {
    const own = this.committer.adopt(positions);
    this.unreadable = this.checkpoints.unreadableAfter(this.name);
    if (!own || this.next !== undefined) return;
    this.saved = { next: own.nextSequenceNumber, last: own.last };
    if (this.ackMode === 'manual') this.counts.resume(own);
    this.hadPosition = true;
  }

  /** The stream is not there (deleted, or not created yet): what is outstanding is of a stream that no longer exists. */
  private streamGone(): void {
    if (this.next !== undefined) this.hadPosition = true;
    this.streamWentMissing = true;
    this.outstanding.clear();
    this.counts.forget();
    this.next = undefined;
    this.anchor = undefined;
    this.generation += 1;
  }

  /** Where to read from: the saved position, verified; the first message of a re-created stream; or the start option. */
  private async resolvePosition(): Promise<number> {
    const { storageStatus } = await this.options.client.describeMessageStream(this.stream);
    const oldest = Number(storageStatus?.oldestSequenceNumber ?? 0);
    const newest = Number(storageStatus?.newestSequenceNumber ?? -1);
    if (this.streamWentMissing && this.hadPosition) {
      this.streamWentMissing = false;
      this.saved = undefined;
      return this.readFromFirst(oldest, newest, true);
    }
    this.streamWentMissing = false;
    const saved = this.saved;
    if (saved) {
      const before = saved.last?.sequenceNumber ?? saved.next - 1;
      // Numbering never goes back: a stream whose newest message is older than the position was created anew.
      if (before > newest) return this.readFromFirst(oldest, newest, false);
      this.anchor = saved.last ? { sequenceNumber: saved.last.sequenceNumber, identity: saved.last, saved: true } : undefined;
      this.committer.move(saved.next, saved.last, 0);
      if (this.unreadable) this.positionUnverified({ from: saved.next, to: saved.next - 1, count: 0, reason: 'position-uncertain' }, newest, this.unreadable);
      return saved.next;
    }
    const start = this.options.start ?? 'oldest';
    const next = typeof start === 'number' ? start : start === 'oldest' ? oldest : newest + 1;
    if (typeof start === 'number' && start > 0) this.anchor = { sequenceNumber: start - 1 };
    this.hadPosition = true;
    this.committer.move(next, undefined, 0);
    void this.committer.flush();
    if (this.unreadable) {
      const skipped = Math.max(0, Math.min(next, newest + 1) - oldest);
      this.positionUnverified({ from: skipped > 0 ? oldest : next, to: skipped > 0 ? oldest + skipped - 1 : next - 1, count: skipped, reason: 'position-lost' }, newest, this.unreadable);
    }
    return next;
  }

  /** Checkpoint records could not be read: said in a warning, and in msg.gap on the next delivery. */
  private positionUnverified(gap: Gap, newest: number, unreadable: UnreadableCheckpoints): void {
    this.unreadable = undefined;
    this.noteGap(gap);
    const what = [unreadable.notRecords > 0 ? `${unreadable.notRecords} records that are not checkpoint records` : '', unreadable.missing > 0 ? `${unreadable.missing} sequence numbers without a record` : '']
      .filter(Boolean)
      .join(' and ');
    const reading = `reading from ${gap.to + 1} (the stream's newest is ${newest})`;
    const message =
      gap.reason === 'position-lost'
        ? `no position of consumer ${this.name} was found in ${this.checkpoints.name}, which holds ${what}: its position may have been among them; starting as set, ${reading}${gap.count > 0 ? `, so messages ${gap.from} to ${gap.to} (${gap.count}) are not read` : ''}`
        : `the position of consumer ${this.name} may be older than its last commit: ${this.checkpoints.name} holds ${what} newer than it; ${reading}, messages may come again`;
    this.warn({ kind: 'position-unverified', gap, newest, unreadable, message });
  }

  private noteGap(gap: Gap): void {
    this.pendingGap = gap;
    this.unverified = gap;
  }

  private readFromFirst(oldest: number, newest: number, whileRunning: boolean): number {
    this.saved = undefined;
    this.anchor = undefined;
    this.outstanding.clear();
    this.counts.forget();
    const first = Math.min(oldest, newest + 1);
    const gap: Gap = { from: first, to: first - 1, count: 0, reason: 'recreated' };
    this.noteGap(gap);
    this.warn({
      kind: 'recreated',
      firstSequenceNumber: first,
      whileRunning,
      gap,
      message: `stream ${this.stream} was deleted and created again${whileRunning ? '' : ' while consumer ' + this.name + ' was stopped'}; reading it from its first message (${first})`,
    });
    this.committer.move(first, undefined, 0);
    void this.committer.flush();
    return first;
  }

  private async readOnce(generation: number, signal: AbortSignal): Promise<void> {
    const wanted = this.next as number;
    const anchor = this.anchor;
    const room = this.ackMode === 'manual' ? (this.counts.careful(wanted) ? 1 : this.maxOutstanding - this.outstanding.size) : Infinity;
    const count = Math.max(1, Math.min(this.options.batchSize ?? 500, room));
    const from = anchor ? anchor.sequenceNumber : wanted;
    const extra = anchor ? 1 : 0;
    const messages = await this.options.client.readMessages(
      this.stream,
      { desiredStartSequenceNumber: from, minMessageCount: 1 + extra, maxMessageCount: count + extra, readTimeoutMillis: this.options.pollTimeoutMs ?? 5000 },
      { signal },
    );
    if (this.stopped || generation !== this.generation || messages.length === 0) return;
    let read = messages.map(storedMessageOf);
    if (anchor && read[0].sequenceNumber === anchor.sequenceNumber) {
      if (anchor.identity && !sameMessage(anchor.identity, read[0])) {
        const { storageStatus } = await this.options.client.describeMessageStream(this.stream);
        if (generation !== this.generation) return;
        this.generation += 1;
        this.next = this.readFromFirst(Number(storageStatus?.oldestSequenceNumber ?? 0), Number(storageStatus?.newestSequenceNumber ?? -1), !anchor.saved);
        return;
      }
      read = read.slice(1);
    }
    if (read.length === 0) return;
    const manual = this.ackMode === 'manual';
    // Manual mode: how often each message was handed over before (after a restart, as recorded), written down
    // before it is handed over again, so that a delivery that ends the process still counts.
    const before = manual ? read.map((message) => this.counts.before(message.sequenceNumber)) : undefined;
    // Acknowledged before a restart: not handed over, so no record is needed for them.
    const handedOver = before?.map((count, index) => (this.counts.wasAcked(read[index].sequenceNumber) ? Infinity : count));
    if (handedOver && this.counts.mustRecord(read, handedOver, this.maxDeliveries)) {
      this.counts.handingOver(read, handedOver, this.maxDeliveries);
      try {
        await this.committer.writeAhead();
      } catch (error) {
        this.counts.handedOver(false);
        throw error;
      }
      this.counts.handedOver(true);
      if (this.stopped || generation !== this.generation) return;
    }
    const first = read[0].sequenceNumber;
    let gap: Gap | undefined;
    if (first > wanted) {
      gap = { from: wanted, to: first - 1, count: first - wanted, reason: 'retention' };
      this.lostToRetention += gap.count;
      this.warn({ kind: 'gap', gap, message: `${gap.count} messages of ${this.stream} (${gap.from} to ${gap.to}) were removed by retention before consumer ${this.name} read them` });
    }
    const pending = this.pendingGap;
    this.pendingGap = undefined;
    // A position that could not be verified, then messages removed by retention from where reading went on: one gap.
    if (pending) gap = gap ? { from: pending.count > 0 ? pending.from : gap.from, to: gap.to, count: pending.count + gap.count, reason: pending.reason } : pending;
    const last = read[read.length - 1];
    this.next = last.sequenceNumber + 1;
    this.anchor = { sequenceNumber: last.sequenceNumber, identity: last };
    this.deliver(read, gap, before);
  }

  private deliver(read: StoredMessage[], gap: Gap | undefined, before: number[] | undefined): void {
    const deadline = Date.now() + this.ackTimeoutMs;
    const deliveries: Delivery[] = [];
    const givenUp: Outstanding[] = [];
    const ackedBefore: Outstanding[] = [];
    for (let index = 0; index < read.length; index++) {
      const message = read[index];
      const earlier = before?.[index] ?? 0;
      if (before) {
        const entry = this.outstanding.add(message, deadline);
        if (this.counts.wasAcked(message.sequenceNumber)) {
          ackedBefore.push(entry);
          continue;
        }
        if (earlier >= this.maxDeliveries) {
          // Delivered its most times already, each one ended by a restart or crash before an ack: not handed over again.
          entry.deliveryCount = earlier;
          entry.held = true;
          entry.lastError = `delivered ${earlier} times without an ack before consumer ${this.name} restarted`;
          givenUp.push(entry);
          continue;
        }
        entry.deliveryCount = earlier + 1;
      }
      deliveries.push({ stream: this.stream, sequenceNumber: message.sequenceNumber, ingestTime: message.ingestTime, payload: message.payload, deliveryCount: earlier + 1, redelivered: earlier > 0 });
    }
    if (gap && deliveries.length > 0) deliveries[0].gap = gap;
    else if (gap) this.pendingGap = gap;
    if (before) this.sweeper ??= setInterval(() => this.redeliverLate(), Math.min(1000, Math.max(10, this.ackTimeoutMs / 4)));
    if (deliveries.length > 0) this.options.onMessages(deliveries);
    for (const entry of ackedBefore) this.acknowledge(entry);
    for (const entry of givenUp) void this.deadLetter(entry, this.generation);
    if (!before) this.committer.move(this.next as number, read[read.length - 1], read.length);
  }

  private acknowledge(entry: Outstanding): void {
    const released = this.outstanding.acknowledge(entry);
    if (released.length > 0) {
      const position = this.outstanding.firstUnacknowledged() ?? released[released.length - 1].sequenceNumber + 1;
      this.committer.move(position, released[released.length - 1], released.length);
    }
    if (this.maxOutstanding - this.outstanding.size === this.refill || (this.outstanding.size === 0 && this.counts.careful(this.next))) this.wake?.();
  }

  private redeliverLate(): void {
    if (this.paused) return;
    for (const entry of this.outstanding.expired(Date.now())) {
      entry.lastError = `no ack within ${this.ackTimeoutMs} ms`;
      this.retryOrGiveUp(entry, 0);
    }
  }

  private retryOrGiveUp(entry: Outstanding, delayMs: number): void {
    entry.held = true;
    if (this.usedUp(entry)) {
      void this.deadLetter(entry, this.generation);
      return;
    }
    const redeliver = (): void => {
      // While paused the entry stays held: resume() delivers it again.
      if (this.stopped || this.paused || this.outstanding.get(entry.message.sequenceNumber) !== entry || entry.acked) return;
      void this.redeliver(entry);
    };
    if (delayMs === 0) void redeliver();
    else entry.redeliveryTimer = setTimeout(() => void redeliver(), delayMs);
  }

  /** Hands the message over again once its new delivery count is written (so a delivery that ends the process counts). */
  private async redeliver(entry: Outstanding): Promise<void> {
    clearTimeout(entry.redeliveryTimer);
    const generation = this.generation;
    const current = (): boolean => !this.stopped && generation === this.generation && this.outstanding.get(entry.message.sequenceNumber) === entry && !entry.acked;
    // Held while the count is written, so that no ack timeout redelivers it meanwhile.
    entry.held = true;
    entry.deliveryCount += 1;
    try {
      await this.committer.writeAhead();
    } catch {
      // Not recorded, so not handed over: tried again later (the failed write was reported).
      entry.deliveryCount -= 1;
      if (current()) entry.redeliveryTimer = setTimeout(() => void this.redeliver(entry), this.options.retryDelayMs ?? 1000);
      return;
    }
    if (current()) this.handOverAgain(entry);
  }

  /** Hands the message over again at once: for a delivery a pause cut short, which does not change the count that is recorded. */
  private handOverAgain(entry: Outstanding, counting = false): void {
    clearTimeout(entry.redeliveryTimer);
    if (counting) entry.deliveryCount += 1;
    entry.held = false;
    entry.ackDeadline = Date.now() + this.ackTimeoutMs;
    const { sequenceNumber, ingestTime, payload } = entry.message;
    this.options.onMessages([{ stream: this.stream, sequenceNumber, ingestTime, payload, deliveryCount: entry.deliveryCount, redelivered: true }]);
  }

  /** The message has had its most deliveries; those a pause cut short do not count. */
  private usedUp(entry: Outstanding): boolean {
    return entry.deliveryCount - (entry.interrupted ?? 0) >= this.maxDeliveries;
  }

  /** Every message awaiting its ack, in order, except those on their way to the dead-letter stream. */
  private redeliverUnacknowledged(): void {
    for (const entry of this.outstanding.unacknowledged()) {
      if (entry.acked || this.paused || this.stopped) continue;
      if (entry.held) {
        // Nacked and waiting for its back-off (a failure that counts), or on its way to the dead-letter stream.
        if (!this.usedUp(entry)) void this.redeliver(entry);
        continue;
      }
      // Delivered before the pause with no answer: its outcome is unknown, so it does not count as a failure.
      entry.interrupted = (entry.interrupted ?? 0) + 1;
      this.handOverAgain(entry, true);
    }
  }

  private async deadLetter(entry: Outstanding, generation: number): Promise<void> {
    const { sequenceNumber, ingestTime, payload } = entry.message;
    const deadLetterStream = this.options.deadLetterStream;
    try {
      if (deadLetterStream) {
        await appendDeadLetter(this.options.client, deadLetterStream, {
          consumer: this.name,
          stream: this.stream,
          sequenceNumber,
          ingestTime,
          deliveryCount: entry.deliveryCount,
          lastError: entry.lastError,
          deadLetteredAt: Date.now(),
          payload: Buffer.from(payload),
        });
      }
    } catch (error) {
      const failure = asError(error);
      this.warn({ kind: 'dead-letter-failed', sequenceNumber, error: failure, message: `could not append message ${sequenceNumber} of ${this.stream} to dead-letter stream ${deadLetterStream}: ${failure.message}; trying again` });
      if (!this.stopped && generation === this.generation) entry.redeliveryTimer = setTimeout(() => void this.deadLetter(entry, generation), this.options.retryDelayMs ?? 1000);
      return;
    }
    if (generation !== this.generation || this.outstanding.get(sequenceNumber) !== entry) return;
    this.warn({
      kind: 'dead-lettered',
      sequenceNumber,
      deliveryCount: entry.deliveryCount,
      deadLetterStream,
      lastError: entry.lastError,
      message: deadLetterStream
        ? `message ${sequenceNumber} of ${this.stream} failed ${entry.deliveryCount} deliveries (last: ${entry.lastError}); appended to dead-letter stream ${deadLetterStream}`
        : `message ${sequenceNumber} of ${this.stream} failed ${entry.deliveryCount} deliveries (last: ${entry.lastError}) and was given up: no dead-letter stream is set`,
    });
    this.acknowledge(entry);
  }

  /** Nothing new within the poll: check the stream was not re-created behind the position, and that the anchor still exists. */
  private async afterEmptyRead(generation: number): Promise<void> {
    const next = this.next;
    if (next === undefined) return;
    const { storageStatus } = await this.options.client.describeMessageStream(this.stream);
    if (generation !== this.generation || this.next !== next) return;
    const oldest = Number(storageStatus?.oldestSequenceNumber ?? 0);
    const newest = Number(storageStatus?.newestSequenceNumber ?? -1);
    if (newest < next - 1) {
      this.generation += 1;
      this.next = this.readFromFirst(oldest, newest, true);
    } else if (this.anchor && oldest > this.anchor.sequenceNumber) {
      // The message before the position was removed by retention; reads go on without it.
      this.anchor = undefined;
    }
  }
}
