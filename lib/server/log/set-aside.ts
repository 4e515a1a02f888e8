// A segment with a damaged record is set aside, never deleted: renamed to `.damaged` (its index removed, since the
// stream no longer serves it), with one log line naming the stream, the file and the sequence numbers affected.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../common/logger';
import { SET_ASIDE_EXTENSION } from './segment-names';

interface SetAsideSegment {
  streamName: string;
  file: string;
  indexFile: string;
  firstSequenceNumber: number;
  /** The last number it may have held; undefined when unknown (a damaged last segment). */
  lastSequenceNumber: number | undefined;
  reason: string;
}

export function setAsideSegment(segment: SetAsideSegment, logger: Logger): void {
  let target = `${segment.file}${SET_ASIDE_EXTENSION}`;
  if (fs.existsSync(target)) target = `${target}-${Date.now()}`;
  const range =
    segment.lastSequenceNumber === undefined
      ? `sequence numbers from ${segment.firstSequenceNumber} on`
      : `sequence numbers ${segment.firstSequenceNumber} to ${segment.lastSequenceNumber}`;
  try {
    fs.renameSync(segment.file, target);
    fs.rmSync(segment.indexFile, { force: true });
  } catch (error) {
    logger.error(`stream ${segment.streamName}: segment ${segment.file} is damaged (${segment.reason}) and could not be set aside (${(error as Error).message}); ${range} are no longer served`);
    return;
  }
  logger.error(
    `stream ${segment.streamName}: set aside damaged segment ${segment.file} as ${path.basename(target)}: ${segment.reason}; ${range} are no longer readable, the other segments are served as before`,
  );
}
