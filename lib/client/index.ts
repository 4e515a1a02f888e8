// The public entry point `./client` (README "The client"). Each name here is a promise to users:
// test/packaging/public-exports.test.ts pins the list, so adding one is a decision. Wire-level modules
// (frames, CBOR, schemas) stay internal; our own code imports them from their files.
export { StreamManagerClient, type ClientState, type RequestControl, type StreamManagerClientEvents } from './client';
export type { StreamManagerClientOptions } from './options';
export type { Logger } from '../common/logger';

export { StreamManagerError, ValidationError, type ClientErrorCode } from '../protocol/errors';
export { ExportFormat, Persistence, StatusLevel, Status, EventType, StrategyOnFull, type Quality } from '../protocol/enums';
export type {
  AssetPropertyValue,
  ConnectResponse,
  ExportDefinition,
  ExportKind,
  ExportStatus,
  HTTPConfig,
  Int64,
  IoTAnalyticsConfig,
  IoTSiteWiseConfig,
  KinesisConfig,
  Message,
  MessageStreamDefinition,
  MessageStreamInfo,
  PutAssetPropertyValueEntry,
  ReadMessagesOptions,
  S3ExportTaskDefinition,
  S3ExportTaskExecutorConfig,
  StatusConfig,
  StatusContext,
  StatusMessage,
  StorageStatus,
  TimeInNanos,
  Variant,
} from '../protocol/model';
export {
  deserializeJsonBytesToObj,
  validateAndSerializeToJsonBytes,
  type JsonDocumentType,
  type JsonDocumentTypes,
} from '../protocol/json-helpers';

export { Consumer, type AckMode, type ConsumerOptions, type StartPosition } from './consumer/consumer';
export type { ConsumerState, ConsumerWarning } from './consumer/consumer-events';
export type { Delivery, Gap } from './consumer/delivery';
export type { ConsumerPosition, MessageIdentity } from './consumer/consumer-position';
export { checkpointStreamName, isCheckpointStream } from './consumer/checkpoint-stream-name';
export { decodeDeadLetter, type DeadLetter } from './consumer/dead-letter';
export { listConsumers, type ConsumerListing } from './consumer/list-consumers';
export { removeConsumer } from './consumer/remove-consumer';

export { checkHealth, HealthChecker, type HealthCheckerOptions, type HealthCheckResult } from './health/health-checker';
export type {
  ConsumerHealth,
  ExportHealth,
  ExportHealthState,
  HealthReport,
  StreamHealth,
  StreamHealthChange,
  StreamHealthState,
} from './health/health-report';
export type { HealthThresholds } from './health/health-thresholds';
