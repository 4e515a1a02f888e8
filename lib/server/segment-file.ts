// One segment of a File stream on disk: `<19-digit first sequence number>.log`, records appended one after another.
// Record: payload length (u32), CRC-32 of the rest (u32), sequence number (u48), ingest time (u48), payload.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './crc32';
import type { StoredMessage } from './stored-message';

const RECORD_HEADER_SIZE = 20;
const CHECKED_FROM = 8;

export function segmentFileName(baseSequenceNumber: number): string {
  return `${String(baseSequenceNumber).padStart(19, '0')}.log`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{19})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Writes the message's record into `target` at `offset`; returns the record's size. */
function writeRecord(target: Buffer, offset: number, message: StoredMessage): number {
  const end = offset + RECORD_HEADER_SIZE + message.payload.length;
  target.writeUInt32BE(message.payload.length, offset);
  target.writeUIntBE(message.sequenceNumber, offset + 8, 6);
  target.writeUIntBE(message.ingestTime, offset + 14, 6);
  message.payload.copy(target, offset + RECORD_HEADER_SIZE);
  target.writeUInt32BE(crc32(target, offset + CHECKED_FROM, end), offset + 4);
  return end - offset;
}

/** The first buffer for a turn's records; it doubles while a burst of appends needs more. */
const FIRST_PENDING_CAPACITY = 16 * 1024;

export interface LoadedSegment {
  messages: StoredMessage[];
  /** Bytes at the end that did not form a whole, intact record (a write torn by a crash); cut off on load. */
  discardedBytes: number;
}

/** Reads every intact record; a torn or corrupt tail is truncated so that appends continue after the last good one. */
export function loadSegmentFile(file: string, expectedFirstSequenceNumber: number): LoadedSegment {
  const bytes = fs.readFileSync(file);
  const messages: StoredMessage[] = [];
  let offset = 0;
  while (offset + RECORD_HEADER_SIZE <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const end = offset + RECORD_HEADER_SIZE + length;
    if (end > bytes.length) break;
    if (crc32(bytes, offset + CHECKED_FROM, end) !== bytes.readUInt32BE(offset + 4)) break;
    const sequenceNumber = bytes.readUIntBE(offset + 8, 6);
    if (sequenceNumber !== expectedFirstSequenceNumber + messages.length) break;
    messages.push({
      sequenceNumber,
      ingestTime: bytes.readUIntBE(offset + 14, 6),
      payload: Buffer.from(bytes.subarray(offset + RECORD_HEADER_SIZE, end)),
    });
    offset = end;
  }
  if (offset < bytes.length) fs.truncateSync(file, offset);
  return { messages, discardedBytes: bytes.length - offset };
}

/**
 * A segment file that records are appended to. Appended records wait in memory until commit() (the owning stream
 * calls it once per turn of the event loop, before it acknowledges the appends), so a burst of appends costs one
 * system call, not one each. The file is opened at the first commit, so a stream can take appends in memory even
 * when the disk refuses new files; the refusal surfaces at commit, where the appends are rolled back.
 */
export class SegmentFile {
  private fd: number | undefined;
  /** Records appended since the last commit, back to back, as they will be written; released at each commit. */
  private pending = Buffer.alloc(0);
  private pendingLength = 0;
  /** Bytes of the file known to hold whole, acknowledged records; a failed commit cuts the file back to this. */
  private committedSize = 0;
  /**
   * The file may hold bytes beyond committedSize: a partial write whose cut failed, or, for a new segment, what an
   * earlier rolled-back segment of the same name left. The next commit cuts them off before it appends.
   */
  private mustTruncate: boolean;
  /** Committed without flush on write: in the page cache, not yet known to be on the disk. */
  private unsynced = false;

  private constructor(readonly file: string, isNew: boolean) {
    this.mustTruncate = isNew;
  }

  /** A new, empty segment. */
  static create(directory: string, baseSequenceNumber: number): SegmentFile {
    return new SegmentFile(path.join(directory, segmentFileName(baseSequenceNumber)), true);
  }

  /** A segment loaded from disk, whose records are all committed. */
  static reopen(directory: string, baseSequenceNumber: number, messages: readonly StoredMessage[]): SegmentFile {
    const segment = new SegmentFile(path.join(directory, segmentFileName(baseSequenceNumber)), false);
    for (const message of messages) segment.committedSize += RECORD_HEADER_SIZE + message.payload.length;
    return segment;
  }

  get hasPending(): boolean {
    return this.pendingLength > 0;
  }

  append(message: StoredMessage): void {
    const needed = this.pendingLength + RECORD_HEADER_SIZE + message.payload.length;
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.pending.length * 2, FIRST_PENDING_CAPACITY));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    this.pendingLength += writeRecord(this.pending, this.pendingLength, message);
  }

  /**
   * Hands the appended records to the file system, and with `durable` to the disk itself (fdatasync). Throws when
   * the file system refuses them; then the records are dropped and the file is cut back to its committed records.
   */
  commit(durable: boolean): void {
    if (this.pendingLength === 0) return;
    const bytes = this.pending.subarray(0, this.pendingLength);
    this.discardPending();
    try {
      const fd = this.open();
      if (this.mustTruncate) {
        fs.ftruncateSync(fd, this.committedSize);
        this.mustTruncate = false;
      }
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
      if (durable) fs.fdatasyncSync(fd);
      this.unsynced = !durable;
      this.committedSize += bytes.length;
    } catch (error) {
      this.cutBackToCommitted();
      throw error;
    }
  }

  /** Drops records appended since the last commit (their appends failed elsewhere). */
  discardPending(): void {
    this.pending = Buffer.alloc(0);
    this.pendingLength = 0;
  }

  /**
   * Drops what was not committed; what was is synced to the disk first (so that a clean stop loses nothing), unless
   * the file is going away anyway.
   */
  close(sync = true): void {
    this.discardPending();
    if (this.fd === undefined) return;
    try {
      if (sync && this.unsynced) fs.fdatasyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Closes and removes the file; a file the disk refuses to remove stays (a restart loads it again). */
  delete(): void {
    this.close(false);
    try {
      fs.rmSync(this.file, { force: true });
    } catch {
      // Nothing is lost by keeping it; retention is applied again after a restart.
    }
  }

  private open(): number {
    this.fd ??= fs.openSync(this.file, 'a');
    return this.fd;
  }

  private cutBackToCommitted(): void {
    if (this.fd === undefined) return;
    try {
      fs.ftruncateSync(this.fd, this.committedSize);
    } catch {
      this.mustTruncate = true;
    }
  }
}
