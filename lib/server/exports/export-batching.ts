// When an export sends, and how much (protocol.md §3.3, AWS's export configuration docs):
// - without batchIntervalMillis, messages are eligible as soon as they are stored, sent in batches of at most
//   batchSize (even when batchSize is set: it caps a batch, it does not hold messages back);
// - with batchIntervalMillis, messages wait until batchSize of them are waiting (the kind's default when unset) or
//   the oldest waiting message is batchIntervalMillis old, whichever comes first;
// - every batch is also capped in bytes, so no batch is larger than the destination takes or memory holds; a single
//   message above the cap goes alone.
import type { ExportKind } from '../../protocol/model';

interface BatchLimits {
  /** Largest and default batchSize of the kind. */
  maxMessages: number;
  maxBytes: number;
}

const MiB = 1024 * 1024;

/** Per kind: the documented batchSize maximum (also its default) and the request size the service takes. */
const BATCH_LIMITS: Record<ExportKind, BatchLimits> = {
  kinesis: { maxMessages: 500, maxBytes: 5 * MiB },
  iotAnalytics: { maxMessages: 100, maxBytes: 5 * MiB },
  IotSitewise: { maxMessages: 10, maxBytes: 1 * MiB },
  http: { maxMessages: 500, maxBytes: 16 * MiB },
  s3TaskExecutor: { maxMessages: 1, maxBytes: 1 * MiB },
};

export interface BatchPolicy {
  batchSize: number;
  batchIntervalMillis?: number;
  maxBytes: number;
}

export function batchPolicy(kind: ExportKind, batchSize: number | undefined, batchIntervalMillis: number | undefined): BatchPolicy {
  const limits = BATCH_LIMITS[kind];
  return {
    batchSize: Math.max(1, Math.min(batchSize ?? limits.maxMessages, limits.maxMessages)),
    batchIntervalMillis,
    maxBytes: limits.maxBytes,
  };
}

/**
 * Whether a batch is due now.
 * @param waiting how many stored messages the export has not sent
 * @param oldestWaitingIngestTime ingest time of the first of them
 */
export function batchIsDue(policy: BatchPolicy, waiting: number, oldestWaitingIngestTime: number, now: number): boolean {
  if (waiting <= 0) return false;
  if (policy.batchIntervalMillis === undefined) return true;
  return waiting >= policy.batchSize || now - oldestWaitingIngestTime >= policy.batchIntervalMillis;
}
