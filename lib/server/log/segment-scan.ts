// Reads a segment file record by record and checks each one: how many intact records it holds, its sparse index,
// and where and how it stops being intact. Used at start for the tail segment, and for a sealed segment whose index
// file is missing or does not match it.
import * as fs from 'node:fs';
import { checkRecord, RECORD_HEADER_SIZE, recordSizeAt } from './record';
import { SparseIndex } from './sparse-index';

const CHUNK_SIZE = 1024 * 1024;

interface SegmentProblem {
  /** torn: the file ends inside its last record (a write cut short); damaged: a record in the middle fails its check. */
  kind: 'torn' | 'damaged';
  offset: number;
  reason: string;
}

interface ScannedSegment {
  count: number;
  payloadBytes: number;
  newestIngestTime: number;
  /** Bytes from the start of the file that hold intact records. */
  intactSize: number;
  index: SparseIndex;
  problem?: SegmentProblem;
}

export function scanSegment(fd: number, baseSequenceNumber: number): ScannedSegment {
  const fileSize = fs.fstatSync(fd).size;
  const result: ScannedSegment = { count: 0, payloadBytes: 0, newestIngestTime: 0, intactSize: 0, index: new SparseIndex() };
  let chunk = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, Math.max(fileSize, RECORD_HEADER_SIZE)));
  let chunkStart = 0;
  let chunkLength = 0;
  let offset = 0;
  while (offset < fileSize) {
    if (offset + RECORD_HEADER_SIZE > chunkStart + chunkLength || offset + recordSizeAt(chunk, offset - chunkStart) > chunkStart + chunkLength) {
      const needed = offset + RECORD_HEADER_SIZE <= chunkStart + chunkLength ? recordSizeAt(chunk, offset - chunkStart) : RECORD_HEADER_SIZE;
      if (needed > chunk.length) chunk = Buffer.allocUnsafe(Math.min(needed, fileSize - offset));
      chunkStart = offset;
      chunkLength = readFully(fd, chunk, Math.min(chunk.length, fileSize - offset), offset);
      if (chunkLength < needed) {
        result.problem = problemAt(fd, fileSize, offset, baseSequenceNumber + result.count, 'the file ends inside this record');
        break;
      }
      continue;
    }
    const record = checkRecord(chunk, offset - chunkStart, chunkLength);
    const expected = baseSequenceNumber + result.count;
    if (record === undefined) {
      result.problem = problemAt(fd, fileSize, offset, expected, 'the file ends inside this record');
      break;
    }
    if (record === 'damaged') {
      const end = offset + recordSizeAt(chunk, offset - chunkStart);
      result.problem = end === fileSize ? { kind: 'torn', offset, reason: 'the last record fails its CRC check' } : { kind: 'damaged', offset, reason: `the record at byte ${offset} fails its CRC check` };
      break;
    }
    if (record.sequenceNumber !== expected) {
      result.problem = { kind: 'damaged', offset, reason: `the record at byte ${offset} has sequence number ${record.sequenceNumber}, expected ${expected}` };
      break;
    }
    result.index.note(expected, offset);
    result.count += 1;
    result.payloadBytes += record.end - record.payloadStart;
    result.newestIngestTime = record.ingestTime;
    offset = chunkStart + record.end;
    result.intactSize = offset;
  }
  return result;
}

export function readFully(fd: number, target: Buffer, length: number, position: number): number {
  let read = 0;
  while (read < length) {
    const got = fs.readSync(fd, target, read, length - read, position + read);
    if (got === 0) break;
    read += got;
  }
  return read;
}

/**
 * The file stops being readable at `offset`: a torn write when nothing intact follows, damage when an intact
 * record further on shows that the file went on (a length field hit by damage looks like a torn write otherwise).
 */
function problemAt(fd: number, fileSize: number, offset: number, expected: number, reason: string): SegmentProblem {
  const rest = Buffer.allocUnsafe(fileSize - offset);
  const length = readFully(fd, rest, rest.length, offset);
  for (let candidate = 1; candidate + RECORD_HEADER_SIZE <= length; candidate++) {
    const sequenceNumber = rest.readUIntBE(candidate + 8, 6);
    if (sequenceNumber <= expected || sequenceNumber > expected + candidate) continue;
    const record = checkRecord(rest, candidate, length);
    if (record !== undefined && record !== 'damaged') return { kind: 'damaged', offset, reason: `the record at byte ${offset} is damaged (its length field points past intact records)` };
  }
  return { kind: 'torn', offset, reason };
}
