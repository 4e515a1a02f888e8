// startServer: the local Stream Manager server, for development, demonstrations and tests.
import * as net from 'node:net';
import * as path from 'node:path';
import type { Logger } from '../client/options';
import { ServerConnection } from './server-connection';
import { StreamStore } from './stream-store';

export interface ServerOptions {
  /** Default 8088; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: only local processes can connect. */
  host?: string;
  /** Folder of the File streams. Default ./sm-store. */
  storeDir?: string;
  /** When set, a Connect must carry exactly this token. */
  authToken?: string;
  /** When set, what exports would send is written here as JSON lines. */
  exportDir?: string;
  logger?: Logger;
  /** Largest frame accepted; a larger one closes that connection. Default 256 MiB (the default stream maxSize). */
  maxFrameLength?: number;
  /** How often expired segments are dropped and export batches written. Default 1000 ms. */
  housekeepingIntervalMs?: number;
  /** The server's clock in epoch milliseconds (ingest times, time to live). Default Date.now; tests move it on. */
  clock?: () => number;
}

export interface RunningServer {
  port: number;
  host: string;
  storeDir: string;
  close(): Promise<void>;
}

export const DEFAULT_SERVER_PORT = 8088;
export const DEFAULT_STORE_DIR = 'sm-store';
export const DEFAULT_SERVER_MAX_FRAME_LENGTH = 256 * 1024 * 1024;

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function serverVersion(): string {
  try {
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const storeDir = path.resolve(options.storeDir ?? DEFAULT_STORE_DIR);
  const store = StreamStore.open(storeDir, options.exportDir ? path.resolve(options.exportDir) : undefined, logger);
  const connections = new Set<ServerConnection>();
  const clock = options.clock ?? Date.now;
  const context = {
    store,
    clock,
    authToken: options.authToken || undefined,
    serverVersion: serverVersion(),
    maxFrameLength: options.maxFrameLength ?? DEFAULT_SERVER_MAX_FRAME_LENGTH,
    logger,
  };
  const server = net.createServer((socket) => {
    connections.add(new ServerConnection(socket, context, (connection) => connections.delete(connection)));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_SERVER_PORT, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    store.close();
    throw error;
  }
  server.on('error', (error) => logger.error(`server error: ${error.message}`));
  const housekeeping = setInterval(() => store.tick(clock()), options.housekeepingIntervalMs ?? 1000);
  housekeeping.unref();
  const port = (server.address() as net.AddressInfo).port;
  logger.info(`listening on ${host}:${port}, store ${storeDir}`);

  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    storeDir,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(housekeeping);
        server.close(() => resolve());
        for (const connection of connections) connection.close();
        store.close();
      });
      return closing;
    },
  };
}
