// The rules IoT SiteWise's BatchPutAssetPropertyValue and the Stream Manager SDKs' data classes apply to a
// PutAssetPropertyValueEntry, each broken rule told in the user's words. The client checks them before an entry is
// appended and the local server again when it exports, so a flow fails on the gateway the way it would in the cloud.
import { QUALITIES } from './enums';
import { ValidationError } from './errors';

export const SITEWISE_MAX_VALUES_PER_ENTRY = 10;
const SITEWISE_MAX_STRING_LENGTH = 1024;
const SITEWISE_MAX_ALIAS_LENGTH = 2048;
const SITEWISE_MAX_ENTRY_ID_LENGTH = 64;
/** The SDKs' data classes take integerValue from 0 (SiteWise itself stores 32-bit integers). */
export const SITEWISE_INTEGER_MIN = 0;
export const SITEWISE_INTEGER_MAX = 2_147_483_647;
const SITEWISE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const SITEWISE_MAX_AHEAD_MS = 10 * 60 * 1000;

const ENTRY_ID = /^[a-zA-Z0-9_-]+$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** SiteWise asset and property ids: a UUID, or `externalId:` and the external id. */
const SITEWISE_ID = /^(?!00000000-0000-0000-0000-000000000000$)[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$|^externalId:[a-zA-Z0-9][a-zA-Z_\-0-9.:]*[a-zA-Z0-9]$/;
const VARIANT_KEYS = ['stringValue', 'integerValue', 'doubleValue', 'booleanValue'] as const;
type VariantKey = (typeof VARIANT_KEYS)[number];

export type SiteWiseRule =
  | 'entryId'
  | 'property'
  | 'propertyAlias'
  | 'assetId'
  | 'propertyId'
  | 'valueCount'
  | 'valueType'
  | 'mixedTypes'
  | 'integerRange'
  | 'doubleFinite'
  | 'stringLength'
  | 'stringCharacters'
  | 'booleanValue'
  | 'timestampFormat'
  | 'timestampWindow'
  | 'quality';

/** A broken SiteWise rule: code `Validation`, `rule` names which, the message says it in the user's words. */
export class SiteWiseRuleError extends ValidationError {
  readonly siteWiseRule: SiteWiseRule;

  constructor(rule: SiteWiseRule, field: string, value: unknown, message: string) {
    super(field, value, message);
    this.siteWiseRule = rule;
    this.message = `${field} ${message}`;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function describeAge(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 2 * 24 * 3600 * 1000) return `${Math.floor(abs / (24 * 3600 * 1000))} days`;
  if (abs >= 2 * 3600 * 1000) return `${Math.floor(abs / (3600 * 1000))} hours`;
  if (abs >= 2 * 60 * 1000) return `${Math.floor(abs / (60 * 1000))} minutes`;
  return `${Math.ceil(abs / 1000)} seconds`;
}

const WINDOW_TEXT = 'IoT SiteWise accepts values from the last 7 days up to 10 minutes ahead';

/** Checks a TimeInNanos against the SDKs' ranges and SiteWise's window around `now` (ms since 1970, inclusive). */
function checkSiteWiseTimestamp(timestamp: unknown, now: number, field = 'timestamp'): void {
  if (!isRecord(timestamp)) throw new SiteWiseRuleError('timestampFormat', field, timestamp, 'must be { timeInSeconds, offsetInNanos }');
  const seconds = timestamp.timeInSeconds;
  const nanos = timestamp.offsetInNanos ?? 0;
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 1) {
    throw new SiteWiseRuleError('timestampFormat', `${field}.timeInSeconds`, seconds, 'must be a whole number of seconds since 1970, at least 1');
  }
  if (typeof nanos !== 'number' || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new SiteWiseRuleError('timestampFormat', `${field}.offsetInNanos`, nanos, 'must be a whole number of nanoseconds from 0 to 999999999');
  }
  // Compared in whole nanoseconds as bigints, so the edges of the window are exact.
  const at = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
  const nowNs = BigInt(Math.floor(now)) * 1_000_000n;
  if (at < nowNs - BigInt(SITEWISE_MAX_AGE_MS) * 1_000_000n) {
    throw new SiteWiseRuleError('timestampWindow', field, timestamp, `is ${describeAge(now - seconds * 1000 - nanos / 1e6)} old: ${WINDOW_TEXT}`);
  }
  if (at > nowNs + BigInt(SITEWISE_MAX_AHEAD_MS) * 1_000_000n) {
    throw new SiteWiseRuleError('timestampWindow', field, timestamp, `is ${describeAge(seconds * 1000 + nanos / 1e6 - now)} ahead: ${WINDOW_TEXT}`);
  }
}

/** The one Variant key set, after checking the value it holds. */
export function checkSiteWiseVariant(variant: unknown, field = 'value'): VariantKey {
  if (!isRecord(variant)) throw new SiteWiseRuleError('valueType', field, variant, 'must be an object with one of stringValue, integerValue, doubleValue, booleanValue');
  const set = VARIANT_KEYS.filter((key) => variant[key] !== undefined && variant[key] !== null);
  if (set.length !== 1) {
    throw new SiteWiseRuleError('valueType', field, variant, `must hold exactly one of stringValue, integerValue, doubleValue, booleanValue (it holds ${set.length === 0 ? 'none' : set.join(' and ')})`);
  }
  const key = set[0];
  const value = variant[key];
  switch (key) {
    case 'integerValue':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new SiteWiseRuleError('integerRange', `${field}.integerValue`, value, 'must be a whole number');
      if (value < SITEWISE_INTEGER_MIN || value > SITEWISE_INTEGER_MAX) {
        throw new SiteWiseRuleError('integerRange', `${field}.integerValue`, value, `is ${value}: an integer value must be from ${SITEWISE_INTEGER_MIN} to ${SITEWISE_INTEGER_MAX} (send other numbers as a double)`);
      }
      break;
    case 'doubleValue':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SiteWiseRuleError('doubleFinite', `${field}.doubleValue`, value, `is ${String(value)}: IoT SiteWise takes only finite numbers (no NaN or Infinity)`);
      }
      break;
    case 'stringValue':
      if (typeof value !== 'string') throw new SiteWiseRuleError('stringLength', `${field}.stringValue`, value, 'must be text');
      if (value.length < 1 || value.length > SITEWISE_MAX_STRING_LENGTH) {
        throw new SiteWiseRuleError('stringLength', `${field}.stringValue`, value, `is ${value.length} characters long: IoT SiteWise takes strings of 1 to ${SITEWISE_MAX_STRING_LENGTH} characters`);
      }
      if (CONTROL_CHARACTER.test(value)) throw new SiteWiseRuleError('stringCharacters', `${field}.stringValue`, value, 'holds a control character (such as a line break): IoT SiteWise does not take them in strings');
      break;
    case 'booleanValue':
      if (typeof value !== 'boolean') throw new SiteWiseRuleError('booleanValue', `${field}.booleanValue`, value, 'must be true or false');
      break;
  }
  return key;
}

