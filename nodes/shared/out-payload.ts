// What sm out appends for its Payload setting: the msg's payload as is, an IoT SiteWise entry built from readings,
// or an S3 upload task built from a file name. The builders live in lib/client/payloads; this file only reads the
// node's settings and the msg.
import type { NodeMessageInFlow } from 'node-red';
import {
  buildS3UploadTask,
  buildSiteWiseEntry,
  propertyValueFromReading,
  serializeSiteWiseEntry,
  SITEWISE_VALUE_TYPES,
  type SiteWiseProperty,
  type SiteWiseValueType,
} from '../../lib/client/payloads';
import { StatusLevel } from '../../lib/protocol/enums';
import { ValidationError } from '../../lib/protocol/errors';
import type { AssetPropertyValue, ExportDefinition, S3ExportTaskDefinition } from '../../lib/protocol/model';
import { SITEWISE_MAX_VALUES_PER_ENTRY, SiteWiseRuleError } from '../../lib/protocol/sitewise-rules';

export type OutPayloadMode = 'raw' | 'sitewise' | 's3task';
const OUT_PAYLOAD_MODES: readonly OutPayloadMode[] = ['raw', 'sitewise', 's3task'];

/** The node's Payload settings as the dialog saves them; all optional, so older flows keep `raw`. */
export interface OutPayloadSettings {
  payloadMode?: OutPayloadMode;
  propertyAlias?: string;
  assetId?: string;
  propertyId?: string;
  valueType?: SiteWiseValueType;
  /** ms to gather one property's values into one entry; blank or 0: one entry per msg. */
  groupMs?: string | number;
  s3Bucket?: string;
  s3Key?: string;
  /** JSON text of an object of text values. */
  s3Metadata?: string;
  /** The status stream of the S3 export: created with the stream, and read for the outcomes. */
  s3StatusStream?: string;
}

export interface OutMessage extends NodeMessageInFlow {
  filename?: unknown;
  bucket?: unknown;
  key?: unknown;
  userMetadata?: unknown;
  timestamp?: unknown;
}

const blank = (value: unknown): boolean => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

export function payloadModeOf(settings: OutPayloadSettings): OutPayloadMode {
  return OUT_PAYLOAD_MODES.includes(settings.payloadMode as OutPayloadMode) ? (settings.payloadMode as OutPayloadMode) : 'raw';
}

export function groupWindowMs(settings: OutPayloadSettings): number {
  const ms = Number(settings.groupMs);
  return blank(settings.groupMs) || !Number.isFinite(ms) || ms < 0 ? 0 : Math.min(ms, 60_000);
}

/** The property from the node (alias, or asset id and property id), else msg.topic as the alias. */
export function siteWisePropertyOf(msg: OutMessage, settings: OutPayloadSettings): SiteWiseProperty {
  if (!blank(settings.propertyAlias)) return { propertyAlias: String(settings.propertyAlias).trim() };
  if (!blank(settings.assetId) || !blank(settings.propertyId)) {
    return { assetId: blank(settings.assetId) ? undefined : String(settings.assetId).trim(), propertyId: blank(settings.propertyId) ? undefined : String(settings.propertyId).trim() };
  }
  if (typeof msg.topic === 'string' && msg.topic !== '') return { propertyAlias: msg.topic };
  throw new SiteWiseRuleError('property', 'property', undefined, 'is not named: set the node\'s property alias (or asset id and property id), or msg.topic to the alias');
}

/** The msg's readings as checked values: one for a single reading, one per element for an array. */
export function siteWiseValuesOf(msg: OutMessage, settings: OutPayloadSettings, receivedAt: number): AssetPropertyValue[] {
  const valueType = SITEWISE_VALUE_TYPES.includes(settings.valueType as SiteWiseValueType) ? (settings.valueType as SiteWiseValueType) : 'auto';
  const payload = msg.payload;
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw new ValidationError('msg.payload', payload, 'holds no readings: give a number, boolean, string, { value, quality, timestamp } or an array of them');
    return payload.map((reading, index) => propertyValueFromReading(reading, { receivedAt, valueType, field: `msg.payload[${index}]` }));
  }
  if (payload === undefined || payload === null) {
    throw new ValidationError('msg.payload', payload, 'is required: a number, boolean, string or { value, quality, timestamp }');
  }
  // msg.timestamp gives the time of a plain reading.
  const reading = typeof payload !== 'object' && !blank(msg.timestamp) ? { value: payload, timestamp: msg.timestamp } : payload;
  return [propertyValueFromReading(reading, { receivedAt, valueType, field: 'msg.payload' })];
}

