// Reads a JSON document out of a message payload and checks it as the server would, returning the reason in the
// user's words when it is not one.
import { deserializeJsonBytesToObj, type JsonDocumentType, type JsonDocumentTypes } from '../../../protocol/json-helpers';
import { putAssetPropertyValueEntrySchema, s3ExportTaskDefinitionSchema, validateObject, type Schema } from '../../../protocol/validation';

const SCHEMAS: Partial<Record<JsonDocumentType, Schema>> = {
  S3ExportTaskDefinition: s3ExportTaskDefinitionSchema,
  PutAssetPropertyValueEntry: putAssetPropertyValueEntrySchema,
};

export function readPayloadDocument<T extends 'S3ExportTaskDefinition' | 'PutAssetPropertyValueEntry'>(
  payload: Buffer,
  type: T,
): { document: JsonDocumentTypes[T] } | { problem: string } {
  try {
    const document = deserializeJsonBytesToObj(payload, type);
    validateObject(SCHEMAS[type] as Schema, document, '', { unknownKeys: 'ignore' });
    return { document };
  } catch (error) {
    return { problem: `the message is not a valid ${type}: ${(error as Error).message}` };
  }
}
