// A segment of a File stream as the server keeps it in memory: counts, sizes and a sparse index, never payloads.
// Reads go to the file: from the index entry at or before the wanted record, forward by positional reads.
import * as path from 'node:path';
import type { StoredMessage } from '../../protocol/stored-message';
import type { FileHandles } from './file-handles';
import { checkRecord, RECORD_HEADER_SIZE, recordSize, recordSizeAt } from './record';
import { FRESH_BLOCKS, type ReadBlocks } from './read-blocks';
import { readFully } from './segment-scan';
import { DamagedSegmentError, type ReplyBudget, type Segment } from './segment';
import { indexFileName, segmentFileName } from './segment-names';
import { SparseIndex, type SegmentSummary } from './sparse-index';

const SMALLEST_READ = 4 * 1024;
const LARGEST_READ = 4 * 1024 * 1024;

/** Counts of a segment at one point: appended, written to the file, or known to be stored. */
interface Extent {
  count: number;
  payloadBytes: number;
  size: number;
}

export class FileSegment implements Segment {
  readonly file: string;
  readonly indexFile: string;
  /** Everything appended, including records still waiting to be written. */
  private appended: Extent = { count: 0, payloadBytes: 0, size: 0 };
  /** What the file holds and the stream has acknowledged; a refused write goes back to this. */
  private stored: Extent = { count: 0, payloadBytes: 0, size: 0 };
  private written: Extent = { count: 0, payloadBytes: 0, size: 0 };
  newestIngestTime = 0;
  /** Sealed segments take no more records and have an index file. */
  sealed = false;

  constructor(
    directory: string,
    readonly baseSequenceNumber: number,
    private readonly handles: FileHandles,
    readonly index = new SparseIndex(),
  ) {
    this.file = path.join(directory, segmentFileName(baseSequenceNumber));
    this.indexFile = path.join(directory, indexFileName(baseSequenceNumber));
  }

  /** A segment found on disk, all of whose records are stored. */
  static loaded(directory: string, handles: FileHandles, summary: SegmentSummary, index: SparseIndex, sealed: boolean): FileSegment {
    const segment = new FileSegment(directory, summary.baseSequenceNumber, handles, index);
    segment.appended = { count: summary.count, payloadBytes: summary.payloadBytes, size: summary.fileSize };
    segment.stored = { ...segment.appended };
    segment.written = { ...segment.appended };
    segment.newestIngestTime = summary.newestIngestTime;
    segment.sealed = sealed;
    return segment;
  }

  get count(): number {
    return this.appended.count;
  }

  get payloadBytes(): number {
    return this.appended.payloadBytes;
  }

  get storedPayloadBytes(): number {
    return this.stored.payloadBytes;
  }

  /** Bytes of records appended, written or not: where the next record goes. */
  get appendedSize(): number {
    return this.appended.size;
  }

  get writtenSize(): number {
    return this.written.size;
  }

  get storedSize(): number {
    return this.stored.size;
  }

  summary(): SegmentSummary {
    return { baseSequenceNumber: this.baseSequenceNumber, count: this.stored.count, payloadBytes: this.stored.payloadBytes, fileSize: this.stored.size, newestIngestTime: this.newestIngestTime };
  }

  /** Notes a record appended (its bytes wait in the writer). */
  noteAppended(payloadLength: number, ingestTime: number): void {
    this.index.note(this.baseSequenceNumber + this.appended.count, this.appended.size);
    this.appended.count += 1;
    this.appended.payloadBytes += payloadLength;
    this.appended.size += recordSize(payloadLength);
    this.newestIngestTime = ingestTime;
  }

  /** Everything appended so far has been handed to the file. */
  markWritten(): void {
    this.written = { ...this.appended };
  }

  /** Everything written so far is acknowledged. */
  markStored(): void {
    this.stored = { ...this.written };
  }

  /** Forgets what was not stored (its write or sync was refused); returns the payload bytes forgotten. */
  rollBack(): number {
    const forgotten = this.appended.payloadBytes - this.stored.payloadBytes;
    this.appended = { ...this.stored };
    this.written = { ...this.stored };
    this.index.truncate(this.stored.size);
    return forgotten;
  }

  read(start: number, maxCount: number, budget: ReplyBudget, blocks: ReadBlocks = FRESH_BLOCKS): StoredMessage<Buffer>[] {
    const end = this.stored.size;
    const from = this.index.floor(start, this.baseSequenceNumber);
    const averageRecord = this.stored.count > 0 ? end / this.stored.count : SMALLEST_READ;
    const messages: StoredMessage<Buffer>[] = [];
    let sequenceNumber = from.sequenceNumber;
    let position = from.offset;
    let block: Buffer = Buffer.alloc(0);
    let blockStart = 0;
    let blockLength = 0;
    while (messages.length < maxCount && position < end) {
      const inBlock = position - blockStart;
      const needed = inBlock + RECORD_HEADER_SIZE <= blockLength ? recordSizeAt(block, inBlock) : RECORD_HEADER_SIZE;
      if (inBlock + needed > blockLength) {
        if (needed > end - position) throw new DamagedSegmentError(this, `the record at byte ${position} runs past the end of the segment`);
        const cached = this.handles.blocks.find(this.file, position, needed);
        if (cached) {
          ({ bytes: block, start: blockStart, length: blockLength } = cached);
          continue;
        }
        const wanted = (maxCount - messages.length + Math.max(0, start - sequenceNumber)) * averageRecord;
        const size = Math.min(end - position, Math.max(needed, Math.min(LARGEST_READ, Math.max(SMALLEST_READ, wanted))));
        block = blocks.take(size);
        blockStart = position;
        blockLength = readFully(this.handles.get(this.file), block, size, position);
        if (blockLength < needed) throw new DamagedSegmentError(this, `the file ends inside the record at byte ${position}`);
        if (blocks.lasting) this.handles.blocks.add(this.file, { start: blockStart, bytes: block, length: blockLength });
        continue;
      }
      const record = checkRecord(block, inBlock, blockLength);
      if (record === undefined || record === 'damaged') throw new DamagedSegmentError(this, `the record at byte ${position} fails its CRC check`);
      if (record.sequenceNumber !== sequenceNumber) {
        throw new DamagedSegmentError(this, `the record at byte ${position} has sequence number ${record.sequenceNumber}, expected ${sequenceNumber}`);
      }
      if (sequenceNumber >= start) {
        if (!budget.take(record.end - record.payloadStart)) break;
        messages.push({ sequenceNumber, ingestTime: record.ingestTime, payload: block.subarray(record.payloadStart, record.end) });
      }
      sequenceNumber += 1;
      position = blockStart + record.end;
    }
    return messages;
  }
}
