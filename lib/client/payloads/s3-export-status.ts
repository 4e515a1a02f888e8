// The status messages an S3 export task executor appends to its status stream, decoded into plain fields.
import { EventType, Status, StatusLevel } from '../../protocol/enums';
import { ValidationError } from '../../protocol/errors';
import { deserializeJsonBytesToObj } from '../../protocol/json-helpers';
import { statusMessageSchema, validateObject } from '../../protocol/validation';

type S3TaskStatusName = 'Success' | 'Failure' | 'InProgress' | 'Warning' | 'Canceled';

export interface S3ExportStatus {
  status: S3TaskStatusName | string;
  /** True for Success, Failure and Canceled: no further status comes for the task. */
  final: boolean;
  message?: string;
  statusLevel?: string;
  eventType?: string;
  /** ms since 1970, when the status was written. */
  timestamp?: number;
  bucket?: string;
  key?: string;
  inputUrl?: string;
  userMetadata?: Record<string, string>;
  /** The stream and sequence number of the task's message, and the export that ran it. */
  streamName?: string;
  sequenceNumber?: number;
  exportIdentifier?: string;
}

const FINAL: readonly string[] = ['Success', 'Failure', 'Canceled'];

const nameOf = (values: Record<string | number, string | number>, value: number | undefined): string | undefined =>
  value === undefined ? undefined : typeof values[value] === 'string' ? (values[value] as string) : String(value);

/** Decodes one status message payload (the SDKs' StatusMessage JSON); throws Validation when it is not one. */
export function decodeS3ExportStatus(payload: Uint8Array): S3ExportStatus {
  const message = deserializeJsonBytesToObj(payload, 'StatusMessage');
  validateObject(statusMessageSchema, message, '', { unknownKeys: 'ignore' });
  const status = nameOf(Status, message.status) as string;
  const context = message.statusContext;
  const task = context?.s3ExportTaskDefinition;
  const decoded: S3ExportStatus = { status, final: FINAL.includes(status) };
  if (message.message !== undefined) decoded.message = message.message;
  if (message.statusLevel !== undefined) decoded.statusLevel = nameOf(StatusLevel, message.statusLevel);
  decoded.eventType = nameOf(EventType, message.eventType);
  if (message.timestampEpochMs !== undefined) decoded.timestamp = Number(message.timestampEpochMs);
  if (task) {
    decoded.bucket = task.bucket;
    decoded.key = task.key;
    decoded.inputUrl = task.inputUrl;
    if (task.userMetadata) decoded.userMetadata = task.userMetadata;
  }
  if (context?.streamName !== undefined) decoded.streamName = context.streamName;
  if (context?.sequenceNumber !== undefined) decoded.sequenceNumber = Number(context.sequenceNumber);
  if (context?.exportIdentifier !== undefined) decoded.exportIdentifier = context.exportIdentifier;
  return decoded;
}

/** Like decodeS3ExportStatus, but undefined for a payload that is not a status message. */
export function tryDecodeS3ExportStatus(payload: Uint8Array): S3ExportStatus | undefined {
  try {
    return decodeS3ExportStatus(payload);
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}
