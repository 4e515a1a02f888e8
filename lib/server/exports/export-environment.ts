// What every export of a server shares: where records and S3 copies go, the S3 endpoint if any, which exports are
// made to refuse, the retry timing, the clock, the logger and how status messages are appended.
import type { Logger } from '../../common/logger';
import type { ExportKind } from '../../protocol/model';
import type { StatusAppender } from './export-source';
import type { RetryTiming } from './retry-backoff';
import type { S3EndpointSettings } from './s3/s3-uploader';

export interface ExportEnvironment {
  exportDir: string;
  s3Endpoint?: S3EndpointSettings;
  /** Export identifiers, or kinds, that fail every attempt (to see locally what a flow does when exports fail). */
  refuse: ReadonlySet<string>;
  retry: RetryTiming;
  /** Timeout of one HTTP export request. */
  httpTimeoutMs: number;
  clock: () => number;
  logger: Logger;
  appendStatus: StatusAppender;
}

export function refusalOf(environment: ExportEnvironment, kind: ExportKind, identifier: string): string | undefined {
  if (environment.refuse.has(identifier)) return `export ${identifier} is set to refuse (server option refuseExports / --refuse-export ${identifier})`;
  if (environment.refuse.has(kind)) return `${kind} exports are set to refuse (server option refuseExports / --refuse-export ${kind})`;
  return undefined;
}