function checkText(rule: SiteWiseRule, field: string, value: unknown): void {
  if (typeof value !== 'string') throw new SiteWiseRuleError(rule, field, value, 'must be text');
}

/** Checks how an entry names its property: a property alias, or an asset id with a property id. */
export function checkSiteWiseProperty(entry: { propertyAlias?: unknown; assetId?: unknown; propertyId?: unknown }, prefix = ''): void {
  const { propertyAlias, assetId, propertyId } = entry;
  const hasAlias = propertyAlias !== undefined && propertyAlias !== null;
  const hasAsset = assetId !== undefined && assetId !== null;
  const hasProperty = propertyId !== undefined && propertyId !== null;
  if (!hasAlias && !hasAsset && !hasProperty) {
    throw new SiteWiseRuleError('property', `${prefix}property`, undefined, 'is not named: give a property alias, or an asset id and a property id');
  }
  if (hasAsset !== hasProperty) {
    throw new SiteWiseRuleError('property', `${prefix}${hasAsset ? 'propertyId' : 'assetId'}`, undefined, 'is missing: an asset id and a property id go together');
  }
  if (hasAlias) {
    checkText('propertyAlias', `${prefix}propertyAlias`, propertyAlias);
    const alias = propertyAlias as string;
    if (alias.length < 1 || alias.length > SITEWISE_MAX_ALIAS_LENGTH) {
      throw new SiteWiseRuleError('propertyAlias', `${prefix}propertyAlias`, alias, `is ${alias.length} characters long: a property alias has 1 to ${SITEWISE_MAX_ALIAS_LENGTH}`);
    }
    if (CONTROL_CHARACTER.test(alias)) throw new SiteWiseRuleError('propertyAlias', `${prefix}propertyAlias`, alias, 'holds a control character: a property alias may not');
  }
  for (const [rule, value] of [['assetId', assetId], ['propertyId', propertyId]] as const) {
    if (value === undefined || value === null) continue;
    checkText(rule, `${prefix}${rule}`, value);
    if (!SITEWISE_ID.test(value as string)) {
      throw new SiteWiseRuleError(rule, `${prefix}${rule}`, value, 'is not an IoT SiteWise id: expected a UUID such as a1b2c3d4-5678-90ab-cdef-1234567890ab, or externalId:<your id>');
    }
  }
}

