export type { Logger } from '../common/logger';
export { startServer, DEFAULT_SERVER_PORT, DEFAULT_STORE_DIR, type RunningServer, type ServerOptions } from './server';
