// The public entry point `./server` (README "The local Stream Manager server"); test/packaging/public-exports.test.ts
// pins its list of names.
export type { Logger } from '../common/logger';
export { startServer, type RunningServer, type ServerOptions } from './server';
