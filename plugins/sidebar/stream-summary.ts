// What the sidebar shows of a stream, worked out from its MessageStreamInfo: fill, message count, export lag.
// Plain JSON numbers (a 64-bit value beyond 2^53 becomes a decimal string, as jsonSafe does).
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import { DEFAULT_MAX_SIZE, EXPORT_KINDS, type ExportKind, type Int64, type MessageStreamInfo } from '../../lib/protocol/model';
import { jsonSafe } from '../../nodes/shared/json-safe';
import { exportsOfStream } from '../../lib/client/health/exports-of-stream';

type JsonInt = number | string;

interface StreamSummary {
  name: string;
  persistence: 'File' | 'Memory';
  strategyOnFull: 'OverwriteOldestData' | 'RejectNewData';
  maxSize: JsonInt;
  totalBytes: JsonInt;
  messageCount: JsonInt;
  oldestSequenceNumber?: JsonInt;
  newestSequenceNumber?: JsonInt;
  timeToLiveMillis?: JsonInt;
  exportCount: number;
}

interface ExportProgress {
  identifier: string;
  kind?: ExportKind;
  disabled: boolean;
  lastExportedSequenceNumber?: JsonInt;
  lastExportTime?: JsonInt;
  /** Messages still in the stream that this export has not exported yet. */
  lag: JsonInt;
  errorMessage?: string;
  exportedMessagesCount?: JsonInt;
  exportedBytesFromStream?: JsonInt;
}

function big(value: Int64 | undefined): bigint | undefined {
  return value === undefined || value === null ? undefined : BigInt(value);
}

function json(value: bigint | Int64 | undefined): JsonInt | undefined {
  return value === undefined ? undefined : (jsonSafe(typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value) as JsonInt);
}

/** Messages after `position` (exclusive) that are still stored: newest - max(position, oldest - 1). */
function lagAfter(position: Int64 | undefined, info: MessageStreamInfo): bigint {
  const oldest = big(info.storageStatus?.oldestSequenceNumber);
  const newest = big(info.storageStatus?.newestSequenceNumber);
  if (oldest === undefined || newest === undefined) return 0n;
  const from = big(position) ?? oldest - 1n;
  const start = from > oldest - 1n ? from : oldest - 1n;
  return newest > start ? newest - start : 0n;
}

/** Stored messages at or after a consumer's next sequence number: what it has still to read. */
export function consumerLag(nextSequenceNumber: Int64, info: MessageStreamInfo): JsonInt {
  return json(lagAfter(BigInt(nextSequenceNumber) - 1n, info)) as JsonInt;
}

export function summarizeStream(name: string, info: MessageStreamInfo): StreamSummary {
  const definition = info.definition;
  const storage = info.storageStatus ?? {};
  // An empty stream reports a newest number below its oldest (0 and -1 when nothing was ever appended).
  const stored = storage.oldestSequenceNumber !== undefined && storage.newestSequenceNumber !== undefined && BigInt(storage.newestSequenceNumber) >= BigInt(storage.oldestSequenceNumber);
  const oldest = stored ? big(storage.oldestSequenceNumber) : undefined;
  const newest = stored ? big(storage.newestSequenceNumber) : undefined;
  const count = oldest !== undefined && newest !== undefined ? newest - oldest + 1n : 0n;
  const exports = definition?.exportDefinition ?? {};
  return {
    name,
    persistence: definition?.persistence === Persistence.Memory ? 'Memory' : 'File',
    strategyOnFull: definition?.strategyOnFull === StrategyOnFull.RejectNewData ? 'RejectNewData' : 'OverwriteOldestData',
    maxSize: json(big(definition?.maxSize) ?? BigInt(DEFAULT_MAX_SIZE)) as JsonInt,
    totalBytes: json(big(storage.totalBytes) ?? 0n) as JsonInt,
    messageCount: json(count) as JsonInt,
    oldestSequenceNumber: json(oldest),
    newestSequenceNumber: json(newest),
    timeToLiveMillis: json(big(definition?.timeToLiveMillis)),
    exportCount: EXPORT_KINDS.reduce((total, kind) => total + (exports[kind]?.length ?? 0), 0),
  };
}

/** Each export of the definition with its status; an export without a status yet shows all stored messages as lag. */
export function exportProgress(info: MessageStreamInfo): ExportProgress[] {
  return exportsOfStream(info).map(({ identifier, kind, disabled, status }) => progressOf(identifier, kind, disabled, status, info));
}

function progressOf(identifier: string, kind: ExportKind | undefined, disabled: boolean, status: NonNullable<MessageStreamInfo['exportStatuses']>[number] | undefined, info: MessageStreamInfo): ExportProgress {
  return {
    identifier,
    kind,
    disabled,
    lastExportedSequenceNumber: json(status?.lastExportedSequenceNumber),
    lastExportTime: json(status?.lastExportTime),
    lag: json(lagAfter(status?.lastExportedSequenceNumber, info)) as JsonInt,
    errorMessage: status?.errorMessage || undefined,
    exportedMessagesCount: json(status?.exportedMessagesCount),
    exportedBytesFromStream: json(status?.exportedBytesFromStream),
  };
}
