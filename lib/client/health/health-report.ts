// The health of streams as the flows and the sidebar see it: per stream how full it is and how fast it grows, per
// export how far behind it is and whether it works, per consumer how far behind it is, and one state with its reason.
import type { ExportKind } from '../../protocol/model';

export type ExportHealthState = 'ok' | 'lagging' | 'failing' | 'disabled';

/** A stream's state: its worst export's, or `filling` past the fill threshold, or `missing` when it is not there. */
export type StreamHealthState = 'ok' | 'lagging' | 'filling' | 'failing' | 'missing';

/** From best to worst: the order in which a stream's or a report's state is the worst of its parts. */
export const STREAM_HEALTH_STATES: readonly StreamHealthState[] = ['ok', 'lagging', 'filling', 'failing', 'missing'];

export interface ExportHealth {
  identifier: string;
  kind?: ExportKind;
  state: ExportHealthState;
  /** -1 when nothing was exported yet. */
  lastExportedSequenceNumber: number;
  /** Stored messages not exported yet. */
  lagMessages: number;
  /** How old the oldest message not exported yet is (ms); 0 when none waits. */
  lagAgeMs: number;
  lastExportTime?: number;
  lastError?: string;
  /** Since when (ms since the epoch) the current error has held the export back. */
  errorSince?: number;
}

export interface ConsumerHealth {
  consumer: string;
  /** The next sequence number it will be given: every message before it is acknowledged. */
  position: number;
  /** Stored messages at or after its position. */
  lag: number;
  committedAt: number;
  deadLetterStream?: string;
  /** Dead letters waiting for someone to retry or discard them. */
  deadLetters: number;
}

export interface StreamHealth {
  stream: string;
  state: StreamHealthState;
  /** Why, in words: the problems found, or that all is well. */
  reason: string;
  checkedAt: number;
  totalBytes: number;
  maxSize: number;
  /** totalBytes as a percentage of maxSize. */
  fillPercent: number;
  /** At the current net growth, how long until maxSize is reached (ms); undefined when it is not growing. */
  timeToFullMs?: number;
  messageCount: number;
  oldestSequenceNumber: number;
  /** Below oldestSequenceNumber when the stream is empty. */
  newestSequenceNumber: number;
  /** Messages appended per second, since the previous check (or over the stored messages at the first). */
  appendRatePerSecond?: number;
  exports: ExportHealth[];
  consumers: ConsumerHealth[];
}

export interface HealthReport {
  /** The worst state of its streams (`ok` when it has none). */
  state: StreamHealthState;
  /** In words: how many streams are in which state, and the reasons of those with a problem. */
  reason: string;
  checkedAt: number;
  /** How many streams are in each state. */
  counts: Record<StreamHealthState, number>;
  streams: StreamHealth[];
}

/** A stream's state changed between two checks (the first check counts as a change only for a problem). */
export interface StreamHealthChange {
  stream: string;
  state: StreamHealthState;
  /** Undefined at the first check of the stream. */
  previousState?: StreamHealthState;
  reason: string;
  health: StreamHealth;
}

export function worseState(a: StreamHealthState, b: StreamHealthState): StreamHealthState {
  return STREAM_HEALTH_STATES.indexOf(a) >= STREAM_HEALTH_STATES.indexOf(b) ? a : b;
}

export function isProblem(state: StreamHealthState): boolean {
  return state !== 'ok';
}
