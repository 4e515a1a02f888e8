export { StreamManagerClient, type ClientState, type RequestControl, type StreamManagerClientEvents } from './client';
export { ContinuousReader, type ContinuousReaderOptions, type ReaderState, type StartPosition } from './continuous-reader';
export * from './options';
export * from '../protocol';
export * from './consumer';
