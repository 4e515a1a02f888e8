export { StreamManagerClient, type ClientState, type StreamManagerClientEvents } from './client';
export * from './options';
export * from '../protocol';
