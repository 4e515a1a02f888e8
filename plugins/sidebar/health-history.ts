// The last hour of each stream's health, for the sidebar's charts: fill and export lag, sampled whenever the sidebar
// or a watching sm admin node checks the stream, at most one sample per stream every tenth of a minute. Bounded:
// at most `maxPoints` samples per stream, none older than `spanMs`, and a stream that is gone is dropped with its samples.
import type { StreamHealth, StreamHealthState } from '../../lib/client/health/health-report';

interface HealthPoint {
  /** When the stream was checked, ms since the epoch. */
  at: number;
  state: StreamHealthState;
  fillPercent: number;
  /** The most messages any one of its exports has still to export. */
  exportLagMessages: number;
  /** The age of the oldest message any one of its exports has still to export (ms). */
  exportLagAgeMs: number;
}

interface HealthHistoryOptions {
  spanMs?: number;
  maxPoints?: number;
}

export const HISTORY_SPAN_MS = 60 * 60_000;
export const HISTORY_MAX_POINTS = 360;
/** Checks a little early (a watch's timer drifts) still give a sample, so that a 10 s watch keeps every check. */
const INTERVAL_TOLERANCE = 0.95;

function pointOf(health: StreamHealth): HealthPoint {
  return {
    at: health.checkedAt,
    state: health.state,
    fillPercent: health.fillPercent,
    exportLagMessages: health.exports.reduce((most, found) => Math.max(most, found.lagMessages), 0),
    exportLagAgeMs: health.exports.reduce((most, found) => Math.max(most, found.lagAgeMs), 0),
  };
}

export class HealthHistory {
  readonly spanMs: number;
  readonly maxPoints: number;
  /** The least time between two samples of one stream. */
  readonly intervalMs: number;
  private readonly points = new Map<string, HealthPoint[]>();
  /** Each stream's newest health: the previous check that the next one is assessed against. */
  private readonly newest = new Map<string, StreamHealth>();

  constructor(options: HealthHistoryOptions = {}) {
    this.spanMs = options.spanMs ?? HISTORY_SPAN_MS;
    this.maxPoints = options.maxPoints ?? HISTORY_MAX_POINTS;
    this.intervalMs = (this.spanMs / this.maxPoints) * INTERVAL_TOLERANCE;
  }

  /**
   * Adds a sample of each stream checked. `complete` says the checks cover every stream of the server, so that
   * a stream not among them is gone; a stream checked as `missing` is gone either way.
   */
  record(checked: readonly StreamHealth[], complete: boolean, now = Date.now()): void {
    const seen = new Set<string>();
    for (const health of checked) {
      seen.add(health.stream);
      if (health.state === 'missing') {
        this.forget(health.stream);
        continue;
      }
      this.newest.set(health.stream, health);
      const points = this.points.get(health.stream) ?? [];
      const last = points[points.length - 1];
      if (last === undefined || health.checkedAt - last.at >= this.intervalMs) points.push(pointOf(health));
      this.points.set(health.stream, points);
    }
    for (const [stream, points] of this.points) {
      if (complete && !seen.has(stream)) this.forget(stream);
      else this.trim(stream, points, now);
    }
  }

  /** The stream's health at its newest check, if it was checked within the span. */
  latest(stream: string): StreamHealth | undefined {
    return this.newest.get(stream);
  }

  /** Each stream's samples taken after `after` (ms since the epoch), oldest first. */
  since(after = Number.NEGATIVE_INFINITY): Record<string, HealthPoint[]> {
    const found: Record<string, HealthPoint[]> = {};
    for (const [stream, points] of this.points) found[stream] = points.filter((point) => point.at > after);
    return found;
  }

  /** How many samples it holds in all: the measure of its memory. */
  get size(): number {
    let total = 0;
    for (const points of this.points.values()) total += points.length;
    return total;
  }

  private trim(stream: string, points: HealthPoint[], now: number): void {
    let drop = Math.max(0, points.length - this.maxPoints);
    while (drop < points.length && points[drop].at <= now - this.spanMs) drop++;
    if (drop > 0) points.splice(0, drop);
    const checkedAt = this.newest.get(stream)?.checkedAt ?? Number.NEGATIVE_INFINITY;
    if (points.length === 0 && checkedAt <= now - this.spanMs) this.forget(stream);
  }

  private forget(stream: string): void {
    this.points.delete(stream);
    this.newest.delete(stream);
  }
}
