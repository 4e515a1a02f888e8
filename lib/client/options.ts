// Options of StreamManagerClient and their defaults, including the environment variables the SDKs read.

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface StreamManagerClientOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: STREAM_MANAGER_SERVER_PORT when set and not empty, else 8088. */
  port?: number;
  /** Default: AWS_CONTAINER_AUTHORIZATION_TOKEN when set and not empty, else no token. */
  authToken?: string;
  /** Time allowed for the TCP connect and the handshake together. Default 3000 ms. */
  connectTimeoutMs?: number;
  /** Time allowed for each request; a long-poll read gets its readTimeoutMillis on top. Default 60000 ms. */
  requestTimeoutMs?: number;
  /** Where the client reports what it skipped or retried. Default: nothing is logged. */
  logger?: Logger;
  /**
   * Reconnect in the background after a lost connection, with capped exponential back-off, until close().
   * Default false: the next request reconnects.
   */
  autoReconnect?: boolean;
  /** First back-off delay between connect attempts. Default 100 ms. */
  minReconnectDelayMs?: number;
  /** Cap of the back-off delay between connect attempts. Default 10000 ms. */
  maxReconnectDelayMs?: number;
  /** Largest frame accepted or sent. Default 2^30, the protocol maximum. */
  maxFrameLength?: number;
}

export type ResolvedClientOptions = Required<Omit<StreamManagerClientOptions, 'authToken' | 'logger'>> &
  Pick<StreamManagerClientOptions, 'authToken' | 'logger'>;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8088;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** The port from STREAM_MANAGER_SERVER_PORT, treating an empty value as unset (protocol.md §1.1). */
export function portFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.STREAM_MANAGER_SERVER_PORT?.trim();
  if (!text) return DEFAULT_PORT;
  const port = Number(text);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : DEFAULT_PORT;
}

export function authTokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_CONTAINER_AUTHORIZATION_TOKEN || undefined;
}
