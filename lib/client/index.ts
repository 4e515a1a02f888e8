export { StreamManagerClient, type ClientState, type RequestControl, type StreamManagerClientEvents } from './client';
export * from './options';
export type { Logger } from '../common/logger';
export * from '../protocol';
export * from './consumer';
export * from './payloads';
export * from './health';
