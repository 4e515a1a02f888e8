// The data model of protocol 1.1.0 (protocol.md §3). Every interface is the exact shape of a CBOR map on the
// wire: the keys are the wire names, an absent key is an unset field.
import type { ExportFormat, Persistence, StatusLevel, StrategyOnFull } from './enums';

/**
 * A 64-bit integer: a number while it is a safe integer, a bigint beyond 2^53. Decoding gives a number
 * where exact and a bigint otherwise; encoding accepts either and always writes a CBOR integer.
 */
export type Int64 = number | bigint;

interface RequestBase {
  requestId: string;
}

interface ResponseBase {
  requestId?: string;
  /** A ResponseStatusCode; kept as the raw number so a code unknown to us does not break decoding. */
  status: number;
  errorMessage?: string;
}

export interface ConnectRequest extends RequestBase {
  protocolVersion: string;
  otherSupportedProtocolVersions?: string[];
  sdkVersion?: string;
  authToken?: string;
}

export interface ConnectResponse extends ResponseBase {
  protocolVersion?: string;
  supportedProtocolVersions?: string[];
  serverVersion?: string;
  clientIdentifier?: string;
}

interface ExportConfigBase {
  identifier: string;
  batchSize?: Int64;
  batchIntervalMillis?: Int64;
  priority?: Int64;
  startSequenceNumber?: Int64;
  disabled?: boolean;
}

export interface KinesisConfig extends ExportConfigBase {
  kinesisStreamName: string;
}

export interface IoTAnalyticsConfig extends ExportConfigBase {
  iotChannel: string;
  iotMsgIdPrefix?: string;
}

export type IoTSiteWiseConfig = ExportConfigBase;

export interface HTTPConfig extends ExportConfigBase {
  uri: string;
  exportFormat?: ExportFormat;
}

export interface StatusConfig {
  statusLevel?: StatusLevel;
  statusStreamName?: string;
}

export interface S3ExportTaskExecutorConfig {
  identifier: string;
  sizeThresholdForMultipartUploadBytes?: Int64;
  priority?: Int64;
  disabled?: boolean;
  statusConfig?: StatusConfig;
}

export interface ExportDefinition {
  http?: HTTPConfig[];
  iotAnalytics?: IoTAnalyticsConfig[];
  kinesis?: KinesisConfig[];
  /** Spelled with a capital I and a lower-case s on the wire, as every SDK does. */
  IotSitewise?: IoTSiteWiseConfig[];
  s3TaskExecutor?: S3ExportTaskExecutorConfig[];
}

/** The keys of ExportDefinition that hold batching exporters (all but S3). */
const BATCHING_EXPORT_KINDS = ['kinesis', 'iotAnalytics', 'IotSitewise', 'http'] as const;
export const EXPORT_KINDS = [...BATCHING_EXPORT_KINDS, 's3TaskExecutor'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface MessageStreamDefinition {
  name: string;
  maxSize?: Int64;
  streamSegmentSize?: Int64;
  timeToLiveMillis?: Int64;
  strategyOnFull: StrategyOnFull;
  persistence?: Persistence;
  flushOnWrite?: boolean;
  exportDefinition?: ExportDefinition;
}

/** The values the official SDKs send for fields a user leaves out. */
export const DEFAULT_MAX_SIZE = 268_435_456;
export const DEFAULT_STREAM_SEGMENT_SIZE = 16_777_216;

export interface StorageStatus {
  oldestSequenceNumber?: Int64;
  newestSequenceNumber?: Int64;
  totalBytes?: Int64;
}

export interface ExportStatus {
  exportConfigIdentifier?: string;
  lastExportedSequenceNumber: Int64;
  lastExportTime?: Int64;
  errorMessage?: string;
  exportedBytesFromStream?: Int64;
  exportedMessagesCount?: Int64;
}

export interface MessageStreamInfo {
  definition?: MessageStreamDefinition;
  storageStatus?: StorageStatus;
  exportStatuses?: ExportStatus[];
}

export interface ReadMessagesOptions {
  desiredStartSequenceNumber?: Int64;
  minMessageCount?: Int64;
  maxMessageCount?: Int64;
  readTimeoutMillis?: Int64;
}

export interface Message {
  streamName: string;
  sequenceNumber?: Int64;
  ingestTime?: Int64;
  payload: Uint8Array;
}

// JSON documents carried inside message payloads (protocol.md §4); never CBOR protocol fields.

export interface S3ExportTaskDefinition {
  inputUrl: string;
  bucket: string;
  key: string;
  userMetadata?: Record<string, string>;
}

export interface StatusContext {
  s3ExportTaskDefinition?: S3ExportTaskDefinition;
  exportIdentifier?: string;
  streamName?: string;
  sequenceNumber?: Int64;
}

export interface StatusMessage {
  eventType: number;
  statusLevel?: number;
  status: number;
  statusContext?: StatusContext;
  message?: string;
  timestampEpochMs?: Int64;
}

export interface Variant {
  stringValue?: string;
  integerValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
}

export interface TimeInNanos {
  timeInSeconds: Int64;
  offsetInNanos?: number;
}

export interface AssetPropertyValue {
  value: Variant;
  timestamp: TimeInNanos;
  quality?: string;
}

export interface PutAssetPropertyValueEntry {
  entryId: string;
  assetId?: string;
  propertyId?: string;
  propertyAlias?: string;
  propertyValues: AssetPropertyValue[];
}
