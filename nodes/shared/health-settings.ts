// The health settings of sm admin as saved by its dialog (seconds, whole numbers, one stream per line), turned into
// what lib/client/health takes. Blank fields take the defaults; a bad value throws a ValidationError naming the field.
import { DEFAULT_HEALTH_THRESHOLDS, healthThresholds, type HealthThresholds } from '../../lib/client/health';
import { ValidationError } from '../../lib/protocol/errors';
import { validateStreamName } from '../../lib/protocol/validation';

const DEFAULT_CHECK_EVERY_SECONDS = 10;
const MIN_CHECK_EVERY_SECONDS = 0.5;
const MAX_CHECK_EVERY_SECONDS = 86_400;

/** The saved properties; every one may be missing (flows saved before health existed). */
export interface HealthProperties {
  /** Watch mode: the streams to watch, one per line (a stream name may hold commas and spaces); blank: all but `_` ones. */
  streams?: string;
  /** Seconds between checks in watch mode. */
  checkEvery?: string | number;
  lagMessages?: string | number;
  /** Seconds. */
  lagAge?: string | number;
  fillPercent?: string | number;
  /** Seconds. */
  errorGrace?: string | number;
}

export interface HealthWatchSettings {
  /** Empty: every stream but the internal ones. */
  streams: string[];
  intervalMs: number;
  thresholds: HealthThresholds;
}

function blank(value: string | number | undefined): boolean {
  return value === undefined || value === null || String(value).trim() === '';
}

function numberSetting(field: string, value: string | number | undefined, fallback: number, min: number, max: number, expected: string): number {
  if (blank(value)) return fallback;
  const number = Number(String(value).trim());
  if (!Number.isFinite(number) || number < min || number > max) throw new ValidationError(field, value, `must be ${expected}`);
  return number;
}

function wholeSetting(field: string, value: string | number | undefined, fallback: number, min: number, expected: string): number {
  const number = numberSetting(field, value, fallback, min, Number.MAX_SAFE_INTEGER, expected);
  if (!Number.isSafeInteger(number)) throw new ValidationError(field, value, `must be ${expected}`);
  return number;
}

const seconds = (ms: number): number => ms / 1000;

/** The thresholds of the node's fields. */
export function thresholdsOf(config: HealthProperties): HealthThresholds {
  const defaults = DEFAULT_HEALTH_THRESHOLDS;
  return healthThresholds({
    exportLagMessages: wholeSetting('lagMessages', config.lagMessages, defaults.exportLagMessages, 1, 'a whole number of messages, at least 1'),
    exportLagAgeMs: Math.round(numberSetting('lagAge', config.lagAge, seconds(defaults.exportLagAgeMs), 1, 365 * 86_400, 'a number of seconds, at least 1') * 1000),
    fillPercent: numberSetting('fillPercent', config.fillPercent, defaults.fillPercent, 1, 100, 'a percentage from 1 to 100'),
    errorGraceMs: Math.round(numberSetting('errorGrace', config.errorGrace, seconds(defaults.errorGraceMs), 0, 365 * 86_400, 'a number of seconds, 0 or more') * 1000),
  });
}

/** The names in the Streams field: one a line, blank lines left out, each a valid stream name. */
function watchedStreamsOf(text: string | undefined): string[] {
  const names = (text ?? '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  for (const name of names) validateStreamName(name, 'streams');
  return [...new Set(names)];
}

export function healthWatchSettingsOf(config: HealthProperties): HealthWatchSettings {
  const checkEvery = numberSetting('checkEvery', config.checkEvery, DEFAULT_CHECK_EVERY_SECONDS, MIN_CHECK_EVERY_SECONDS, MAX_CHECK_EVERY_SECONDS, `a number of seconds from ${MIN_CHECK_EVERY_SECONDS} to ${MAX_CHECK_EVERY_SECONDS}`);
  return { streams: watchedStreamsOf(config.streams), intervalMs: Math.round(checkEvery * 1000), thresholds: thresholdsOf(config) };
}
