// A stream definition from a node's form, overridden field by field by an object in msg.payload (the SDK's
// camelCase names; enums by name or number), checked with the SDK rules.
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import { ValidationError } from '../../lib/protocol/errors';
import type { ExportDefinition, Int64, MessageStreamDefinition } from '../../lib/protocol/model';
import { messageStreamDefinitionSchema, validateObject } from '../../lib/protocol/validation';

/** The definition fields as an editor form saves them: text from inputs, names from selects. */
export interface DefinitionForm {
  maxSize?: string | number;
  streamSegmentSize?: string | number;
  timeToLiveMillis?: string | number;
  strategyOnFull?: string | number;
  persistence?: string | number;
  flushOnWrite?: boolean | string;
  /** JSON text of an ExportDefinition; blank for none. */
  exportDefinition?: string | ExportDefinition;
}

const DEFINITION_FIELDS = ['maxSize', 'streamSegmentSize', 'timeToLiveMillis', 'strategyOnFull', 'persistence', 'flushOnWrite', 'exportDefinition'] as const;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function integerField(field: string, value: unknown): Int64 | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value === 'bigint') return value;
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text)) throw new ValidationError(field, value, 'must be a whole number');
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
}

function enumField<T extends Record<string, string | number>>(field: string, value: unknown, values: T): number | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value === 'number' && typeof values[value] === 'string') return value;
  if (typeof value === 'string') {
    const byName = values[value.trim()];
    if (typeof byName === 'number') return byName;
    if (/^\d+$/.test(value.trim()) && typeof values[Number(value)] === 'string') return Number(value);
  }
  const names = Object.keys(values).filter((key) => Number.isNaN(Number(key)));
  throw new ValidationError(field, value, `must be one of ${names.map((name) => `${name} (${values[name]})`).join(', ')}`);
}

function booleanField(field: string, value: unknown): boolean | undefined {
  if (isBlank(value)) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ValidationError(field, value, 'must be true or false');
}

function exportDefinitionField(field: string, value: unknown): ExportDefinition | undefined {
  if (isBlank(value)) return undefined;
  if (typeof value === 'object') return value as ExportDefinition;
  try {
    return JSON.parse(String(value)) as ExportDefinition;
  } catch (error) {
    throw new ValidationError(field, value, `must be JSON text of an ExportDefinition (${(error as Error).message})`);
  }
}

/** Builds and validates a definition; throws a ValidationError naming the first bad field. */
export function buildDefinition(name: unknown, form: DefinitionForm, overrides: unknown = undefined): MessageStreamDefinition {
  const merged: Record<string, unknown> = { ...form };
  let finalName = name;
  if (overrides !== undefined && overrides !== null) {
    if (typeof overrides !== 'object' || Array.isArray(overrides) || Buffer.isBuffer(overrides)) {
      throw new ValidationError('msg.payload', overrides, 'must be an object of definition fields (or nothing)');
    }
    for (const [key, value] of Object.entries(overrides)) {
      if (key === 'name') finalName = value;
      else if ((DEFINITION_FIELDS as readonly string[]).includes(key)) merged[key] = value;
      else throw new ValidationError(`msg.payload.${key}`, value, `is not a definition field; expected name or one of ${DEFINITION_FIELDS.join(', ')}`);
    }
  }
  const definition: MessageStreamDefinition = {
    name: finalName as string,
    maxSize: integerField('maxSize', merged.maxSize),
    streamSegmentSize: integerField('streamSegmentSize', merged.streamSegmentSize),
    timeToLiveMillis: integerField('timeToLiveMillis', merged.timeToLiveMillis),
    strategyOnFull: enumField('strategyOnFull', merged.strategyOnFull, StrategyOnFull) ?? StrategyOnFull.OverwriteOldestData,
    persistence: enumField('persistence', merged.persistence, Persistence),
    flushOnWrite: booleanField('flushOnWrite', merged.flushOnWrite),
    exportDefinition: exportDefinitionField('exportDefinition', merged.exportDefinition),
  };
  for (const key of Object.keys(definition) as (keyof MessageStreamDefinition)[]) {
    if (definition[key] === undefined) delete definition[key];
  }
  validateObject(messageStreamDefinitionSchema, definition, '', { unknownKeys: 'refuse' });
  return definition;
}
