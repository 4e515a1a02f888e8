// The JSON documents that travel inside message payloads: S3 export tasks, IoT SiteWise entries and the status
// messages the server writes (protocol.md §4). Same contract as the SDKs' validateAndSerializeToJsonBytes and
// deserializeJsonBytesToObj: validate, drop unset fields and empty arrays, write compact UTF-8 JSON.
import type { PutAssetPropertyValueEntry, S3ExportTaskDefinition, StatusMessage } from './model';
import { ValidationError } from './errors';
import {
  putAssetPropertyValueEntrySchema,
  s3ExportTaskDefinitionSchema,
  statusMessageSchema,
  validateObject,
  type Schema,
} from './validation';

export interface JsonDocumentTypes {
  S3ExportTaskDefinition: S3ExportTaskDefinition;
  PutAssetPropertyValueEntry: PutAssetPropertyValueEntry;
  StatusMessage: StatusMessage;
}
export type JsonDocumentType = keyof JsonDocumentTypes;

const SCHEMAS: Record<JsonDocumentType, Schema> = {
  S3ExportTaskDefinition: s3ExportTaskDefinitionSchema,
  PutAssetPropertyValueEntry: putAssetPropertyValueEntrySchema,
  StatusMessage: statusMessageSchema,
};

function schemaFor(type: string): Schema {
  const schema = SCHEMAS[type as JsonDocumentType];
  if (!schema) throw new ValidationError('type', type, `must be one of ${Object.keys(SCHEMAS).join(', ')}`);
  return schema;
}

function withoutEmptyArrays(_key: string, value: unknown): unknown {
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** Validates a document of the given type and serializes it as compact UTF-8 JSON, ready to append. */
export function validateAndSerializeToJsonBytes<T extends JsonDocumentType>(type: T, document: JsonDocumentTypes[T]): Buffer {
  validateObject(schemaFor(type), document, '', { unknownKeys: 'refuse' });
  return Buffer.from(JSON.stringify(document, withoutEmptyArrays), 'utf8');
}

/** Parses a JSON payload into a document of the given type; like the SDKs, it does not validate. */
export function deserializeJsonBytesToObj<T extends JsonDocumentType>(bytes: Uint8Array, type: T): JsonDocumentTypes[T] {
  schemaFor(type);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('payload', bytes, `must be JSON text of a ${type} (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('payload', bytes, `must be a JSON object of a ${type}`);
  }
  return parsed as JsonDocumentTypes[T];
}
