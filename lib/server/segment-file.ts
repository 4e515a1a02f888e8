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

export function encodeRecord(message: StoredMessage): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_SIZE + message.payload.length);
  record.writeUInt32BE(message.payload.length, 0);
  record.writeUIntBE(message.sequenceNumber, 8, 6);
  record.writeUIntBE(message.ingestTime, 14, 6);
  message.payload.copy(record, RECORD_HEADER_SIZE);
  record.writeUInt32BE(crc32(record, CHECKED_FROM), 4);
  return record;
}

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
 * An open segment file that records are appended to. Appended records wait in memory until write() (the owning
 * stream calls it once per turn of the event loop, before it acknowledges the appends), so a burst of appends costs
 * one system call, not one each.
 */
export class SegmentFile {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private unsynced = false;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }

  static create(directory: string, baseSequenceNumber: number): SegmentFile {
    return new SegmentFile(path.join(directory, segmentFileName(baseSequenceNumber)));
  }

  append(message: StoredMessage): void {
    this.pending.push(encodeRecord(message));
  }

  /** Makes what was appended durable (flush on write). */
  sync(): void {
    this.write();
    if (!this.unsynced) return;
    fs.fdatasyncSync(this.fd);
    this.unsynced = false;
  }

  close(): void {
    try {
      this.sync();
    } finally {
      fs.closeSync(this.fd);
    }
  }

  delete(): void {
    this.pending = [];
    fs.closeSync(this.fd);
    fs.rmSync(this.file, { force: true });
  }

  /** Hands the appended records to the file system; throws when it refuses them. */
  write(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written);
    this.unsynced = true;
  }
}
