// Which whole oldest segments retention removes: for size (OverwriteOldestData) and for age (time to live). A
// segment still holding records that are not stored yet is never removed, nor is the one being appended to when a
// size limit is concerned (the newest message is in it).
import { endOf, type Segment } from './segment';

/** How many oldest segments to remove so that the stream holds at most `maxSize` bytes of payload. */
export function segmentsOverSize(segments: readonly Segment[], totalBytes: number, maxSize: number, storedNext: number): number {
  let count = 0;
  let bytes = totalBytes;
  while (bytes > maxSize && count < segments.length - 1 && endOf(segments[count]) <= storedNext) {
    bytes -= segments[count].payloadBytes;
    count += 1;
  }
  return count;
}

/** How many oldest segments hold only messages older than `limit` (epoch ms). */
export function segmentsExpired(segments: readonly Segment[], limit: number, storedNext: number): number {
  let count = 0;
  while (count < segments.length && segments[count].count > 0 && segments[count].newestIngestTime < limit && endOf(segments[count]) <= storedNext) count += 1;
  return count;
}
