// Validation with the official SDKs' rules (protocol.md §3, §3.10), full-match patterns and ASCII `\w`.
// Every failure is a ValidationError naming the field, the value and the rule.
import { ExportFormat, Persistence, QUALITIES, StatusLevel, StrategyOnFull } from './enums';
import { ValidationError } from './errors';
import { MAX_FRAME_LENGTH } from './frame';

const INT64_MAX = 2n ** 63n - 1n;
const INT32_MAX = 2n ** 31n - 1n;
/** The SDKs' upper bound for millisecond durations (INT64_MAX / 10^6, so that nanoseconds fit). */
const MILLIS_MAX = 9_223_372_036_854n;

type FieldRule =
  | { kind: 'string'; required?: boolean; minLength?: number; maxLength?: number; pattern?: RegExp; patternText?: string }
  | { kind: 'integer'; required?: boolean; minimum?: bigint; maximum?: bigint }
  | { kind: 'number'; required?: boolean }
  | { kind: 'boolean'; required?: boolean }
  | { kind: 'bytes'; required?: boolean; minLength?: number; maxLength?: number }
  | { kind: 'enum'; required?: boolean; values: Record<string, string | number>; typeName: string }
  | { kind: 'oneOf'; required?: boolean; values: readonly string[] }
  | { kind: 'object'; required?: boolean; schema: Schema }
  | { kind: 'array'; required?: boolean; items: FieldRule; minItems?: number; maxItems?: number }
  | { kind: 'stringMap'; required?: boolean };

export interface Schema {
  typeName: string;
  fields: Record<string, FieldRule>;
  /** A rule across fields, checked after each field is valid; returns [field, value, rule] when broken. */
  check?: (value: Record<string, unknown>) => [string, unknown, string] | undefined;
}

export interface ValidationOptions {
  /** Keys a schema does not name are refused (client side) or ignored (server side, as the SDKs' readers do). */
  unknownKeys: 'refuse' | 'ignore';
}

const STREAM_NAME_PATTERN = /^[A-Za-z0-9_ ,.\-]*$/;
const STREAM_NAME_PATTERN_TEXT = 'a stream name: ASCII letters, digits, spaces, commas, dots, hyphens and underscores';

export const streamNameRule: FieldRule = {
  kind: 'string',
  required: true,
  minLength: 1,
  maxLength: 255,
  pattern: STREAM_NAME_PATTERN,
  patternText: STREAM_NAME_PATTERN_TEXT,
};

const integer = (minimum: bigint, maximum: bigint, required = false): FieldRule => ({ kind: 'integer', minimum, maximum, required });

function exportConfigSchema(typeName: string, maxBatchSize: bigint, extra: Record<string, FieldRule>): Schema {
  return {
    typeName,
    fields: {
      identifier: streamNameRule,
      batchSize: integer(1n, maxBatchSize),
      batchIntervalMillis: integer(60_000n, MILLIS_MAX),
      priority: integer(1n, 10n),
      startSequenceNumber: integer(0n, INT64_MAX),
      disabled: { kind: 'boolean' },
      ...extra,
    },
  };
}

const requiredText: FieldRule = { kind: 'string', required: true, minLength: 1 };

const kinesisConfigSchema = exportConfigSchema('KinesisConfig', 500n, { kinesisStreamName: requiredText });
const iotAnalyticsConfigSchema = exportConfigSchema('IoTAnalyticsConfig', 100n, {
  iotChannel: requiredText,
  iotMsgIdPrefix: { kind: 'string', maxLength: 32 },
});
const iotSiteWiseConfigSchema = exportConfigSchema('IoTSiteWiseConfig', 10n, {});
const httpConfigSchema = exportConfigSchema('HTTPConfig', 500n, {
  uri: requiredText,
  exportFormat: { kind: 'enum', values: ExportFormat, typeName: 'ExportFormat' },
});

const statusConfigSchema: Schema = {
  typeName: 'StatusConfig',
  fields: {
    statusLevel: { kind: 'enum', values: StatusLevel, typeName: 'StatusLevel' },
    statusStreamName: { ...streamNameRule, required: false },
  },
};

