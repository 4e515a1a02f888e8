// Where records start in a segment file, one entry every INDEX_INTERVAL bytes: a read seeks to the entry at or
// before the sequence number it wants and scans forward from there. Sealed segments keep theirs in an `.idx` file
// beside the segment (written at seal, rebuilt from the records when missing or not matching the segment).
import * as fs from 'node:fs';
import { crc32 } from '../crc32';

const INDEX_INTERVAL = 32 * 1024;

export class SparseIndex {
  private sequenceNumbers = new Float64Array(16);
  private offsets = new Float64Array(16);
  private length = 0;

  get entries(): number {
    return this.length;
  }

  /** Notes the record `sequenceNumber` at byte `offset`; kept when it is far enough from the previous entry. */
  note(sequenceNumber: number, offset: number): void {
    if (this.length > 0 && offset < this.offsets[this.length - 1] + INDEX_INTERVAL) return;
    if (this.length === this.offsets.length) {
      this.sequenceNumbers = grow(this.sequenceNumbers);
      this.offsets = grow(this.offsets);
    }
    this.sequenceNumbers[this.length] = sequenceNumber;
    this.offsets[this.length] = offset;
    this.length += 1;
  }

  /** The entry at or before `sequenceNumber`; the segment's start when none is. */
  floor(sequenceNumber: number, baseSequenceNumber: number): { sequenceNumber: number; offset: number } {
    let low = 0;
    let high = this.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.sequenceNumbers[middle] <= sequenceNumber) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found < 0 ? { sequenceNumber: baseSequenceNumber, offset: 0 } : { sequenceNumber: this.sequenceNumbers[found], offset: this.offsets[found] };
  }

  /** Forgets the entries at or after `offset` (records cut off the end of the segment). */
  truncate(offset: number): void {
    while (this.length > 0 && this.offsets[this.length - 1] >= offset) this.length -= 1;
  }

  entry(index: number): [number, number] {
    return [this.sequenceNumbers[index], this.offsets[index]];
  }
}

function grow(array: Float64Array): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(array.length * 2);
  grown.set(array);
  return grown;
}

/** What a sealed segment's index file says about it, besides the entries. */
export interface SegmentSummary {
  baseSequenceNumber: number;
  count: number;
  payloadBytes: number;
  fileSize: number;
  newestIngestTime: number;
}

const MAGIC = 0x534d4958; // "SMIX"
const VERSION = 1;
const CHECKED_FROM = 12;
const SUMMARY_FIELDS = 6;

/** Writes the index file by write-then-rename, so that a crash leaves the old one or the new one, never half. */
export function writeIndexFile(file: string, summary: SegmentSummary, index: SparseIndex): void {
  const bytes = Buffer.alloc(CHECKED_FROM + 8 * (SUMMARY_FIELDS + 2 * index.entries));
  bytes.writeUInt32BE(MAGIC, 0);
  bytes.writeUInt32BE(VERSION, 4);
  const fields = [summary.baseSequenceNumber, summary.count, summary.payloadBytes, summary.fileSize, summary.newestIngestTime, index.entries];
  fields.forEach((value, position) => bytes.writeDoubleLE(value, CHECKED_FROM + 8 * position));
  for (let entry = 0; entry < index.entries; entry++) {
    const [sequenceNumber, offset] = index.entry(entry);
    bytes.writeDoubleLE(sequenceNumber, CHECKED_FROM + 8 * (SUMMARY_FIELDS + 2 * entry));
    bytes.writeDoubleLE(offset, CHECKED_FROM + 8 * (SUMMARY_FIELDS + 2 * entry + 1));
  }
  bytes.writeUInt32BE(crc32(bytes, CHECKED_FROM), 8);
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, bytes);
  fs.renameSync(temporary, file);
}

/**
 * The index file's summary and entries when the file is intact and describes this segment (same first sequence
 * number, same size); undefined otherwise, and the caller rebuilds it from the records.
 */
export function readIndexFile(file: string, baseSequenceNumber: number, segmentFileSize: number): { summary: SegmentSummary; index: SparseIndex } | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length < CHECKED_FROM + 8 * SUMMARY_FIELDS) return undefined;
  if (bytes.readUInt32BE(0) !== MAGIC || bytes.readUInt32BE(4) !== VERSION || bytes.readUInt32BE(8) !== crc32(bytes, CHECKED_FROM)) return undefined;
  const field = (position: number) => bytes.readDoubleLE(CHECKED_FROM + 8 * position);
  const summary: SegmentSummary = { baseSequenceNumber: field(0), count: field(1), payloadBytes: field(2), fileSize: field(3), newestIngestTime: field(4) };
  const entries = field(5);
  if (summary.baseSequenceNumber !== baseSequenceNumber || summary.fileSize !== segmentFileSize) return undefined;
  if (bytes.length !== CHECKED_FROM + 8 * (SUMMARY_FIELDS + 2 * entries)) return undefined;
  const index = new SparseIndex();
  let previous = -1;
  for (let entry = 0; entry < entries; entry++) {
    const sequenceNumber = field(SUMMARY_FIELDS + 2 * entry);
    const offset = field(SUMMARY_FIELDS + 2 * entry + 1);
    if (offset <= previous || offset >= summary.fileSize || sequenceNumber < baseSequenceNumber || sequenceNumber >= baseSequenceNumber + summary.count) return undefined;
    previous = offset;
    index.note(sequenceNumber, offset);
  }
  return index.entries === entries ? { summary, index } : undefined;
}
