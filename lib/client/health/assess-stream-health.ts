// The states of a stream and its exports, from one sample and the health found at the check before (which carries
// the previous sample's facts and since when an export's error has held it back). Pure: same inputs, same report.
import type { ConsumerHealth, ExportHealth, StreamHealth, StreamHealthState } from './health-report';
import type { HealthThresholds } from './health-thresholds';
import type { ConsumerSample, ExportSample, StreamSample } from './stream-sample';
import { durationInWords, plural } from './words';

/** Stored messages after `position` (exclusive): newest - max(position, oldest - 1), never below 0. */
function messagesAfter(position: number, oldest: number, newest: number): number {
  return Math.max(0, newest - Math.max(position, oldest - 1));
}

/**
 * Since when the export's error has held data back: carried over while the error stays and nothing is exported;
 * otherwise from when the oldest waiting message arrived, but not before the previous check (which saw no error).
 */
function errorSinceOf(sample: ExportSample, lastExported: number, lag: number, takenAt: number, previous: ExportHealth | undefined, previousCheckedAt: number | undefined): number | undefined {
  if (!sample.errorMessage || lag === 0) return undefined;
  if (previous?.errorSince !== undefined && previous.lastExportedSequenceNumber === lastExported) return previous.errorSince;
  const waitingSince = sample.oldestUnexportedIngestTime ?? takenAt;
  return Math.min(takenAt, Math.max(waitingSince, previousCheckedAt ?? Number.NEGATIVE_INFINITY));
}

function assessExport(sample: ExportSample, stream: StreamSample, previous: StreamHealth | undefined, thresholds: HealthThresholds): ExportHealth {
  const lastExported = sample.lastExportedSequenceNumber ?? -1;
  const lagMessages = messagesAfter(lastExported, stream.oldestSequenceNumber, stream.newestSequenceNumber);
  const waitingSince = lagMessages > 0 ? sample.oldestUnexportedIngestTime : undefined;
  const lagAgeMs = waitingSince === undefined ? 0 : Math.max(0, stream.takenAt - waitingSince);
  const facts = { identifier: sample.identifier, kind: sample.kind, lastExportedSequenceNumber: lastExported, lagMessages, lagAgeMs, lastExportTime: sample.lastExportTime, lastError: sample.errorMessage || undefined };
  if (sample.disabled) return { ...facts, state: 'disabled' };
  const before = previous?.exports.find((health) => health.identifier === sample.identifier);
  const errorSince = errorSinceOf(sample, lastExported, lagMessages, stream.takenAt, before, previous?.checkedAt);
  const failing = errorSince !== undefined && stream.takenAt - errorSince >= thresholds.errorGraceMs;
  const lagging = lagMessages >= thresholds.exportLagMessages || lagAgeMs >= thresholds.exportLagAgeMs;
  return { ...facts, state: failing ? 'failing' : lagging ? 'lagging' : 'ok', ...(errorSince === undefined ? {} : { errorSince }) };
}

function assessConsumer(sample: ConsumerSample, stream: StreamSample): ConsumerHealth {
  return {
    consumer: sample.consumer,
    position: sample.nextSequenceNumber,
    lag: messagesAfter(sample.nextSequenceNumber - 1, stream.oldestSequenceNumber, stream.newestSequenceNumber),
    committedAt: sample.committedAt,
    ...(sample.deadLetterStream ? { deadLetterStream: sample.deadLetterStream } : {}),
    deadLetters: sample.deadLetters,
  };
}

interface Growth {
  appendRatePerSecond?: number;
  bytesPerSecond?: number;
}

/** Since the previous check when there is one (net growth, so retention counts); else over the stored messages. */
function growthOf(sample: StreamSample, messageCount: number, previous: StreamHealth | undefined): Growth {
  const elapsedMs = previous === undefined ? 0 : sample.takenAt - previous.checkedAt;
  if (previous !== undefined && elapsedMs > 0) {
    const appended = sample.newestSequenceNumber - previous.newestSequenceNumber;
    // A stream deleted and made again numbers from 0: no rate across that.
    if (appended < 0) return {};
    return { appendRatePerSecond: (appended * 1000) / elapsedMs, bytesPerSecond: ((sample.totalBytes - previous.totalBytes) * 1000) / elapsedMs };
  }
  const spanMs = (sample.newestIngestTime ?? 0) - (sample.oldestIngestTime ?? 0);
  if (sample.oldestIngestTime === undefined || sample.newestIngestTime === undefined || messageCount < 2 || spanMs <= 0) return {};
  const intervals = messageCount - 1;
  return { appendRatePerSecond: (intervals * 1000) / spanMs, bytesPerSecond: (((sample.totalBytes * intervals) / messageCount) * 1000) / spanMs };
}