const s3ExportTaskExecutorConfigSchema: Schema = {
  typeName: 'S3ExportTaskExecutorConfig',
  fields: {
    identifier: streamNameRule,
    sizeThresholdForMultipartUploadBytes: integer(5_242_880n, INT64_MAX),
    priority: integer(1n, 10n),
    disabled: { kind: 'boolean' },
    statusConfig: { kind: 'object', schema: statusConfigSchema },
  },
};

const configs = (schema: Schema): FieldRule => ({ kind: 'array', items: { kind: 'object', required: true, schema } });

export const exportDefinitionSchema: Schema = {
  typeName: 'ExportDefinition',
  fields: {
    http: configs(httpConfigSchema),
    iotAnalytics: configs(iotAnalyticsConfigSchema),
    kinesis: configs(kinesisConfigSchema),
    IotSitewise: configs(iotSiteWiseConfigSchema),
    s3TaskExecutor: configs(s3ExportTaskExecutorConfigSchema),
  },
  check: (definition) => {
    const seen = new Set<string>();
    for (const [kind, list] of Object.entries(definition)) {
      if (!Array.isArray(list)) continue;
      for (const [index, config] of list.entries()) {
        const identifier = (config as { identifier: string }).identifier;
        if (seen.has(identifier)) {
          return [`${kind}[${index}].identifier`, identifier, 'must be unique among the exports of a stream'];
        }
        seen.add(identifier);
      }
    }
    return undefined;
  },
};

export const messageStreamDefinitionSchema: Schema = {
  typeName: 'MessageStreamDefinition',
  fields: {
    name: streamNameRule,
    maxSize: integer(1024n, INT64_MAX),
    streamSegmentSize: integer(1024n, INT32_MAX),
    timeToLiveMillis: integer(60_000n, MILLIS_MAX),
    strategyOnFull: { kind: 'enum', required: true, values: StrategyOnFull, typeName: 'StrategyOnFull' },
    persistence: { kind: 'enum', values: Persistence, typeName: 'Persistence' },
    flushOnWrite: { kind: 'boolean' },
    exportDefinition: { kind: 'object', schema: exportDefinitionSchema },
  },
};

export const readMessagesOptionsSchema: Schema = {
  typeName: 'ReadMessagesOptions',
  fields: {
    desiredStartSequenceNumber: integer(0n, INT64_MAX),
    minMessageCount: integer(1n, INT32_MAX),
    maxMessageCount: integer(1n, INT32_MAX),
    readTimeoutMillis: integer(0n, MILLIS_MAX),
  },
  check: (options) => {
    const { minMessageCount: min, maxMessageCount: max } = options as { minMessageCount?: number; maxMessageCount?: number };
    if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max)) {
      return ['maxMessageCount', max, `must be at least minMessageCount (${min})`];
    }
    return undefined;
  },
};

/** Append payloads: at least one byte, and small enough to fit one frame with the rest of the request. */
const appendPayloadRule: FieldRule = { kind: 'bytes', required: true, minLength: 1, maxLength: MAX_FRAME_LENGTH - 1024 };

// JSON documents carried in payloads (protocol.md §4).

