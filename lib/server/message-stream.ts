// One stream: sequence numbers, its segments (in memory, or files under log/), retention, reads and long-polls.
import * as fs from 'node:fs';
import type { Logger } from '../common/logger';
import { MessageStoreReadError, NotEnoughMessagesError, InvalidRequestError, ResourceNotFoundError, ResponsePayloadTooLargeError } from '../protocol/errors';
import { Persistence, StrategyOnFull } from '../protocol/enums';
import type { MessageStreamDefinition, StorageStatus } from '../protocol/model';
import { diskFailure } from './disk-failure';
import type { FileHandles } from './log/file-handles';
import { FileSegment } from './log/file-segment';
import { LongPollWaiters, type ReadRequest } from './log/long-poll-waiters';
import { MemorySegment } from './log/memory-segment';
import { FRESH_BLOCKS, type ReadBlocks } from './log/read-blocks';
import { recoverFileSegments } from './log/recovery';
import { segmentsExpired, segmentsOverSize } from './log/retention';
import { DamagedSegmentError, endOf, ReplyBudget, type Segment } from './log/segment';
import { SegmentWriter } from './log/segment-writer';
import { setAsideSegment } from './log/set-aside';
import { StateFile } from './log/state-file';
import type { StoredMessage } from '../protocol/stored-message';

export type { ReadRequest } from './log/long-poll-waiters';

/** The bytes a reply may carry by default: a read answers with as many whole messages as fit. */
const MAX_READ_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Where a File stream lives: its folder, the store's shared read handles, and where to report damage. */
export interface FileStorage {
  directory: string;
  handles: FileHandles;
  logger: Logger;
}

