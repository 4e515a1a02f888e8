// When a stream or one of its exports counts as a problem. The defaults are what a gateway that exports every few
// seconds would pick: a backlog of a thousand messages or five minutes, a stream four fifths full, and an error that
// outlasts the first few retries of the exporter's back-off (1 s doubling: tries at 1, 3, 7, 15 and 31 s).
import { ValidationError } from '../../protocol/errors';

export interface HealthThresholds {
  /** An export with at least this many messages waiting is lagging. */
  exportLagMessages: number;
  /** An export whose oldest waiting message is at least this old (ms) is lagging. */
  exportLagAgeMs: number;
  /** A stream at least this full (percent of its maxSize) raises a fill alert. */
  fillPercent: number;
  /** An export error counts (the export is failing) once data has waited this long (ms) behind it. */
  errorGraceMs: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  exportLagMessages: 1000,
  exportLagAgeMs: 5 * 60_000,
  fillPercent: 80,
  errorGraceMs: 30_000,
});

const LIMITS: Record<keyof HealthThresholds, { min: number; max: number; expected: string }> = {
  exportLagMessages: { min: 1, max: Number.MAX_SAFE_INTEGER, expected: 'a whole number of messages, at least 1' },
  exportLagAgeMs: { min: 1, max: Number.MAX_SAFE_INTEGER, expected: 'a whole number of milliseconds, at least 1' },
  fillPercent: { min: 1, max: 100, expected: 'a percentage from 1 to 100' },
  errorGraceMs: { min: 0, max: Number.MAX_SAFE_INTEGER, expected: 'a whole number of milliseconds, 0 or more' },
};

/** The thresholds given, the defaults for the rest; a value out of range throws a ValidationError naming it. */
export function healthThresholds(given: Partial<HealthThresholds> = {}): HealthThresholds {
  const thresholds = { ...DEFAULT_HEALTH_THRESHOLDS };
  for (const key of Object.keys(LIMITS) as (keyof HealthThresholds)[]) {
    const value = given[key];
    if (value === undefined) continue;
    const { min, max, expected } = LIMITS[key];
    const whole = key === 'fillPercent' ? Number.isFinite(value) : Number.isSafeInteger(value);
    if (typeof value !== 'number' || !whole || value < min || value > max) throw new ValidationError(key, value, `must be ${expected}`);
    thresholds[key] = value;
  }
  return thresholds;
}
