// Writes a File stream's appended records to its segment files, many appends at a time (group commit): records
// wait in one reused buffer until the next turn of the event loop, go to the file in one write, and with flush on
// write are synced by an fdatasync on libuv's thread pool, off the event loop. Appends are reported stored only
// after that. While a sync is under way, new appends gather for the next write. A segment the stream has moved on
// from is sealed at its last write: synced, its index file written, its handle closed.
import * as fs from 'node:fs';
import type { Logger } from '../../common/logger';
import { writeRecord, recordSize } from './record';
import type { FileSegment } from './file-segment';
import { writeIndexFile } from './sparse-index';

interface CommitOutcome {
  /** Every record below this sequence number is stored. */
  stored(nextSequenceNumber: number): void;
  /** The file system refused the records after the last stored one; they are cut off the files again. */
  refused(error: unknown): void;
}

const FIRST_CAPACITY = 64 * 1024;
/** A buffer a burst grew larger than this is let go after its write rather than kept for the next one. */
const LARGEST_KEPT_CAPACITY = 4 * 1024 * 1024;

interface Chunk {
  segment: FileSegment;
  end: number;
}

export class SegmentWriter {
  private pending = Buffer.allocUnsafeSlow(FIRST_CAPACITY);
  private pendingLength = 0;
  private chunks: Chunk[] = [];
  private current: { segment: FileSegment; fd: number } | undefined;
  private scheduled = false;
  private syncing = false;
  /** Written without flush on write: in the page cache, synced when the server stops. */
  private unsynced = false;
  private closed = false;
  /** A handle whose close waits for the sync under way on it. */
  private closeAfterSync: number | undefined;
  private writtenSinceIdleCheck = false;

  constructor(
    private readonly streamName: string,
    private readonly outcome: CommitOutcome,
    private readonly durable: () => boolean,
    private readonly logger: Logger,
  ) {}

  get hasPending(): boolean {
    return this.pendingLength > 0;
  }

