// One record of a segment file: payload length (u32), CRC-32 of the rest of the record (u32), sequence number (u48),
// ingest time (u48, epoch ms), payload. Every record can be checked on its own, whatever file it is found in.
import { crc32 } from '../crc32';

export const RECORD_HEADER_SIZE = 20;
/** The CRC covers the record from the sequence number to the end of the payload. */
const CHECKED_FROM = 8;

/** Writes a record into `target` at `offset`; returns its size. */
export function writeRecord(target: Buffer, offset: number, sequenceNumber: number, ingestTime: number, payload: Uint8Array): number {
  const end = offset + RECORD_HEADER_SIZE + payload.length;
  target.writeUInt32BE(payload.length, offset);
  target.writeUIntBE(sequenceNumber, offset + 8, 6);
  target.writeUIntBE(ingestTime, offset + 14, 6);
  target.set(payload, offset + RECORD_HEADER_SIZE);
  target.writeUInt32BE(crc32(target, offset + CHECKED_FROM, end), offset + 4);
  return end - offset;
}

export function recordSize(payloadLength: number): number {
  return RECORD_HEADER_SIZE + payloadLength;
}

/** The size of the record starting at `offset`, read from its header (which must be in `bytes`). */
export function recordSizeAt(bytes: Buffer, offset: number): number {
  return RECORD_HEADER_SIZE + bytes.readUInt32BE(offset);
}

interface CheckedRecord {
  sequenceNumber: number;
  ingestTime: number;
  payloadStart: number;
  end: number;
}

/**
 * The record at `offset` when it is whole (its size fits in `bytes`) and intact (its CRC matches); undefined when
 * `bytes` ends before the record does; 'damaged' when its bytes are all there but fail the check.
 */
export function checkRecord(bytes: Buffer, offset: number, end = bytes.length): CheckedRecord | 'damaged' | undefined {
  if (offset + RECORD_HEADER_SIZE > end) return undefined;
  const recordEnd = offset + recordSizeAt(bytes, offset);
  if (recordEnd > end) return undefined;
  if (crc32(bytes, offset + CHECKED_FROM, recordEnd) !== bytes.readUInt32BE(offset + 4)) return 'damaged';
  return {
    sequenceNumber: bytes.readUIntBE(offset + 8, 6),
    ingestTime: bytes.readUIntBE(offset + 14, 6),
    payloadStart: offset + RECORD_HEADER_SIZE,
    end: recordEnd,
  };
}
