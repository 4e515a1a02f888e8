// startServer: the local Stream Manager server, for development, demonstrations and tests.
import * as net from 'node:net';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import { BufferPool } from '../protocol/buffer-pool';
import { ValidationError } from '../protocol/errors';
import { DEFAULT_EXPORT_POLL_MS, DEFAULT_THREAD_POOL_SIZE } from './exports/export-scheduler';
import { messageStreamAppender } from './exports/export-source';
import { DEFAULT_FIRST_RETRY_MS, DEFAULT_MAX_RETRY_MS, type RetryTiming } from './exports/retry-backoff';
import { DEFAULT_MIN_PART_SIZE_BYTES, type S3EndpointOptions, s3EndpointSettings } from './exports/s3/s3-endpoint-options';
import { ServerExports } from './exports/server-exports';
import { MAX_FRAME_LENGTH } from '../protocol/frame';
import { MAX_FRAME_BEFORE_CONNECT, ServerConnection, type ConnectionLimits } from './server-connection';
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
  /** Where exports leave what they send: requests to cloud services, S3 copies. Default <storeDir>/exports. */
  exportDir?: string;
  /** An S3-compatible endpoint (path-style) for S3 export tasks; without it files are copied under exportDir/s3. */
  s3Endpoint?: S3EndpointOptions;
  /** Part size of multipart S3 uploads; at least and by default 5242880. */
  s3MultipartMinPartSizeBytes?: number;
  /** Export identifiers, or kinds (kinesis, iotAnalytics, IotSitewise, http, s3TaskExecutor), that fail every attempt. */
  refuseExports?: string[];
  /** Export batches under way at once across the server. Default 5. */
  exporterThreadPoolSize?: number;
  /** Average kbit/s for all exports together. Default unlimited. */
  exporterMaxBandwidthKbps?: number;
  /** Back-off of failed exports: first delay, doubled up to the cap. Default 1 s up to 5 min. */
  exportRetry?: Partial<RetryTiming>;
  /** How often exports look for due batches. Default 100 ms. */
  exportPollIntervalMs?: number;
  /** Timeout of one HTTP export request. Default 30 s. */
  httpExportTimeoutMs?: number;
  logger?: Logger;
  /** Largest frame accepted; a larger one closes that connection. Default 256 MiB (the default stream maxSize). */
  maxFrameLength?: number;
  /** Largest frame sent: a read answers with as many whole messages as fit. Default 64 MiB. */
  maxReplyFrameLength?: number;
  /** Time a new connection has to complete its handshake (before it, only a Connect frame of at most 8 KiB). Default 5000 ms. */
  handshakeTimeoutMs?: number;
  /** Time a partly received frame may wait for its next bytes before the connection is closed. Default 30000 ms. */
  incompleteFrameTimeoutMs?: number;
  /**
   * Bytes of answers that may wait for one client; beyond it the server reads no more of its requests (and builds
   * no more of its answers) until it has read some. Default 16 MiB.
   */
  maxQueuedBytesPerConnection?: number;
  /** How often expired segments are dropped. Default 1000 ms. */
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
const DEFAULT_SERVER_MAX_FRAME_LENGTH = 256 * 1024 * 1024;
const DEFAULT_MAX_REPLY_FRAME_LENGTH = 64 * 1024 * 1024;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
const DEFAULT_INCOMPLETE_FRAME_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_QUEUED_BYTES_PER_CONNECTION = 16 * 1024 * 1024;
/** Below this the bound would sit under the socket's own buffer and its drain events would not come. */
const SMALLEST_QUEUE_BOUND = 64 * 1024;
/** setTimeout fires at once beyond this. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** At a stop, export batches under way get this long to finish, so that they are not sent again at the next start. */
const EXPORT_STOP_TIMEOUT_MS = 5000;

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function limitOption(name: keyof ServerOptions, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(name, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function connectionLimits(options: ServerOptions): ConnectionLimits {
  return {
    maxFrameLength: limitOption('maxFrameLength', options.maxFrameLength, DEFAULT_SERVER_MAX_FRAME_LENGTH, MAX_FRAME_BEFORE_CONNECT, MAX_FRAME_LENGTH),
    maxReplyFrameLength: limitOption('maxReplyFrameLength', options.maxReplyFrameLength, DEFAULT_MAX_REPLY_FRAME_LENGTH, 1024, MAX_FRAME_LENGTH),
    handshakeTimeoutMs: limitOption('handshakeTimeoutMs', options.handshakeTimeoutMs, DEFAULT_HANDSHAKE_TIMEOUT_MS, 1, LONGEST_TIMER_MS),
    incompleteFrameTimeoutMs: limitOption('incompleteFrameTimeoutMs', options.incompleteFrameTimeoutMs, DEFAULT_INCOMPLETE_FRAME_TIMEOUT_MS, 1, LONGEST_TIMER_MS),
    maxQueuedBytes: limitOption(
      'maxQueuedBytesPerConnection',
      options.maxQueuedBytesPerConnection,
      DEFAULT_MAX_QUEUED_BYTES_PER_CONNECTION,
      SMALLEST_QUEUE_BOUND,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

function serverVersion(): string {
  try {
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger;
  const limits = connectionLimits(options);
  const host = options.host ?? '127.0.0.1';
  const storeDir = path.resolve(options.storeDir ?? DEFAULT_STORE_DIR);
  const clock = options.clock ?? Date.now;
  let store: StreamStore | undefined;
  const exports = new ServerExports(
    {
      exportDir: path.resolve(options.exportDir ?? path.join(storeDir, 'exports')),
      s3Endpoint: options.s3Endpoint ? s3EndpointSettings(options.s3Endpoint, options.s3MultipartMinPartSizeBytes ?? DEFAULT_MIN_PART_SIZE_BYTES) : undefined,
      refuse: new Set(options.refuseExports ?? []),
      retry: { firstRetryMs: options.exportRetry?.firstRetryMs ?? DEFAULT_FIRST_RETRY_MS, maxRetryMs: options.exportRetry?.maxRetryMs ?? DEFAULT_MAX_RETRY_MS },
      httpTimeoutMs: options.httpExportTimeoutMs ?? 30_000,
      clock,
      logger,
      appendStatus: messageStreamAppender((name) => (store as StreamStore).get(name), clock),
    },
    {
      threadPoolSize: options.exporterThreadPoolSize ?? DEFAULT_THREAD_POOL_SIZE,
      maxBandwidthKbps: options.exporterMaxBandwidthKbps,
      pollIntervalMs: options.exportPollIntervalMs ?? DEFAULT_EXPORT_POLL_MS,
    },
  );
  try {
    store = StreamStore.open(storeDir, exports, logger);
  } catch (error) {
    await exports.stop(0);
    throw error;
  }
  const openStore = store;
  const connections = new Set<ServerConnection>();
  const context = {
    store: openStore,
    clock,
    authToken: options.authToken || undefined,
    serverVersion: serverVersion(),
    limits,
    logger,
    largeFrames: new BufferPool(),
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
    await exports.stop(0);
    openStore.close();
    throw error;
  }
  server.on('error', (error) => logger.error(`server error: ${error.message}`));
  const housekeeping = setInterval(() => {
    try {
      openStore.tick(clock());
    } catch (error) {
      logger.error(`housekeeping: ${(error as Error).message}`);
    }
  }, options.housekeepingIntervalMs ?? 1000);
  housekeeping.unref();
  const port = (server.address() as net.AddressInfo).port;
  logger.info(`listening on ${host}:${port}, store ${storeDir}`);

  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    storeDir,
    close() {
      closing ??= (async () => {
        clearInterval(housekeeping);
        const listening = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const connection of connections) connection.close();
        await exports.stop(EXPORT_STOP_TIMEOUT_MS);
        openStore.close();
        await listening;
      })();
      return closing;
    },
  };
}