export const s3ExportTaskDefinitionSchema: Schema = {
  typeName: 'S3ExportTaskDefinition',
  fields: {
    inputUrl: requiredText,
    bucket: {
      kind: 'string',
      required: true,
      minLength: 3,
      maxLength: 63,
      pattern: /^(?!(\d+\.)+\d+$)(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/,
      patternText: 'an S3 bucket name: lower-case letters, digits, dots and hyphens, not an IP address',
    },
    key: {
      kind: 'string',
      required: true,
      minLength: 1,
      maxLength: 1024,
      pattern: /^([^\\{ }%`[\]"'><~#^?|]|!\{[a-zA-Z]+:[a-zA-Z/]+\})*$/,
      patternText: 'an S3 key without \\ { } space % ` [ ] " \' < > ~ # ^ ? |, except !{name:format} placeholders',
    },
    userMetadata: { kind: 'stringMap' },
  },
};

const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]+$/;

const variantSchema: Schema = {
  typeName: 'Variant',
  fields: {
    stringValue: {
      kind: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: NO_CONTROL_CHARACTERS,
      patternText: 'text without control characters',
    },
    integerValue: integer(0n, INT32_MAX),
    doubleValue: { kind: 'number' },
    booleanValue: { kind: 'boolean' },
  },
  check: (variant) => {
    const set = ['stringValue', 'integerValue', 'doubleValue', 'booleanValue'].filter((key) => variant[key] !== undefined);
    return set.length === 1 ? undefined : ['value', variant, `must set exactly one of stringValue, integerValue, doubleValue, booleanValue (set: ${set.join(', ') || 'none'})`];
  },
};

const timeInNanosSchema: Schema = {
  typeName: 'TimeInNanos',
  fields: {
    timeInSeconds: integer(1n, 31_556_889_864_403_199n, true),
    offsetInNanos: integer(0n, 999_999_999n),
  },
};

const assetPropertyValueSchema: Schema = {
  typeName: 'AssetPropertyValue',
  fields: {
    value: { kind: 'object', required: true, schema: variantSchema },
    timestamp: { kind: 'object', required: true, schema: timeInNanosSchema },
    quality: { kind: 'oneOf', values: QUALITIES },
  },
};

export const putAssetPropertyValueEntrySchema: Schema = {
  typeName: 'PutAssetPropertyValueEntry',
  fields: {
    entryId: {
      kind: 'string',
      required: true,
      minLength: 1,
      maxLength: 64,
      pattern: /^[a-zA-Z0-9_-]+$/,
      patternText: '^[a-zA-Z0-9_-]+$',
    },
    assetId: { kind: 'string' },
    propertyId: { kind: 'string' },
    propertyAlias: {
      kind: 'string',
      minLength: 1,
      maxLength: 2048,
      pattern: NO_CONTROL_CHARACTERS,
      patternText: 'text without control characters',
    },
    propertyValues: {
      kind: 'array',
      required: true,
      minItems: 1,
      maxItems: 10,
      items: { kind: 'object', required: true, schema: assetPropertyValueSchema },
    },
  },
};

const statusContextSchema: Schema = {
  typeName: 'StatusContext',
  fields: {
    s3ExportTaskDefinition: { kind: 'object', schema: s3ExportTaskDefinitionSchema },
    exportIdentifier: { kind: 'string' },
    streamName: { kind: 'string' },
    sequenceNumber: integer(-INT64_MAX - 1n, INT64_MAX),
  },
};

export const statusMessageSchema: Schema = {
  typeName: 'StatusMessage',
  fields: {
    eventType: { kind: 'integer', required: true, minimum: 0n, maximum: INT32_MAX },
    statusLevel: { kind: 'integer', minimum: 0n, maximum: INT32_MAX },
    status: { kind: 'integer', required: true, minimum: 0n, maximum: INT32_MAX },
    statusContext: { kind: 'object', schema: statusContextSchema },
    message: { kind: 'string' },
    timestampEpochMs: integer(-INT64_MAX - 1n, INT64_MAX),
  },
};

function isIntegerValue(value: unknown): value is number | bigint {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
}

function checkField(rule: FieldRule, value: unknown, path: string, options: ValidationOptions): void {
  if (value === undefined || value === null) {
    if (rule.required) throw new ValidationError(path, value, 'is required');
    return;
  }
  switch (rule.kind) {
    case 'string': {
      if (typeof value !== 'string') throw new ValidationError(path, value, 'must be a string');
      if (rule.minLength !== undefined && value.length < rule.minLength) {
        throw new ValidationError(path, value, `must be at least ${rule.minLength} characters long`);
      }
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        throw new ValidationError(path, value, `must be at most ${rule.maxLength} characters long`);
      }
      if (rule.pattern && !rule.pattern.test(value)) {
        throw new ValidationError(path, value, `must match ${rule.patternText ?? String(rule.pattern)}`);
      }
      return;
    }
    case 'integer': {
      if (!isIntegerValue(value)) throw new ValidationError(path, value, 'must be an integer');
      const big = BigInt(value);
      if (rule.minimum !== undefined && big < rule.minimum) throw new ValidationError(path, value, `must be at least ${rule.minimum}`);
      if (rule.maximum !== undefined && big > rule.maximum) throw new ValidationError(path, value, `must be at most ${rule.maximum}`);
      return;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(path, value, 'must be a finite number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValidationError(path, value, 'must be true or false');
      return;
    case 'bytes': {
      if (!(value instanceof Uint8Array)) throw new ValidationError(path, value, 'must be a Buffer or Uint8Array');
      if (rule.minLength !== undefined && value.length < rule.minLength) {
        throw new ValidationError(path, value, `must hold at least ${rule.minLength} byte${rule.minLength === 1 ? '' : 's'}`);
      }
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        throw new ValidationError(path, value, `must hold at most ${rule.maxLength} bytes`);
      }
      return;
    }
    case 'enum': {
      const known = Object.values(rule.values).filter((entry): entry is number => typeof entry === 'number');
      if (typeof value !== 'number' || !known.includes(value)) {
        const names = known.map((entry) => `${rule.values[entry]} (${entry})`).join(', ');
        throw new ValidationError(path, value, `must be a ${rule.typeName}: one of ${names}`);
      }
      return;
    }
    case 'oneOf':
      if (typeof value !== 'string' || !rule.values.includes(value)) {
        throw new ValidationError(path, value, `must be one of ${rule.values.join(', ')}`);
      }
      return;
    case 'object':
      validateObject(rule.schema, value, path, options);
      return;
    case 'array': {
      if (!Array.isArray(value)) throw new ValidationError(path, value, 'must be an array');
      if (rule.minItems !== undefined && value.length < rule.minItems) {
        throw new ValidationError(path, value, `must have at least ${rule.minItems} item${rule.minItems === 1 ? '' : 's'}`);
      }
      if (rule.maxItems !== undefined && value.length > rule.maxItems) {
        throw new ValidationError(path, value, `must have at most ${rule.maxItems} items`);
      }
      value.forEach((item, index) => checkField(rule.items, item, `${path}[${index}]`, options));
      return;
    }
    case 'stringMap': {
      if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(path, value, 'must be an object of strings');
      for (const [key, entry] of Object.entries(value)) {
        if (typeof entry !== 'string') throw new ValidationError(`${path}.${key}`, entry, 'must be a string');
      }
      return;
    }
  }
}

/** Checks `value` against `schema`; throws a ValidationError for the first rule it breaks. */
export function validateObject(schema: Schema, value: unknown, path: string, options: ValidationOptions): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ValidationError(path, value, `must be a ${schema.typeName} object`);
  }
  const record = value as Record<string, unknown>;
  if (options.unknownKeys === 'refuse') {
    for (const key of Object.keys(record)) {
      if (!(key in schema.fields) && record[key] !== undefined) {
        throw new ValidationError(
          path ? `${path}.${key}` : key,
          record[key],
          `is not a field of ${schema.typeName}; expected one of ${Object.keys(schema.fields).join(', ')}`,
        );
      }
    }
  }
  for (const [key, rule] of Object.entries(schema.fields)) {
    checkField(rule, record[key], path ? `${path}.${key}` : key, options);
  }
  const broken = schema.check?.(record);
  if (broken) {
    const [field, brokenValue, rule] = broken;
    throw new ValidationError(path ? `${path}.${field}` : field, brokenValue, rule);
  }
}

export function validateField(rule: FieldRule, value: unknown, path: string, options: ValidationOptions): void {
  checkField(rule, value, path, options);
}

const CLIENT: ValidationOptions = { unknownKeys: 'refuse' };

export function validateStreamName(name: unknown, field = 'streamName'): asserts name is string {
  checkField(streamNameRule, name, field, CLIENT);
}

export function validateMessageStreamDefinition(definition: unknown, options: ValidationOptions = CLIENT): void {
  validateObject(messageStreamDefinitionSchema, definition, 'definition', options);
}

export function validateReadMessagesOptions(readOptions: unknown, options: ValidationOptions = CLIENT): void {
  if (readOptions === undefined || readOptions === null) return;
  validateObject(readMessagesOptionsSchema, readOptions, 'readMessagesOptions', options);
}

export function validateAppendPayload(payload: unknown): asserts payload is Uint8Array {
  checkField(appendPayloadRule, payload, 'payload', CLIENT);
}
