// Enumerations of protocol 1.1.0 (protocol.md §3.9). All are integers on the wire except Quality.

export enum StrategyOnFull {
  RejectNewData = 0,
  OverwriteOldestData = 1,
}

export enum Persistence {
  File = 0,
  Memory = 1,
}

export enum ExportFormat {
  RAW_NOT_BATCHED = 0,
  JSON_BATCHED = 1,
}

export enum StatusLevel {
  ERROR = 0,
  WARN = 1,
  INFO = 2,
  DEBUG = 3,
  TRACE = 4,
}

export enum Status {
  Success = 0,
  Failure = 1,
  InProgress = 2,
  Warning = 3,
  Canceled = 4,
}

export enum EventType {
  S3Task = 0,
}

export type Quality = 'GOOD' | 'BAD' | 'UNCERTAIN';
export const QUALITIES: readonly Quality[] = ['GOOD', 'BAD', 'UNCERTAIN'];

export const PROTOCOL_VERSION = '1.1.0';
export const OTHER_SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = ['1.0.0'];
export const CONNECT_VERSION = 1;