/** Values in entries of at most 10, a new entry wherever the type changes. */
export function siteWiseEntryPayloads(property: SiteWiseProperty, values: AssetPropertyValue[], now: number): Buffer[] {
  const payloads: Buffer[] = [];
  let run: AssetPropertyValue[] = [];
  const typeOf = (value: AssetPropertyValue): string => Object.keys(value.value)[0];
  for (const value of values) {
    if (run.length === SITEWISE_MAX_VALUES_PER_ENTRY || (run.length > 0 && typeOf(run[0]) !== typeOf(value))) {
      payloads.push(serializeSiteWiseEntry(buildSiteWiseEntry(property, run, now)));
      run = [];
    }
    run.push(value);
  }
  if (run.length > 0) payloads.push(serializeSiteWiseEntry(buildSiteWiseEntry(property, run, now)));
  return payloads;
}

function metadataOf(msg: OutMessage, settings: OutPayloadSettings): Record<string, string> | undefined {
  if (msg.userMetadata !== undefined && msg.userMetadata !== null) return msg.userMetadata as Record<string, string>;
  if (blank(settings.s3Metadata)) return undefined;
  try {
    return JSON.parse(String(settings.s3Metadata)) as Record<string, string>;
  } catch (error) {
    throw new ValidationError('userMetadata', settings.s3Metadata, `must be JSON text of an object of text values (${(error as Error).message})`);
  }
}

/** The S3 upload task for a msg: the file from msg.filename or the payload, bucket and key from the node or the msg. */
export function s3TaskOf(msg: OutMessage, settings: OutPayloadSettings): S3ExportTaskDefinition {
  const file = !blank(msg.filename) ? msg.filename : msg.payload;
  if (typeof file !== 'string' || blank(file)) {
    throw new ValidationError('msg.filename', file, 'must name the file to upload (or msg.payload must be its path), such as /var/data/report.csv');
  }
  const bucket = !blank(settings.s3Bucket) ? String(settings.s3Bucket).trim() : msg.bucket;
  const key = !blank(settings.s3Key) ? String(settings.s3Key).trim() : msg.key;
  if (blank(bucket)) throw new ValidationError('bucket', bucket, 'is required: set the node\'s bucket or msg.bucket');
  if (blank(key)) throw new ValidationError('key', key, 'is required: set the node\'s key or msg.key');
  return buildS3UploadTask({ file, bucket: bucket as string, key: key as string, userMetadata: metadataOf(msg, settings) });
}

/**
 * The export a stream sm out creates gets for its payload: the dialog's own export definition when it has one of the
 * matching kind, else a SiteWise export, or an S3 task executor reporting to the status stream.
 */
export function withMatchingExport(mode: OutPayloadMode, settings: OutPayloadSettings, exportDefinition: ExportDefinition | undefined): ExportDefinition | undefined {
  if (mode === 'sitewise' && !exportDefinition?.IotSitewise?.length) {
    return { ...exportDefinition, IotSitewise: [{ identifier: 'SiteWise', batchSize: 10 }] };
  }
  if (mode === 's3task' && !exportDefinition?.s3TaskExecutor?.length) {
    const statusStreamName = blank(settings.s3StatusStream) ? undefined : String(settings.s3StatusStream).trim();
    return {
      ...exportDefinition,
      s3TaskExecutor: [{ identifier: 'S3', ...(statusStreamName ? { statusConfig: { statusLevel: StatusLevel.INFO, statusStreamName } } : {}) }],
    };
  }
  return exportDefinition;
}
