// Reads and appends the checkpoint records of one source stream, kept in a small File stream of Stream Manager itself
// (public operations only, so it works against the real Stream Manager as well as sm-server). The stream is bounded by
// OverwriteOldestData, so a position must be written again before its last copy could be overwritten: before each
// append the store reads what every writer appended since its last read and merges it, and the record it appends
// carries, besides the writer's own entry, every known entry whose newest copy is getting old (a quarter of what overwriting always keeps).
// docs/consumer-positions.md has the format, the merge rule and what they guarantee.
import { errorCodeOf } from '../../protocol/errors';
import { Persistence, StrategyOnFull } from '../../protocol/enums';
import type { Message, MessageStreamDefinition } from '../../protocol/model';
import { appendCreatingStream } from '../append-creating-stream';
import type { StreamManagerClient } from '../client';
import { readPages } from '../read-pages';
import { checkpointStreamName } from './checkpoint-stream-name';
import { UnreadableCheckpointTally, type UnreadableCheckpoints } from './unreadable-checkpoints';
import { encodeCheckpointRecord, decodeCheckpointRecord, isTombstone, supersedes, type CheckpointEntry, type ConsumerPosition, type ConsumerTombstone } from './consumer-position';

const READ_BATCH = 500;
const CHECKPOINT_STREAM_SIZE = 1_048_576;
const CHECKPOINT_SEGMENT_SIZE = 65_536;

function checkpointStreamDefinition(stream: string): MessageStreamDefinition {
  return {
    name: checkpointStreamName(stream),
    maxSize: CHECKPOINT_STREAM_SIZE,
    streamSegmentSize: CHECKPOINT_SEGMENT_SIZE,
    strategyOnFull: StrategyOnFull.OverwriteOldestData,
    persistence: Persistence.File,
    flushOnWrite: true,
  };
}

interface Known {
  entry: CheckpointEntry;
  /** The store's count of checkpoint bytes read, at the end of the record holding the newest copy of `entry`. */
  copyAt: number;
  /** The same, counting only bytes really read: what a tombstone's age grows by. */
  seenAt: number;
  /** The sequence number of the record holding the newest copy. */
  copySequenceNumber: number;
}

/** An entry to append for a consumer, before the store gives it its revision. */
export type UnrevisedEntry = Omit<ConsumerPosition, 'revision'> | Omit<ConsumerTombstone, 'revision'>;

export class CheckpointStore {
  readonly name: string;
  private readonly known = new Map<string, Known>();
  /** The next checkpoint record to read; undefined until the stream was found. */
  private nextToRead?: number;
  /** Payload bytes of the records read, plus the stream's size for every stretch of records overwritten before they were read. */
  private bytesRead = 0;
  /** Payload bytes of the records read. */
  private bytesSeen = 0;
  private maxSize = CHECKPOINT_STREAM_SIZE;
  /** Overwrite deletes whole segments: at least this much of the newest records is always kept. */
  private kept = CHECKPOINT_STREAM_SIZE - CHECKPOINT_SEGMENT_SIZE;
  private readonly written = new Map<string, number>();
  /** While the stream is read for the first time: what could not be read. */
  private firstRead?: UnreadableCheckpointTally;
  private unreadable?: UnreadableCheckpoints;

  constructor(
    private readonly client: StreamManagerClient,
    readonly stream: string,
  ) {
    this.name = checkpointStreamName(stream);
  }

  /** The newest position of every consumer of the stream that was not removed; none when there is no checkpoint stream yet. */
  async load(): Promise<Map<string, ConsumerPosition>> {
    await this.refresh();
    return this.positions();
  }

  /** What is known without reading again. */
  positions(): Map<string, ConsumerPosition> {
    const positions = new Map<string, ConsumerPosition>();
    for (const [consumer, { entry }] of this.known) if (!isTombstone(entry) && entry.stream === this.stream) positions.set(consumer, entry);
    return positions;
  }

  /** The consumer's winning entry as known, tombstone or position. */
  entryOf(consumer: string): CheckpointEntry | undefined {
    return this.known.get(consumer)?.entry;
  }

  /**
   * Merges what was appended since the last read, then appends `entry` with the next revision of its consumer and every
   * other entry that is due to be written again. Resolves with the entry as written.
   */
  async save(entry: UnrevisedEntry): Promise<CheckpointEntry> {
    await this.refresh();
    const revision = Math.max(this.known.get(entry.consumer)?.entry.revision ?? 0, this.written.get(entry.consumer) ?? 0) + 1;
    const own = { ...entry, revision } as CheckpointEntry;
    const due = this.dueEntries(entry.consumer);
    await appendCreatingStream(this.client, checkpointStreamDefinition(this.stream), encodeCheckpointRecord([own, ...due]));
    this.written.set(entry.consumer, revision);
    return own;
  }

  /** Reads every record appended since the last read (from the oldest, the first time) and merges it. */
  async refresh(): Promise<void> {
    if (this.nextToRead === undefined) {
      const oldest = await this.describe();
      if (oldest === undefined) return;
      this.nextToRead = oldest;
      this.firstRead = new UnreadableCheckpointTally();
      if (!(await this.readAppended())) return;
      this.unreadable = await this.settleFirstRead(this.firstRead);
      this.firstRead = undefined;
      return;
    }
    await this.readAppended();
  }