  append(segment: FileSegment, sequenceNumber: number, ingestTime: number, payload: Uint8Array): void {
    const needed = this.pendingLength + recordSize(payload.length);
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.pending.length * 2));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    this.pendingLength += writeRecord(this.pending, this.pendingLength, sequenceNumber, ingestTime, payload);
    segment.noteAppended(payload.length, ingestTime);
    const last = this.chunks[this.chunks.length - 1];
    if (last?.segment === segment) last.end = this.pendingLength;
    else this.chunks.push({ segment, end: this.pendingLength });
    if (!this.scheduled && !this.syncing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.commit(false);
      });
    }
  }

  /** Writes what waits; with `now` (server stop) the sync, when one is due, is done at once on this thread. */
  commit(now: boolean): void {
    if (this.closed || this.pendingLength === 0 || (this.syncing && !now)) return;
    const durable = this.durable();
    let start = 0;
    for (const chunk of this.chunks) {
      try {
        const fd = this.handleFor(chunk.segment, durable);
        let written = 0;
        const length = chunk.end - start;
        while (written < length) written += fs.writeSync(fd, this.pending, start + written, length - written, chunk.segment.writtenSize + written);
        chunk.segment.markWritten();
      } catch (error) {
        this.refuse(error, chunk.segment);
        return;
      }
      start = chunk.end;
    }
    this.releasePending();
    this.writtenSinceIdleCheck = true;
    const current = this.current as { segment: FileSegment; fd: number };
    const end = current.segment.baseSequenceNumber + current.segment.count;
    if (!durable) {
      this.unsynced = true;
      current.segment.markStored();
      this.outcome.stored(end);
      return;
    }
    if (now) {
      this.syncNow(current, end);
      return;
    }
    this.syncing = true;
    fs.fdatasync(current.fd, (error) => {
      this.syncing = false;
      if (this.closeAfterSync === current.fd) {
        fs.close(current.fd, () => undefined);
        this.closeAfterSync = undefined;
      }
      if (this.closed) return;
      if (error) {
        this.refuse(error, current.segment);
        return;
      }
      current.segment.markStored();
      this.outcome.stored(end);
      if (this.pendingLength > 0) this.commit(false);
    });
  }

  /** Closes the segment being written (server stop): what waits is written and everything synced first. */
  close(): void {
    if (this.closed) return;
    this.commit(true);
    if (this.current && this.unsynced && !this.syncing) {
      try {
        fs.fdatasyncSync(this.current.fd);
      } catch (error) {
        this.logger.error(`stream ${this.streamName}: could not sync ${this.current.segment.file} at stop: ${(error as Error).message}`);
      }
    }
    this.closed = true;
    this.releaseHandle();
  }

  /**
   * Closes the write handle when nothing was written since the last call (housekeeping calls it every second), so
   * that idle streams hold no open file; the next write opens it again.
   */
  releaseIfIdle(): void {
    if (this.writtenSinceIdleCheck || this.syncing || this.pendingLength > 0 || !this.current) {
      this.writtenSinceIdleCheck = false;
      return;
    }
    if (this.unsynced) {
      try {
        fs.fdatasyncSync(this.current.fd);
        this.unsynced = false;
      } catch (error) {
        this.logger.warn(`stream ${this.streamName}: could not sync ${this.current.segment.file}: ${(error as Error).message}`);
      }
    }
    this.releaseHandle();
  }

  /** Drops what waits and lets go of the file (the stream is deleted). */
  discard(): void {
    this.closed = true;
    this.pendingLength = 0;
    this.chunks = [];
    this.releaseHandle();
  }

  /** Lets go of the handle of a segment that retention removes. */
  forget(segment: FileSegment): void {
    if (this.current?.segment === segment) this.releaseHandle();
  }

  private syncNow(current: { segment: FileSegment; fd: number }, end: number): void {
    try {
      fs.fdatasyncSync(current.fd);
    } catch (error) {
      this.refuse(error, current.segment);
      return;
    }
    current.segment.markStored();
    this.outcome.stored(end);
  }

  /** The write handle of `segment`; the segment written before it is sealed first. */
  private handleFor(segment: FileSegment, durable: boolean): number {
    if (this.current?.segment === segment) return this.current.fd;
    if (this.current) this.seal(this.current, durable);
    const fd = fs.openSync(segment.file, fs.constants.O_RDWR | fs.constants.O_CREAT);
    // Bytes past what the stream has written are left by a refused write whose cut failed: they go now.
    if (fs.fstatSync(fd).size !== segment.writtenSize) fs.ftruncateSync(fd, segment.writtenSize);
    this.current = { segment, fd };
    return fd;
  }

  private seal(current: { segment: FileSegment; fd: number }, durable: boolean): void {
    if (durable) fs.fdatasyncSync(current.fd);
    this.unsynced = false;
    const { segment } = current;
    segment.markStored();
    segment.sealed = true;
    this.releaseHandle();
    this.outcome.stored(segment.baseSequenceNumber + segment.count);
    try {
      writeIndexFile(segment.indexFile, segment.summary(), segment.index);
    } catch (error) {
      this.logger.warn(`stream ${this.streamName}: could not write the index of ${segment.file} (it is rebuilt at the next start): ${(error as Error).message}`);
    }
  }

  /** Cuts the refused records off the files again and reports the refusal; nothing waiting is kept. */
  private refuse(error: unknown, segment: FileSegment): void {
    const touched = new Set([segment, this.current?.segment]);
    this.releasePending(true);
    this.releaseHandle();
    for (const each of touched) {
      if (!each) continue;
      try {
        if (fs.existsSync(each.file) && fs.statSync(each.file).size > each.storedSize) fs.truncateSync(each.file, each.storedSize);
      } catch {
        // The next open of this segment cuts it (handleFor); a restart drops what follows the last intact record.
      }
    }
    this.outcome.refused(error);
  }

  private releasePending(all = false): void {
    this.pendingLength = 0;
    this.chunks = [];
    if (all || this.pending.length > LARGEST_KEPT_CAPACITY) this.pending = Buffer.allocUnsafeSlow(FIRST_CAPACITY);
  }

  private releaseHandle(): void {
    if (!this.current) return;
    const { fd } = this.current;
    this.current = undefined;
    if (this.syncing) this.closeAfterSync = fd;
    else fs.closeSync(fd);
  }
}