function checkSiteWiseEntryId(entryId: unknown, field = 'entryId'): void {
  if (typeof entryId !== 'string' || entryId.length < 1 || entryId.length > SITEWISE_MAX_ENTRY_ID_LENGTH || !ENTRY_ID.test(entryId)) {
    throw new SiteWiseRuleError('entryId', field, entryId, `must be 1 to ${SITEWISE_MAX_ENTRY_ID_LENGTH} letters, digits, - or _`);
  }
}

/** Checks one AssetPropertyValue; returns the Variant key it uses. */
export function checkSiteWisePropertyValue(propertyValue: unknown, now: number, field = 'propertyValues[0]'): VariantKey {
  if (!isRecord(propertyValue)) throw new SiteWiseRuleError('valueType', field, propertyValue, 'must be { value, timestamp, quality }');
  const key = checkSiteWiseVariant(propertyValue.value, `${field}.value`);
  checkSiteWiseTimestamp(propertyValue.timestamp, now, `${field}.timestamp`);
  const quality = propertyValue.quality;
  if (quality !== undefined && quality !== null && !(QUALITIES as readonly unknown[]).includes(quality)) {
    throw new SiteWiseRuleError('quality', `${field}.quality`, quality, `must be one of ${QUALITIES.join(', ')}`);
  }
  return key;
}

/**
 * Checks a whole PutAssetPropertyValueEntry against every rule above at time `now` (ms since 1970); throws the first
 * SiteWiseRuleError. The values of one entry go to one property, so they must all have one type.
 */
export function checkSiteWiseEntry(entry: unknown, now: number): void {
  if (!isRecord(entry)) throw new SiteWiseRuleError('valueType', 'entry', entry, 'must be a PutAssetPropertyValueEntry object');
  checkSiteWiseEntryId(entry.entryId);
  checkSiteWiseProperty(entry);
  const values = entry.propertyValues;
  if (!Array.isArray(values) || values.length < 1 || values.length > SITEWISE_MAX_VALUES_PER_ENTRY) {
    const count = Array.isArray(values) ? values.length : 0;
    throw new SiteWiseRuleError('valueCount', 'propertyValues', values, `holds ${count} values: an entry takes 1 to ${SITEWISE_MAX_VALUES_PER_ENTRY}`);
  }
  let firstKey: VariantKey | undefined;
  values.forEach((propertyValue, index) => {
    const key = checkSiteWisePropertyValue(propertyValue, now, `propertyValues[${index}]`);
    firstKey ??= key;
    if (key !== firstKey) {
      throw new SiteWiseRuleError('mixedTypes', `propertyValues[${index}].value`, propertyValue, `is a ${key} but the entry's first value is a ${firstKey}: the values of one property have one type`);
    }
  });
}
