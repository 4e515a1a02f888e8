// The stream that holds the committed positions of every consumer of one source stream. Stream names are limited to
// 255 characters of [A-Za-z0-9 ,._-]; when the prefix would push a long source name past that, the name keeps as much
// of the source name as fits and ends in a digest of the whole name, so two long names never share a stream.
import { createHash } from 'node:crypto';

const CHECKPOINT_STREAM_PREFIX = '_consumers.';
const MAX_STREAM_NAME_LENGTH = 255;
const DIGEST_LENGTH = 16;

export function checkpointStreamName(stream: string): string {
  const name = CHECKPOINT_STREAM_PREFIX + stream;
  if (name.length <= MAX_STREAM_NAME_LENGTH) return name;
  const digest = createHash('sha256').update(stream).digest('hex').slice(0, DIGEST_LENGTH);
  const kept = stream.slice(0, MAX_STREAM_NAME_LENGTH - CHECKPOINT_STREAM_PREFIX.length - DIGEST_LENGTH - 1);
  return `${CHECKPOINT_STREAM_PREFIX}${kept}.${digest}`;
}

/** True for the names checkpointStreamName gives, so that listings can tell them from the streams users made. */
export function isCheckpointStream(stream: string): boolean {
  return stream.startsWith(CHECKPOINT_STREAM_PREFIX);
}