function timeToFull(sample: StreamSample, bytesPerSecond: number | undefined): number | undefined {
  if (sample.totalBytes >= sample.maxSize) return 0;
  if (bytesPerSecond === undefined || bytesPerSecond <= 0) return undefined;
  return Math.round(((sample.maxSize - sample.totalBytes) * 1000) / bytesPerSecond);
}

function exportProblem(health: ExportHealth, checkedAt: number): string | undefined {
  const waiting = `${plural(health.lagMessages, 'message', 'messages')} waiting${health.lagAgeMs > 0 ? `, the oldest for ${durationInWords(health.lagAgeMs)}` : ''}`;
  if (health.state === 'failing') return `export ${health.identifier} failing for ${durationInWords(checkedAt - (health.errorSince ?? checkedAt))} (${waiting}): ${health.lastError ?? ''}`;
  if (health.state === 'lagging') return `export ${health.identifier} lagging: ${waiting}`;
  return undefined;
}

function fillInWords(health: Pick<StreamHealth, 'fillPercent' | 'timeToFullMs'>): string {
  const full = health.timeToFullMs === undefined ? '' : health.timeToFullMs === 0 ? ', full now' : `, full in about ${durationInWords(health.timeToFullMs)}`;
  return `${Math.floor(health.fillPercent)}% full${full}`;
}

function reasonOf(state: StreamHealthState, health: Omit<StreamHealth, 'state' | 'reason'>, fillAlert: boolean, thresholds: HealthThresholds): string {
  const problems = health.exports.map((entry) => exportProblem(entry, health.checkedAt)).filter((text): text is string => text !== undefined);
  if (fillAlert) problems.push(`${fillInWords(health)} (alert at ${thresholds.fillPercent}%)`);
  if (state !== 'ok') return problems.join('; ');
  const working = health.exports.filter((entry) => entry.state !== 'disabled').length;
  return `${fillInWords(health)}, ${working === 0 ? 'no export' : working === 1 ? 'the export keeps up' : `all ${working} exports keep up`}`;
}

function stateOf(exports: ExportHealth[], fillAlert: boolean): StreamHealthState {
  if (exports.some((entry) => entry.state === 'failing')) return 'failing';
  if (fillAlert) return 'filling';
  return exports.some((entry) => entry.state === 'lagging') ? 'lagging' : 'ok';
}

/** The health of a stream from its sample and the health found at the previous check of it (if any). */
export function assessStreamHealth(sample: StreamSample, previous: StreamHealth | undefined, thresholds: HealthThresholds): StreamHealth {
  const messageCount = Math.max(0, sample.newestSequenceNumber - sample.oldestSequenceNumber + 1);
  const growth = growthOf(sample, messageCount, previous?.stream === sample.stream ? previous : undefined);
  const fillPercent = sample.maxSize > 0 ? (sample.totalBytes * 100) / sample.maxSize : 0;
  const timeToFullMs = timeToFull(sample, growth.bytesPerSecond);
  const exports = sample.exports.map((entry) => assessExport(entry, sample, previous, thresholds));
  const facts = {
    stream: sample.stream,
    checkedAt: sample.takenAt,
    totalBytes: sample.totalBytes,
    maxSize: sample.maxSize,
    fillPercent,
    ...(timeToFullMs === undefined ? {} : { timeToFullMs }),
    messageCount,
    oldestSequenceNumber: sample.oldestSequenceNumber,
    newestSequenceNumber: sample.newestSequenceNumber,
    ...(growth.appendRatePerSecond === undefined ? {} : { appendRatePerSecond: growth.appendRatePerSecond }),
    exports,
    consumers: sample.consumers.map((entry) => assessConsumer(entry, sample)),
  };
  const fillAlert = fillPercent >= thresholds.fillPercent;
  const state = stateOf(exports, fillAlert);
  return { ...facts, state, reason: reasonOf(state, facts, fillAlert, thresholds) };
}

/** The health of a stream that could not be found. */
export function missingStreamHealth(stream: string, checkedAt: number, reason = 'the stream does not exist'): StreamHealth {
  return { stream, state: 'missing', reason, checkedAt, totalBytes: 0, maxSize: 0, fillPercent: 0, messageCount: 0, oldestSequenceNumber: 0, newestSequenceNumber: -1, exports: [], consumers: [] };
}
