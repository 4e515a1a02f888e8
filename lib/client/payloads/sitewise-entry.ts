// PutAssetPropertyValueEntry documents from plain readings: a number, boolean or string, or { value, quality,
// timestamp }. Every value is checked against IoT SiteWise's rules before it is accepted, so a bad reading fails here
// with the rule in the user's words instead of later in the cloud.
import { randomUUID } from 'node:crypto';
import type { Quality } from '../../protocol/enums';
import { validateAndSerializeToJsonBytes } from '../../protocol/json-helpers';
import type { AssetPropertyValue, PutAssetPropertyValueEntry, TimeInNanos, Variant } from '../../protocol/model';
import {
  SITEWISE_INTEGER_MAX,
  SITEWISE_INTEGER_MIN,
  SiteWiseRuleError,
  checkSiteWiseEntry,
  checkSiteWisePropertyValue,
  checkSiteWiseVariant,
  checkSiteWiseProperty,
} from '../../protocol/sitewise-rules';

/** How numbers become a Variant: `auto` gives integerValue to whole numbers the SDKs take as integers, else double. */
export type SiteWiseValueType = 'auto' | 'double' | 'integer' | 'boolean' | 'string';
export const SITEWISE_VALUE_TYPES: readonly SiteWiseValueType[] = ['auto', 'double', 'integer', 'boolean', 'string'];

/** The property an entry goes to: its alias, or asset id and property id. */
export interface SiteWiseProperty {
  propertyAlias?: string;
  assetId?: string;
  propertyId?: string;
}

interface ReadingOptions {
  /** ms since 1970: the time of a reading that has none, and `now` for the window check. */
  receivedAt: number;
  /** ms since 1970 to check the window against; default receivedAt. */
  now?: number;
  valueType?: SiteWiseValueType;
  /** How the reading is named in an error, e.g. `msg.payload[2]`. */
  field?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** A time in ms (possibly fractional) as seconds and nanoseconds. */
function timeInNanosFromMillis(ms: number): TimeInNanos {
  const seconds = Math.floor(ms / 1000);
  // A double near today's ms holds about a quarter of a microsecond of precision: nanoseconds below a microsecond
  // would be noise, so the fraction is kept to whole microseconds.
  const micros = Math.min(999_999, Math.max(0, Math.round((ms - seconds * 1000) * 1000)));
  const nanos = micros * 1000;
  return { timeInSeconds: seconds, offsetInNanos: nanos };
}

function toTimeInNanos(time: unknown, field: string): TimeInNanos {
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) throw new SiteWiseRuleError('timestampFormat', field, time, 'must be a time: ms since 1970, a Date, an ISO 8601 text or { timeInSeconds, offsetInNanos }');
    return timeInNanosFromMillis(time);
  }
  if (time instanceof Date || typeof time === 'string') {
    const ms = time instanceof Date ? time.getTime() : Date.parse(time);
    if (Number.isNaN(ms)) throw new SiteWiseRuleError('timestampFormat', field, time, 'is not a date and time: use ms since 1970 or ISO 8601 such as 2026-01-31T12:00:00Z');
    return timeInNanosFromMillis(ms);
  }
  if (isRecord(time) && 'timeInSeconds' in time) {
    const result: TimeInNanos = { timeInSeconds: time.timeInSeconds as number };
    if (time.offsetInNanos !== undefined) result.offsetInNanos = time.offsetInNanos as number;
    return result;
  }
  throw new SiteWiseRuleError('timestampFormat', field, time, 'must be a time: ms since 1970, a Date, an ISO 8601 text or { timeInSeconds, offsetInNanos }');
}

function toVariant(value: unknown, valueType: SiteWiseValueType, field: string): Variant {
  switch (valueType) {
    case 'double':
      if (typeof value !== 'number') throw new SiteWiseRuleError('valueType', field, value, 'must be a number for a double property');
      return { doubleValue: value };
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new SiteWiseRuleError('integerRange', field, value, 'must be a whole number for an integer property');
      return { integerValue: value };
    case 'boolean':
      if (typeof value !== 'boolean') throw new SiteWiseRuleError('booleanValue', field, value, 'must be true or false for a boolean property');
      return { booleanValue: value };
    case 'string':
      if (typeof value !== 'string') throw new SiteWiseRuleError('stringLength', field, value, 'must be text for a string property');
      return { stringValue: value };
    case 'auto':
      if (typeof value === 'number') {
        return Number.isInteger(value) && value >= SITEWISE_INTEGER_MIN && value <= SITEWISE_INTEGER_MAX ? { integerValue: value } : { doubleValue: value };
      }
      if (typeof value === 'boolean') return { booleanValue: value };
      if (typeof value === 'string') return { stringValue: value };
      throw new SiteWiseRuleError('valueType', field, value, 'must be a number, a boolean, a string or { value, quality, timestamp }');
  }
}

/** One reading as a checked AssetPropertyValue. */
export function propertyValueFromReading(reading: unknown, options: ReadingOptions): AssetPropertyValue {
  const field = options.field ?? 'reading';
  const valueType = options.valueType ?? 'auto';
  let value: unknown = reading;
  let quality: unknown;
  let time: unknown;
  if (isRecord(reading)) {
    if (!('value' in reading)) throw new SiteWiseRuleError('valueType', field, reading, 'must have a value: { value, quality, timestamp }');
    value = reading.value;
    quality = reading.quality;
    time = reading.timestamp;
  }
  const variantField = isRecord(reading) ? `${field}.value` : field;
  const variant = toVariant(value, valueType, variantField);
  checkSiteWiseVariant(variant, variantField);
  const propertyValue: AssetPropertyValue = {
    value: variant,
    timestamp: time === undefined || time === null ? timeInNanosFromMillis(options.receivedAt) : toTimeInNanos(time, `${field}.timestamp`),
    quality: quality === undefined || quality === null ? 'GOOD' : (quality as Quality),
  };
  checkSiteWisePropertyValue(propertyValue, options.now ?? options.receivedAt, field);
  return propertyValue;
}

export { checkSiteWiseProperty };

/** A fresh entry id: unique, within SiteWise's 64 letters, digits, - and _. */
function newEntryId(): string {
  return randomUUID();
}

/**
 * An entry of up to 10 checked values for one property; every rule is checked again on the whole entry (one type,
 * at most 10 values, id formats), at `now`.
 */
export function buildSiteWiseEntry(property: SiteWiseProperty, values: AssetPropertyValue[], now: number, entryId: string = newEntryId()): PutAssetPropertyValueEntry {
  // Keys in the order of the SDK's asMap(), so the JSON text is the same byte for byte.
  const entry: PutAssetPropertyValueEntry = { entryId } as PutAssetPropertyValueEntry;
  if (property.assetId !== undefined) entry.assetId = property.assetId;
  if (property.propertyId !== undefined) entry.propertyId = property.propertyId;
  if (property.propertyAlias !== undefined) entry.propertyAlias = property.propertyAlias;
  entry.propertyValues = values;
  checkSiteWiseEntry(entry, now);
  return entry;
}

/** The entry as the SDKs' validateAndSerializeToJsonBytes writes it. */
export function serializeSiteWiseEntry(entry: PutAssetPropertyValueEntry): Buffer {
  return validateAndSerializeToJsonBytes('PutAssetPropertyValueEntry', entry);
}
