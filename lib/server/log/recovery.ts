// Opening a File stream's folder at start: sealed segments are known from their index files (rebuilt from the
// records when missing or not matching), only the last segment is read record by record. A torn last record is cut
// off; a damaged record sets its segment aside. Nothing else reads payloads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../common/logger';
import type { FileHandles } from './file-handles';
import { FileSegment } from './file-segment';
import { endOf } from './segment';
import { indexFileName, parseSegmentFileName, segmentFileName } from './segment-names';
import { scanSegment } from './segment-scan';
import { setAsideSegment } from './set-aside';
import { readIndexFile, writeIndexFile } from './sparse-index';
import type { StateFile } from './state-file';

interface RecoveredLog {
  segments: FileSegment[];
  nextSequenceNumber: number;
}

export function recoverFileSegments(directory: string, streamName: string, handles: FileHandles, state: StateFile, logger: Logger): RecoveredLog {
  const bases = fs
    .readdirSync(directory)
    .map(parseSegmentFileName)
    .filter((base): base is number => base !== undefined)
    .sort((a, b) => a - b);
  const segments: FileSegment[] = [];
  let newestLost = false;
  for (const [position, base] of bases.entries()) {
    const isLast = position === bases.length - 1;
    const file = path.join(directory, segmentFileName(base));
    const indexFile = path.join(directory, indexFileName(base));
    const setAside = (reason: string, lastSequenceNumber: number | undefined) => {
      setAsideSegment({ streamName, file, indexFile, firstSequenceNumber: base, lastSequenceNumber, reason }, logger);
      newestLost = isLast;
    };
    const previous = segments[segments.length - 1];
    if (previous && base < endOf(previous)) {
      setAside(`it starts at ${base}, inside the segment before it (which ends at ${endOf(previous) - 1})`, isLast ? undefined : bases[position + 1] - 1);
      continue;
    }
    const size = fs.statSync(file).size;
    const indexed = readIndexFile(indexFile, base, size);
    if (indexed) {
      segments.push(FileSegment.loaded(directory, handles, indexed.summary, indexed.index, true));
      continue;
    }
    const fd = fs.openSync(file, 'r');
    let scanned;
    try {
      scanned = scanSegment(fd, base);
    } finally {
      fs.closeSync(fd);
    }
    if (scanned.problem?.kind === 'torn' && isLast) {
      fs.truncateSync(file, scanned.intactSize);
      logger.warn(`stream ${streamName}: cut ${size - scanned.intactSize} bytes of a torn last record (${scanned.problem.reason}) from ${file}`);
    } else if (scanned.problem) {
      setAside(scanned.problem.reason, isLast ? undefined : bases[position + 1] - 1);
      continue;
    }
    if (scanned.count === 0 && !isLast) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const summary = { baseSequenceNumber: base, count: scanned.count, payloadBytes: scanned.payloadBytes, fileSize: scanned.intactSize, newestIngestTime: scanned.newestIngestTime };
    if (!isLast) {
      try {
        writeIndexFile(indexFile, summary, scanned.index);
      } catch (error) {
        logger.warn(`stream ${streamName}: could not rebuild the index of ${file}: ${(error as Error).message}`);
      }
    }
    segments.push(FileSegment.loaded(directory, handles, summary, scanned.index, !isLast));
  }
  const newest = segments[segments.length - 1];
  // The newest records on disk say where numbering goes on; when they are lost, the reserved mark does, so that no
  // number handed out before is handed out again.
  const nextSequenceNumber = newest && !newestLost ? endOf(newest) : Math.max(state.reservedUpTo, newest ? endOf(newest) : 0);
  return { segments, nextSequenceNumber };
}
