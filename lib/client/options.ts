// Options of StreamManagerClient and their defaults, including the environment variables the SDKs read.
import { ValidationError } from '../protocol/errors';
import { MAX_FRAME_LENGTH } from '../protocol/frame';
import type { Logger } from '../common/logger';

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
const DEFAULT_PORT = 8088;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const DEFAULT_MIN_RECONNECT_DELAY_MS = 100;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 10_000;

/** The port from STREAM_MANAGER_SERVER_PORT, treating an empty value as unset (protocol.md §1.1). */
export function portFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.STREAM_MANAGER_SERVER_PORT?.trim();
  if (!text) return DEFAULT_PORT;
  const port = Number(text);
  if (!isPort(port)) {
    throw new ValidationError('STREAM_MANAGER_SERVER_PORT', text, 'must be a TCP port number from 1 to 65535');
  }
  return port;
}

function authTokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_CONTAINER_AUTHORIZATION_TOKEN || undefined;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function positiveInteger(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(field, value, `must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return value;
}

/** Any whole number of milliseconds up to 2^53 - 1 (about 285 000 years) is honoured: long ones are chained. */
function milliseconds(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(field, value, `must be a whole number of milliseconds from 1 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return value;
}

/** Fills in the defaults and checks every option; throws a ValidationError naming the first bad one. */
export function resolveClientOptions(
  options: StreamManagerClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedClientOptions {
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host.trim() === '') throw new ValidationError('host', host, 'must be a host name or address');
  const port = options.port ?? portFromEnvironment(env);
  if (!isPort(port)) throw new ValidationError('port', port, 'must be a TCP port number from 1 to 65535');
  const authToken = options.authToken ?? authTokenFromEnvironment(env);
  if (authToken !== undefined && typeof authToken !== 'string') throw new ValidationError('authToken', authToken, 'must be a string');
  const minReconnectDelayMs = milliseconds('minReconnectDelayMs', options.minReconnectDelayMs, DEFAULT_MIN_RECONNECT_DELAY_MS);
  const maxReconnectDelayMs = milliseconds('maxReconnectDelayMs', options.maxReconnectDelayMs, DEFAULT_MAX_RECONNECT_DELAY_MS);
  if (maxReconnectDelayMs < minReconnectDelayMs) {
    throw new ValidationError('maxReconnectDelayMs', maxReconnectDelayMs, `must be at least minReconnectDelayMs (${minReconnectDelayMs})`);
  }
  const maxFrameLength = positiveInteger('maxFrameLength', options.maxFrameLength, MAX_FRAME_LENGTH);
  if (maxFrameLength > MAX_FRAME_LENGTH) {
    throw new ValidationError('maxFrameLength', maxFrameLength, `must be at most the protocol maximum ${MAX_FRAME_LENGTH}`);
  }
  return {
    host,
    port,
    authToken: authToken || undefined,
    connectTimeoutMs: milliseconds('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    requestTimeoutMs: milliseconds('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    logger: options.logger,
    autoReconnect: options.autoReconnect ?? false,
    minReconnectDelayMs,
    maxReconnectDelayMs,
    maxFrameLength,
  };
}