interface DurabilityWaiter {
  sequenceNumber: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Numbers in a definition as plain numbers for arithmetic; the definition itself keeps the client's exact values. */
export function numberField(value: number | bigint | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

export class MessageStream {
  private readonly segments: Segment[];
  private nextSequence: number;
  /** Messages below this are stored: readable, acknowledged. File appends stay above it until written (and synced). */
  private storedNext: number;
  private bytes = 0;
  private readonly waiters = new LongPollWaiters();
  private durabilityWaiters: DurabilityWaiter[] = [];
  private readonly writer: SegmentWriter | undefined;
  private readonly state: StateFile | undefined;
  private deleted = false;

  /** @param storage where a File stream's segments live; undefined for Memory streams, which never touch the disk. */
  constructor(
    public definition: MessageStreamDefinition,
    private readonly storage?: FileStorage,
    private readonly onSegmentsDropped: (count: number) => void = () => undefined,
  ) {
    if (storage) {
      this.state = StateFile.open(storage.directory);
      const recovered = recoverFileSegments(storage.directory, definition.name, storage.handles, this.state, storage.logger);
      this.segments = recovered.segments;
      this.nextSequence = recovered.nextSequenceNumber;
      const outcome = { stored: (next: number) => this.onStored(next), refused: (error: unknown) => this.onRefused(error) };
      this.writer = new SegmentWriter(definition.name, outcome, () => this.definition.flushOnWrite === true, storage.logger);
    } else {
      this.segments = [];
      this.nextSequence = 0;
    }
    this.storedNext = this.nextSequence;
    for (const segment of this.segments) this.bytes += segment.payloadBytes;
    const last = this.segments[this.segments.length - 1];
    if (!last || (last instanceof FileSegment && last.sealed) || endOf(last) !== this.nextSequence) this.segments.push(this.newSegment(false));
  }

  get name(): string {
    return this.definition.name;
  }

  get isFile(): boolean {
    return this.storage !== undefined;
  }

  get persistence(): Persistence {
    return this.definition.persistence ?? Persistence.File;
  }

  private get maxSize(): number {
    return numberField(this.definition.maxSize, Number.MAX_SAFE_INTEGER);
  }

  private get segmentSize(): number {
    return numberField(this.definition.streamSegmentSize, 16_777_216);
  }

  /** First sequence number still readable; the next one to be written when the stream is empty. */
  get oldestSequenceNumber(): number {
    const first = this.segments.find((segment) => segment.count > 0);
    return first && first.baseSequenceNumber < this.storedNext ? first.baseSequenceNumber : this.storedNext;
  }

  get newestSequenceNumber(): number {
    return this.storedNext - 1;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  storageStatus(): StorageStatus {
    // Assumption (protocol.md §3.6): an empty stream reports oldest 0, newest -1 when nothing was ever appended;
    // once messages have come and gone, oldest is the next sequence number and newest the last one given out.
    return {
      oldestSequenceNumber: this.storedNext === 0 ? 0 : this.oldestSequenceNumber,
      newestSequenceNumber: this.newestSequenceNumber,
      totalBytes: this.bytes,
    };
  }

  /**
   * Appends the payload (copied or written out: it may be a view of a larger receive buffer). Throws InvalidRequest
   * when a RejectNewData stream is full or the message can never fit, and a disk failure when its number cannot be
   * reserved; a File append is stored only once whenStored says so.
   */
  append(received: Uint8Array, now: number): { sequenceNumber: number } {
    this.assertLive();
    const size = received.length;
    if (size > this.maxSize) {
      throw new InvalidRequestError(`message of ${size} bytes is larger than the stream's maxSize of ${this.maxSize} bytes`);
    }
    if (this.bytes + size > this.maxSize && this.definition.strategyOnFull !== StrategyOnFull.OverwriteOldestData) {
      throw new InvalidRequestError(`stream ${this.name} is full: ${this.bytes} of ${this.maxSize} bytes used and strategyOnFull is RejectNewData`);
    }
    if (this.state) {
      try {
        this.state.reserve(this.nextSequence);
      } catch (error) {
        throw diskFailure(`could not store stream ${this.name} on disk`, error);
      }
    }
    let tail = this.segments[this.segments.length - 1];
    if ((tail.count > 0 && tail.payloadBytes + size > this.segmentSize) || (tail instanceof FileSegment && tail.sealed)) {
      tail = this.newSegment(false);
      this.segments.push(tail);
    }
    const sequenceNumber = this.nextSequence;
    this.nextSequence += 1;
    this.bytes += size;
    if (this.writer) {
      this.writer.append(tail as FileSegment, sequenceNumber, now, received);
    } else {
      (tail as MemorySegment).append(received, now);
      this.onStored(this.nextSequence);
    }
    return { sequenceNumber };
  }

  /**
   * Resolves once the message is written to its segment file, and with flushOnWrite synced to the disk; at once for
   * Memory streams. Rejects when the file system refuses it: then the append is rolled back as if never made.
   */
  whenStored(sequenceNumber: number): Promise<void> {
    if (sequenceNumber < this.storedNext) return Promise.resolve();
    return new Promise((resolve, reject) => this.durabilityWaiters.push({ sequenceNumber, resolve, reject }));
  }

  /**
   * The messages a read gets now, or undefined when fewer than minMessageCount are available. The reply holds as
   * many whole messages as fit `maxBytes` (by default `request.maxBytes`, else MAX_READ_RESPONSE_BYTES), which may be
   * fewer than minMessageCount; a first message that can never fit fails that read with ResponsePayloadTooLarge.
   * Payloads read from files are views of `blocks`: fresh ones by default, which the messages may keep for good.
   */
  read(request: ReadRequest, maxBytes = request.maxBytes ?? MAX_READ_RESPONSE_BYTES, blocks: ReadBlocks = FRESH_BLOCKS): StoredMessage<Buffer>[] | undefined {
    this.assertLive();
    for (let attempt = 0; ; attempt++) {
      try {
        return this.readOnce(request, maxBytes, blocks);
      } catch (error) {
        if (!(error instanceof DamagedSegmentError) || attempt >= this.segments.length) throw error;
        this.setAside(error);
      }
    }
  }

  /** A long-poll: resolves as soon as the read can be served (as read does), rejects with NotEnoughMessages after timeoutMs. */
  waitForMessages(request: ReadRequest, timeoutMs: number, maxBytes = request.maxBytes ?? MAX_READ_RESPONSE_BYTES): { promise: Promise<StoredMessage<Buffer>[]>; cancel(): void } {
    return this.waiters.add(request, maxBytes, timeoutMs, () => this.notEnoughMessages(request));
  }

  notEnoughMessages(request: ReadRequest): NotEnoughMessagesError {
    const { start, available } = this.availableFor(request);
    return new NotEnoughMessagesError(
      `stream ${this.name} has ${available} message${available === 1 ? '' : 's'} from sequence number ${start}, fewer than minMessageCount ${request.minMessageCount}`,
    );
  }

  /** Drops whole segments whose newest message is older than the time to live. */
  expire(now: number): void {
    const ttl = this.definition.timeToLiveMillis;
    if (ttl === undefined || this.deleted) return;
    this.dropOldest(segmentsExpired(this.segments, now - Number(ttl), this.storedNext));
  }

  /** Time-based upkeep (every second): expired segments go, an idle File stream lets go of its write handle. */
  tick(now: number): void {
    this.expire(now);
    this.writer?.releaseIfIdle();
  }

  /** Applies a new definition; the caller has checked that the change is allowed. */
  applyDefinition(definition: MessageStreamDefinition, now: number): void {
    this.definition = definition;
    this.dropOverSize();
    this.expire(now);
  }

  /** Writes and syncs what waits and closes the files (server stop). Waiting reads end with their connections. */
  close(): void {
    this.writer?.close();
    this.waiters.endAll();
  }

  /** Ends the stream: waiting reads fail with ResourceNotFound, files are let go (the store removes its folder). */
  destroy(): void {
    this.deleted = true;
    this.waiters.endAll(new ResourceNotFoundError(`stream ${this.name} was deleted while the read was waiting`));
    for (const pending of this.durabilityWaiters) pending.reject(new ResourceNotFoundError(`stream ${this.name} was deleted`));
    this.durabilityWaiters = [];
    this.writer?.discard();
    for (const segment of this.segments) if (segment instanceof FileSegment) this.storage?.handles.forget(segment.file);
  }

  /** Where a read starts and how many stored messages follow one another from there. */
  private availableFor(request: ReadRequest): { start: number; index: number; available: number } {
    let start = Math.max(request.desiredStartSequenceNumber, this.oldestSequenceNumber);
    const index = this.segmentIndexOf(start);
    // A start inside a hole (a segment set aside) goes on at the next message there is, as after retention.
    if (index < this.segments.length && this.segments[index].baseSequenceNumber > start) start = Math.min(this.segments[index].baseSequenceNumber, this.storedNext);
    return { start, index, available: this.contiguousFrom(start, index) };
  }

  private readOnce(request: ReadRequest, maxBytes: number, blocks: ReadBlocks): StoredMessage<Buffer>[] | undefined {
    const found = this.availableFor(request);
    const { start, available } = found;
    let index = found.index;
    if (available < request.minMessageCount || available <= 0) return undefined;
    const wanted = Math.min(available, request.maxMessageCount);
    const budget = new ReplyBudget(maxBytes, this.name);
    const messages: StoredMessage<Buffer>[] = [];
    while (messages.length < wanted && index < this.segments.length && !budget.full) {
      const found = this.segments[index].read(start + messages.length, wanted - messages.length, budget, blocks);
      for (const message of found) messages.push(message);
      index += 1;
    }
    if (messages.length === 0) {
      throw new ResponsePayloadTooLargeError(
        `message ${start} of stream ${this.name} holds ${budget.refusedLength} bytes, more than the ${maxBytes} bytes a reply can carry; read from ${start + 1} to go past it`,
      );
    }
    return messages;
  }

  /** How many stored messages follow one another from `start`, the segment at `index` holding it. */
  private contiguousFrom(start: number, index: number): number {
    let position = start;
    for (let at = index; at < this.segments.length; at++) {
      const segment = this.segments[at];
      if (segment.baseSequenceNumber > position) break;
      position = Math.max(position, Math.min(endOf(segment), this.storedNext));
    }
    return position - start;
  }

  /** The segment holding `sequenceNumber`, else the first one after it (past the end: the segment count). */
  private segmentIndexOf(sequenceNumber: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.segments[middle].baseSequenceNumber <= sequenceNumber) low = middle;
      else high = middle - 1;
    }
    return sequenceNumber >= endOf(this.segments[low]) && this.segments[low].baseSequenceNumber <= sequenceNumber && low < this.segments.length - 1 ? low + 1 : low;
  }

  private onStored(next: number): void {
    if (next > this.storedNext) this.storedNext = next;
    let resolved = 0;
    while (resolved < this.durabilityWaiters.length && this.durabilityWaiters[resolved].sequenceNumber < this.storedNext) this.durabilityWaiters[resolved++].resolve();
    if (resolved > 0) this.durabilityWaiters = this.durabilityWaiters.slice(resolved);
    this.dropOverSize();
    if (this.waiters.size > 0) this.waiters.wake((request, maxBytes) => this.read(request, maxBytes));
  }

  /** The disk refused appends: everything after the last stored message is forgotten and those appends fail. */
  private onRefused(error: unknown): void {
    const failure = diskFailure(`could not store stream ${this.name} on disk`, error);
    while (this.segments.length > 1 && this.segments[this.segments.length - 1].baseSequenceNumber >= this.storedNext) {
      const dropped = this.segments.pop() as FileSegment;
      this.removeFiles(dropped);
    }
    for (const segment of this.segments) if (segment instanceof FileSegment && endOf(segment) > this.storedNext) segment.rollBack();
    this.nextSequence = this.storedNext;
    this.bytes = this.segments.reduce((sum, segment) => sum + segment.payloadBytes, 0);
    for (const pending of this.durabilityWaiters) pending.reject(failure);
    this.durabilityWaiters = [];
  }

  /**
   * OverwriteOldestData: removes oldest segments while the stored messages pass maxSize. Appends not stored yet do not
   * count, so that an append the disk then refuses has not cost any stored segment.
   */
  private dropOverSize(): void {
    if (this.bytes <= this.maxSize || this.definition.strategyOnFull !== StrategyOnFull.OverwriteOldestData) return;
    let storedBytes = this.bytes;
    for (let index = this.segments.length - 1; index >= 0 && endOf(this.segments[index]) > this.storedNext; index--) {
      storedBytes -= this.segments[index].payloadBytes - this.segments[index].storedPayloadBytes;
    }
    this.dropOldest(segmentsOverSize(this.segments, storedBytes, this.maxSize, this.storedNext));
  }

  /** Removes the `count` oldest segments; a stream left without any gets an empty one (its file made at once). */
  private dropOldest(count: number): void {
    if (count === 0) return;
    const dropped = this.segments.splice(0, count);
    // The new segment's file comes first: its name records where numbering stands, whatever happens next.
    if (this.segments.length === 0) this.segments.push(this.newSegment(true));
    for (const segment of dropped) {
      this.bytes -= segment.payloadBytes;
      if (segment instanceof FileSegment) this.removeFiles(segment);
    }
    this.onSegmentsDropped(count);
  }

  private setAside(damage: DamagedSegmentError): void {
    const segment = damage.segment as FileSegment;
    const index = this.segments.indexOf(segment);
    if (index < 0) return;
    const isTail = index === this.segments.length - 1;
    if (isTail && (this.writer?.hasPending || endOf(segment) > this.storedNext)) {
      throw new MessageStoreReadError(`stream ${this.name}: ${segment.file} is damaged (${damage.reason}); it is set aside once its pending appends are written`);
    }
    this.writer?.forget(segment);
    this.storage?.handles.forget(segment.file);
    this.segments.splice(index, 1);
    this.bytes -= segment.payloadBytes;
    if (isTail) this.segments.push(this.newSegment(false));
    const logger = (this.storage as FileStorage).logger;
    setAsideSegment({ streamName: this.name, file: segment.file, indexFile: segment.indexFile, firstSequenceNumber: segment.baseSequenceNumber, lastSequenceNumber: endOf(segment) - 1, reason: damage.reason }, logger);
  }

  private removeFiles(segment: FileSegment): void {
    this.writer?.forget(segment);
    this.storage?.handles.forget(segment.file);
    try {
      fs.rmSync(segment.file, { force: true });
      fs.rmSync(segment.indexFile, { force: true });
    } catch {
      // Nothing is lost by keeping it; retention is applied again after a restart.
    }
  }

  private newSegment(createFile: boolean): Segment {
    if (!this.storage) return new MemorySegment(this.nextSequence, this.segmentSize);
    const segment = new FileSegment(this.storage.directory, this.nextSequence, this.storage.handles);
    if (createFile) {
      try {
        fs.closeSync(fs.openSync(segment.file, 'w'));
      } catch {
        // The reserved mark in the state file still keeps numbering from going back.
      }
    }
    return segment;
  }

  private assertLive(): void {
    if (this.deleted) throw new ResourceNotFoundError(`stream ${this.name} does not exist`);
  }
}