  /**
   * Records of the checkpoint stream that could not be read when it was first read, newer than the newest copy of the
   * consumer's entry (all of them when it has none): that entry may not be its newest. Undefined when there were none.
   */
  unreadableAfter(consumer: string): UnreadableCheckpoints | undefined {
    const unreadable = this.unreadable;
    if (!unreadable) return undefined;
    const copy = this.known.get(consumer)?.copySequenceNumber ?? -1;
    return unreadable.newest > copy ? unreadable : undefined;
  }

  /** The stream's oldest sequence number, taking its size; undefined when there is no checkpoint stream. */
  private async describe(): Promise<number | undefined> {
    try {
      const { definition, storageStatus } = await this.client.describeMessageStream(this.name);
      if (definition?.maxSize !== undefined) this.maxSize = Number(definition.maxSize);
      const segment = Number(definition?.streamSegmentSize ?? this.maxSize / 16);
      this.kept = Math.max(this.maxSize / 8, this.maxSize - segment);
      return Number(storageStatus?.oldestSequenceNumber ?? 0);
    } catch (error) {
      if (errorCodeOf(error) === 'ResourceNotFound') return undefined;
      throw error;
    }
  }

  /** Reads and merges what was appended since the last read; false when the checkpoint stream is gone. */
  private async readAppended(): Promise<boolean> {
    for (;;) {
      const from = this.nextToRead ?? 0;
      const messages = await this.readFrom(from);
      if (messages === undefined) return false;
      this.mergeRead(from, messages);
      if (messages.length < READ_BATCH) return true;
    }
  }

  /** One page of records from `from` on (none when there are none yet); undefined when the checkpoint stream is gone. */
  private async readFrom(from: number): Promise<Message[] | undefined> {
    try {
      for await (const page of readPages(this.client, this.name, { from, pageSize: READ_BATCH })) return page;
      return [];
    } catch (error) {
      if (errorCodeOf(error) !== 'ResourceNotFound') throw error;
      // The checkpoint stream was deleted: what it held is gone for everyone, and is not brought back from memory.
      this.known.clear();
      this.nextToRead = undefined;
      this.firstRead = undefined;
      return undefined;
    }
  }

  private mergeRead(from: number, messages: Message[]): void {
    if (messages.length === 0) return;
    const first = Number(messages[0].sequenceNumber);
    if (first > from) this.firstRead?.jumped(from, first);
    for (const message of messages) this.merge(message);
  }

  /** After the first read: what of the stream between its oldest and newest had no readable record. */
  private async settleFirstRead(tally: UnreadableCheckpointTally): Promise<UnreadableCheckpoints | undefined> {
    // A newest beyond what was read is either records appended meanwhile (a read gets them) or a lost tail (it gets none).
    for (let attempt = 0; attempt < 20; attempt++) {
      const { oldest, newest } = await this.bounds();
      const next = this.nextToRead ?? 0;
      if (newest < next) return tally.settle(oldest);
      const messages = await this.readFrom(next);
      if (messages === undefined) return undefined;
      if (messages.length === 0) {
        tally.tailMissing(next, newest);
        this.nextToRead = newest + 1;
        return tally.settle(oldest);
      }
      this.mergeRead(next, messages);
      if (!(await this.readAppended())) return undefined;
    }
    // Writers kept appending faster than this read: nothing is counted as missing at the end.
    return tally.settle((await this.bounds()).oldest);
  }

  private async bounds(): Promise<{ oldest: number; newest: number }> {
    const { storageStatus } = await this.client.describeMessageStream(this.name);
    return { oldest: Number(storageStatus?.oldestSequenceNumber ?? 0), newest: Number(storageStatus?.newestSequenceNumber ?? -1) };
  }

  private merge(message: Message): void {
    const sequenceNumber = Number(message.sequenceNumber);
    // Records overwritten before this store read them: count them as a whole stream, so that every entry known so far
    // looks old and is written again at once rather than too late.
    if (this.nextToRead !== undefined && sequenceNumber > this.nextToRead && this.bytesRead > 0) this.bytesRead += this.maxSize;
    this.nextToRead = sequenceNumber + 1;
    this.bytesRead += message.payload.byteLength;
    this.bytesSeen += message.payload.byteLength;
    const entries = decodeCheckpointRecord(message.payload);
    if (entries.length === 0) this.firstRead?.notARecord(sequenceNumber);
    for (const entry of entries) {
      const known = this.known.get(entry.consumer);
      if (supersedes(entry, known?.entry)) this.known.set(entry.consumer, { entry, copyAt: this.bytesRead, seenAt: this.bytesSeen, copySequenceNumber: sequenceNumber });
    }
  }

  /**
   * Entries of other consumers whose newest copy is a quarter of what the stream always keeps old (a margin for record
   * overhead and for writers appending at the same moment); tombstones old enough to go are forgotten.
   */
  private dueEntries(writer: string): CheckpointEntry[] {
    const rewriteAfter = this.kept / 4;
    const due: CheckpointEntry[] = [];
    for (const [consumer, { entry, copyAt, seenAt }] of this.known) {
      if (consumer === writer) continue;
      const sinceCopy = this.bytesRead - copyAt;
      if (isTombstone(entry)) {
        const age = entry.age + this.bytesSeen - seenAt;
        // Twice the stream's size was appended since it was written first: no record older than it is left to bring the consumer back.
        if (age > 2 * this.maxSize) {
          this.known.delete(consumer);
          continue;
        }
        if (sinceCopy >= rewriteAfter) due.push({ ...entry, age });
      } else if (sinceCopy >= rewriteAfter) {
        due.push(entry);
      }
    }
    return due;
  }
}
