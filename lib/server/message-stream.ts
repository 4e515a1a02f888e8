// One stream: sequence numbers, segments, retention (size and time to live), reads and long-poll waiters.
import { InvalidRequestError, NotEnoughMessagesError, ResourceNotFoundError, ResponsePayloadTooLargeError } from '../protocol/errors';
import { Persistence, StrategyOnFull } from '../protocol/enums';
import type { MessageStreamDefinition, StorageStatus } from '../protocol/model';
import { diskFailure } from './disk-failure';
import { PayloadSlab } from './payload-slab';
import { SegmentFile } from './segment-file';
import type { StoredMessage } from './stored-message';

/** A reply larger than this is cut short (to at least minMessageCount messages), far below the 1 GiB frame limit. */
export const MAX_READ_RESPONSE_BYTES = 64 * 1024 * 1024;

/** setTimeout fires at once for longer delays; a long-poll this long (24.8 days) is as good as forever. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ReadRequest {
  desiredStartSequenceNumber: number;
  minMessageCount: number;
  maxMessageCount: number;
}

interface DurabilityWaiter {
  sequenceNumber: number;
  resolve(): void;
  reject(error: Error): void;
}

interface Waiter {
  request: ReadRequest;
  timer: NodeJS.Timeout;
  resolve(messages: StoredMessage[]): void;
  reject(error: Error): void;
}

class Segment {
  readonly messages: StoredMessage[] = [];
  bytes = 0;

  constructor(
    readonly baseSequenceNumber: number,
    readonly file?: SegmentFile,
  ) {}

  get newestIngestTime(): number {
    return this.messages.length > 0 ? this.messages[this.messages.length - 1].ingestTime : 0;
  }
}

/** Numbers in a definition as plain numbers for arithmetic; the definition itself keeps the client's exact values. */
export function numberField(value: number | bigint | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

export class MessageStream {
  private readonly segments: Segment[] = [];
  private nextSequence: number;
  /**
   * Messages below this sequence number are stored: readable, counted in the storage status, acknowledged. File
   * appends stay above it until their segment file took them, and are rolled back when it refused them.
   */
  private committedNext: number;
  private bytes = 0;
  private readonly waiters = new Set<Waiter>();
  private durabilityWaiters: DurabilityWaiter[] = [];
  private readonly payloads = new PayloadSlab();
  private deleted = false;

  /**
   * @param directory where File segments live; undefined for Memory streams, which never touch the disk.
   * @param loaded segments read back from disk, oldest first.
   */
  constructor(
    public definition: MessageStreamDefinition,
    private readonly directory: string | undefined,
    loaded: { baseSequenceNumber: number; messages: StoredMessage[] }[] = [],
    private readonly onSegmentsDropped: (count: number) => void = () => undefined,
  ) {
    for (const { baseSequenceNumber, messages } of loaded) {
      const segment = new Segment(baseSequenceNumber, directory ? SegmentFile.reopen(directory, baseSequenceNumber, messages) : undefined);
      for (const message of messages) {
        segment.messages.push(message);
        segment.bytes += message.payload.length;
      }
      this.bytes += segment.bytes;
      this.segments.push(segment);
    }
    const last = this.segments.at(-1);
    this.nextSequence = last ? last.baseSequenceNumber + last.messages.length : 0;
    this.committedNext = this.nextSequence;
    if (!last) this.segments.push(this.newSegment());
  }

  get name(): string {
    return this.definition.name;
  }

  get isFile(): boolean {
    return this.directory !== undefined;
  }

  private get maxSize(): number {
    return numberField(this.definition.maxSize, Number.MAX_SAFE_INTEGER);
  }

  private get segmentSize(): number {
    return numberField(this.definition.streamSegmentSize, 16_777_216);
  }

  /** First sequence number still readable; the next one to be written when the stream is empty. */
  get oldestSequenceNumber(): number {
    const first = this.segments.find((segment) => segment.messages.length > 0);
    return first && first.baseSequenceNumber < this.committedNext ? first.baseSequenceNumber : this.committedNext;
  }

  get newestSequenceNumber(): number {
    return this.committedNext - 1;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  storageStatus(): StorageStatus {
    // Assumption (protocol.md §3.6): an empty stream reports oldest 0, newest -1 when nothing was ever appended;
    // once messages have come and gone, oldest is the next sequence number and newest the last one given out.
    return {
      oldestSequenceNumber: this.committedNext === 0 ? 0 : this.oldestSequenceNumber,
      newestSequenceNumber: this.newestSequenceNumber,
      totalBytes: this.bytes,
    };
  }

  /**
   * Appends a copy of the payload (it may be a view of a larger receive buffer); throws InvalidRequest when a
   * RejectNewData stream is full or the message can never fit.
   */
  append(received: Uint8Array, now: number): StoredMessage {
    this.assertLive();
    const size = received.length;
    if (size > this.maxSize) {
      throw new InvalidRequestError(`message of ${size} bytes is larger than the stream's maxSize of ${this.maxSize} bytes`);
    }
    if (this.bytes + size > this.maxSize) {
      if (this.definition.strategyOnFull !== StrategyOnFull.OverwriteOldestData) {
        throw new InvalidRequestError(
          `stream ${this.name} is full: ${this.bytes} of ${this.maxSize} bytes used and strategyOnFull is RejectNewData`,
        );
      }
      this.dropOldestSegmentsUntil(() => this.bytes + size <= this.maxSize);
    }
    let active = this.segments[this.segments.length - 1];
    if (active.bytes > 0 && active.bytes + size > this.segmentSize) {
      active = this.newSegment();
      this.segments.push(active);
    }
    const message: StoredMessage = { sequenceNumber: this.nextSequence, ingestTime: now, payload: this.payloads.copy(received) };
    active.file?.append(message);
    active.messages.push(message);
    active.bytes += size;
    this.bytes += size;
    this.nextSequence += 1;
    if (!this.isFile) {
      this.committedNext = this.nextSequence;
      if (this.waiters.size > 0) this.wakeWaiters();
    }
    return message;
  }

  /**
   * Resolves once the message is written to its segment file, and with flushOnWrite on the disk itself; at once for
   * Memory streams. Appends in the same turn of the event loop share one write (and one fdatasync). Rejects when the
   * file system refuses the data: then the append is rolled back, as if it had never been made.
   */
  whenStored(sequenceNumber: number): Promise<void> {
    if (sequenceNumber < this.committedNext) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.durabilityWaiters.push({ sequenceNumber, resolve, reject });
      if (this.durabilityWaiters.length === 1) setImmediate(() => this.commitAppends());
    });
  }

  /** The messages a read gets now, or undefined when fewer than minMessageCount are available. */
  read(request: ReadRequest): StoredMessage[] | undefined {
    this.assertLive();
    const start = Math.max(request.desiredStartSequenceNumber, this.oldestSequenceNumber);
    const available = this.committedNext - start;
    if (available < request.minMessageCount || available <= 0) return undefined;
    const wanted = Math.min(available, request.maxMessageCount);
    const messages: StoredMessage[] = [];
    let bytes = 0;
    let index = this.segmentIndexOf(start);
    let offset = start - this.segments[index].baseSequenceNumber;
    while (messages.length < wanted && index < this.segments.length) {
      const segment = this.segments[index];
      if (offset >= segment.messages.length) {
        index += 1;
        offset = 0;
        continue;
      }
      const message = segment.messages[offset];
      bytes += message.payload.length;
      if (bytes > MAX_READ_RESPONSE_BYTES && messages.length >= Math.max(1, request.minMessageCount)) break;
      messages.push(message);
      offset += 1;
    }
    if (bytes > MAX_READ_RESPONSE_BYTES && messages.length > 0 && bytes - messages[messages.length - 1].payload.length > MAX_READ_RESPONSE_BYTES) {
      throw new ResponsePayloadTooLargeError(
        `${request.minMessageCount} messages from ${start} hold more than ${MAX_READ_RESPONSE_BYTES} bytes; ask for fewer`,
      );
    }
    return messages;
  }

  /** A long-poll: resolves as soon as the read can be served, rejects with NotEnoughMessages after timeoutMs. */
  waitForMessages(request: ReadRequest, timeoutMs: number): { promise: Promise<StoredMessage[]>; cancel(): void } {
    let waiter: Waiter | undefined;
    const promise = new Promise<StoredMessage[]>((resolve, reject) => {
      waiter = {
        request,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter as Waiter);
          reject(this.notEnoughMessages(request));
        }, Math.min(timeoutMs, MAX_TIMER_MS)),
      };
      this.waiters.add(waiter);
    });
    return {
      promise,
      cancel: () => {
        if (!waiter || !this.waiters.delete(waiter)) return;
        clearTimeout(waiter.timer);
      },
    };
  }

  notEnoughMessages(request: ReadRequest): NotEnoughMessagesError {
    const start = Math.max(request.desiredStartSequenceNumber, this.oldestSequenceNumber);
    const available = Math.max(0, this.committedNext - start);
    return new NotEnoughMessagesError(
      `stream ${this.name} has ${available} message${available === 1 ? '' : 's'} from sequence number ${start}, fewer than minMessageCount ${request.minMessageCount}`,
    );
  }

  /** Drops whole segments whose newest message is older than the time to live. */
  expire(now: number): void {
    const ttl = this.definition.timeToLiveMillis;
    if (ttl === undefined || this.deleted) return;
    const limit = now - Number(ttl);
    this.dropOldestSegmentsUntil(() => {
      const first = this.segments[0];
      return first.messages.length === 0 || first.newestIngestTime >= limit;
    });
  }

  /** Applies a new definition; the caller has checked that the change is allowed. */
  applyDefinition(definition: MessageStreamDefinition, now: number): void {
    this.definition = definition;
    if (this.bytes > this.maxSize && definition.strategyOnFull === StrategyOnFull.OverwriteOldestData) {
      this.dropOldestSegmentsUntil(() => this.bytes <= this.maxSize);
    }
    this.expire(now);
  }

  get persistence(): Persistence {
    return this.definition.persistence ?? Persistence.File;
  }

  /** Flushes and closes the files (server stop). Waiting reads are answered by their connection closing. */
  close(): void {
    this.commitAppends();
    for (const segment of this.segments) segment.file?.close();
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
  }

  /** Ends the stream: waiting reads fail with ResourceNotFound, files are closed (the store removes its folder). */
  destroy(): void {
    this.deleted = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ResourceNotFoundError(`stream ${this.name} was deleted while the read was waiting`));
    }
    this.waiters.clear();
    for (const pending of this.durabilityWaiters) pending.reject(new ResourceNotFoundError(`stream ${this.name} was deleted`));
    this.durabilityWaiters = [];
    for (const segment of this.segments) segment.file?.close(false);
  }

  /** Writes the appends waiting in segment files; what the disk refuses is rolled back and its appends fail. */
  private commitAppends(): void {
    const waiting = this.durabilityWaiters;
    this.durabilityWaiters = [];
    const durable = this.definition.flushOnWrite === true;
    let failure: Error | undefined;
    for (const segment of this.segments) {
      if (!segment.file?.hasPending) continue;
      try {
        segment.file.commit(durable);
        this.committedNext = segment.baseSequenceNumber + segment.messages.length;
      } catch (error) {
        failure = diskFailure(`could not store stream ${this.name} on disk`, error);
        break;
      }
    }
    if (failure) this.rollBackUncommitted();
    else this.committedNext = this.nextSequence;
    for (const pending of waiting) {
      if (failure && pending.sequenceNumber >= this.committedNext) pending.reject(failure);
      else pending.resolve();
    }
    if (this.waiters.size > 0) this.wakeWaiters();
  }

  /** Forgets the appends after the last stored message, so that the next append takes the first refused number. */
  private rollBackUncommitted(): void {
    while (this.segments.length > 0 && this.segments[this.segments.length - 1].baseSequenceNumber >= this.committedNext) {
      const dropped = this.segments.pop() as Segment;
      this.bytes -= dropped.bytes;
      dropped.file?.delete();
    }
    const active = this.segments.at(-1);
    if (active) {
      for (const message of active.messages.splice(this.committedNext - active.baseSequenceNumber)) {
        active.bytes -= message.payload.length;
        this.bytes -= message.payload.length;
      }
      active.file?.discardPending();
    }
    this.nextSequence = this.committedNext;
    if (!active) this.segments.push(this.newSegment());
  }

  private assertLive(): void {
    if (this.deleted) throw new ResourceNotFoundError(`stream ${this.name} does not exist`);
  }

  private newSegment(): Segment {
    return new Segment(this.nextSequence, this.directory ? SegmentFile.create(this.directory, this.nextSequence) : undefined);
  }

  private dropOldestSegmentsUntil(done: () => boolean): void {
    let dropped = 0;
    while (!done()) {
      const oldest = this.segments.shift();
      if (!oldest) break;
      this.bytes -= oldest.bytes;
      oldest.file?.delete();
      dropped += 1;
      if (this.segments.length === 0) {
        this.segments.push(this.newSegment());
        break;
      }
    }
    if (dropped > 0) this.onSegmentsDropped(dropped);
  }

  private segmentIndexOf(sequenceNumber: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.segments[middle].baseSequenceNumber <= sequenceNumber) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private wakeWaiters(): void {
    for (const waiter of this.waiters) {
      let messages: StoredMessage[] | undefined;
      try {
        messages = this.read(waiter.request);
      } catch (error) {
        // A wake-up that cannot be answered (ResponsePayloadTooLarge) fails that read only, not the append or timer.
        messages = undefined;
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.reject(error as Error);
      }
      if (!messages) continue;
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(messages);
    }
  }
}
