// The server's settings, by the names of the Stream Manager component's configuration (AWS docs, protocol.md §5.8),
// read from sm-server options first and the environment second. A value that cannot be used stops the server at
// start with a message naming the setting and the value. cli.ts parses arguments; this module gives them meaning.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerOptions } from './server';
import { DEFAULT_SERVER_PORT, DEFAULT_STORE_DIR } from './server';

export class SettingError extends Error {
  readonly code = 'InvalidSetting';

  constructor(
    readonly setting: string,
    readonly value: string,
    expected: string,
  ) {
    super(`${setting} is "${value}": ${expected}`);
    this.name = 'SettingError';
  }
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

interface Setting {
  /** The component's configuration name, also accepted as an environment variable and as --NAME=value. */
  name: string;
  /** The sm-server option with the same meaning. */
  option?: string;
  /** Environment variables read, in order, when no option is given. */
  environment: string[];
  /** What the value must be, in the user's words. */
  expected: string;
}

export const SETTINGS = {
  storeRootDir: { name: 'STREAM_MANAGER_STORE_ROOT_DIR', option: 'store', environment: ['STREAM_MANAGER_STORE_ROOT_DIR'], expected: 'a folder the server can create and write to' },
  serverPort: { name: 'STREAM_MANAGER_SERVER_PORT', option: 'port', environment: ['STREAM_MANAGER_SERVER_PORT'], expected: 'a port number from 0 to 65535 (0 picks a free one)' },
  authenticateClient: { name: 'STREAM_MANAGER_AUTHENTICATE_CLIENT', option: 'authenticate-client', environment: ['STREAM_MANAGER_AUTHENTICATE_CLIENT'], expected: 'true or false' },
  authorizationToken: { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', option: 'auth-token', environment: ['AWS_CONTAINER_AUTHORIZATION_TOKEN'], expected: 'a token that is not empty' },
  maxBandwidth: { name: 'STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH', option: 'exporter-max-bandwidth', environment: ['STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH'], expected: 'a whole number of kilobits per second, at least 1 (leave it out for no limit)' },
  threadPoolSize: {
    name: 'STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE',
    option: 'exporter-thread-pool-size',
    environment: ['STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE', 'STREAM_MANAGER_THREAD_POOL_SIZE'],
    expected: 'a whole number of export batches at once, from 1 to 1000',
  },
  multipartMinPartSize: {
    name: 'STREAM_MANAGER_EXPORTER_S3_DESTINATION_MULTIPART_UPLOAD_MIN_PART_SIZE_BYTES',
    option: 's3-multipart-min-part-size',
    environment: ['STREAM_MANAGER_EXPORTER_S3_DESTINATION_MULTIPART_UPLOAD_MIN_PART_SIZE_BYTES'],
    expected: 'a whole number of bytes from 5242880 (5 MiB) to 5368709120 (5 GiB)',
  },
  logLevel: { name: 'LOG_LEVEL', option: 'log-level', environment: ['LOG_LEVEL'], expected: 'one of TRACE, DEBUG, INFO, WARN, ERROR' },
  s3Endpoint: { name: 'AWS_ENDPOINT_URL_S3', option: 's3-endpoint', environment: ['AWS_ENDPOINT_URL_S3'], expected: 'an http:// or https:// URL of an S3-compatible server' },
} satisfies Record<string, Setting>;

/** Accepted and ignored: they tune the real server's Java runtime, or belong to Greengrass v1. */
export const IGNORED_SETTINGS = ['JVM_ARGS', 'STREAM_MANAGER_READ_ONLY_DIRS'];

export interface CommandLine {
  /** Option values by option name or component name, as parsed; undefined when not given. */
  values: Record<string, string | undefined>;
  host?: string;
  authTokenFile?: string;
  exportDir?: string;
  refuseExports: string[];
}

interface ResolvedSettings {
  server: ServerOptions & { port: number; storeDir: string };
  logLevel: LogLevel;
  /** Lines worth logging at start (which settings were read from where, what was ignored). */
  notes: string[];
}

type Source = { text: string; label: string } | undefined;

function sourceOf(setting: Setting, command: CommandLine, env: NodeJS.ProcessEnv): Source {
  const byOption = setting.option === undefined ? undefined : command.values[setting.option];
  if (byOption !== undefined) return { text: byOption, label: `--${setting.option}` };
  const byName = command.values[setting.name];
  if (byName !== undefined) return { text: byName, label: `--${setting.name}` };
  for (const name of setting.environment) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { text: value, label: name };
  }
  return undefined;
}

function wholeNumber(setting: Setting, source: NonNullable<Source>, min: number, max: number): number {
  const text = source.text.trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SettingError(source.label, source.text, setting.expected);
  }
  return value;
}

function usableFolder(setting: Setting, source: Source, fallback: string): string {
  const folder = path.resolve(source?.text ?? fallback);
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.accessSync(folder, fs.constants.W_OK | fs.constants.R_OK);
  } catch (error) {
    throw new SettingError(source?.label ?? setting.name, source?.text ?? fallback, `${setting.expected} (${(error as Error).message})`);
  }
  return folder;
}

function logLevelOf(source: Source): LogLevel {
  if (source === undefined) return 'info';
  const level = source.text.trim().toUpperCase();
  if (level === 'TRACE' || level === 'DEBUG') return 'debug';
  if (level === 'INFO' || level === 'WARN' || level === 'ERROR') return level.toLowerCase() as LogLevel;
  throw new SettingError(source.label, source.text, SETTINGS.logLevel.expected);
}

function authToken(command: CommandLine, env: NodeJS.ProcessEnv): Source {
  const byOption = command.values[SETTINGS.authorizationToken.option];
  if (byOption !== undefined && command.authTokenFile !== undefined) {
    throw new SettingError('--auth-token-file', command.authTokenFile, 'give --auth-token or --auth-token-file, not both');
  }
  if (command.authTokenFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(command.authTokenFile, 'utf8');
    } catch (error) {
      throw new SettingError('--auth-token-file', command.authTokenFile, `a readable file holding the token (${(error as Error).message})`);
    }
    const token = text.split(/\r?\n/, 1)[0].trim();
    if (token === '') throw new SettingError('--auth-token-file', command.authTokenFile, 'a file whose first line holds the token; it is empty');
    return { text: token, label: '--auth-token-file' };
  }
  if (byOption !== undefined && byOption.trim() === '') {
    throw new SettingError('--auth-token', byOption, 'a token that is not empty; leave it out to accept every client');
  }
  return sourceOf(SETTINGS.authorizationToken, command, env);
}

/**
 * Client authentication as on a device: with STREAM_MANAGER_AUTHENTICATE_CLIENT=true a client must present the
 * token (AWS_CONTAINER_AUTHORIZATION_TOKEN or --auth-token); with false any local process may connect. Left out,
 * it is true when a token is given and false otherwise (a device always has one; a laptop usually does not).
 */
function authentication(command: CommandLine, env: NodeJS.ProcessEnv): { token?: string; note: string } {
  const token = authToken(command, env);
  const flag = sourceOf(SETTINGS.authenticateClient, command, env);
  let required = token !== undefined;
  if (flag !== undefined) {
    const text = flag.text.trim().toLowerCase();
    if (text !== 'true' && text !== 'false') throw new SettingError(flag.label, flag.text, SETTINGS.authenticateClient.expected);
    required = text === 'true';
  }
  if (required && token === undefined) {
    throw new SettingError(
      flag?.label ?? SETTINGS.authenticateClient.name,
      flag?.text ?? 'true',
      'true needs a token to check clients against: set AWS_CONTAINER_AUTHORIZATION_TOKEN, --auth-token or --auth-token-file',
    );
  }
  if (!required) return { note: 'client authentication is off: every local process may connect' };
  return { token: token?.text, note: `clients must present the token from ${token?.label}` };
}

export function resolveSettings(command: CommandLine, env: NodeJS.ProcessEnv): ResolvedSettings {
  const notes: string[] = [];
  const logLevel = logLevelOf(sourceOf(SETTINGS.logLevel, command, env));
  const portSource = sourceOf(SETTINGS.serverPort, command, env);
  const port = portSource ? wholeNumber(SETTINGS.serverPort, portSource, 0, 65535) : DEFAULT_SERVER_PORT;
  const storeDir = usableFolder(SETTINGS.storeRootDir, sourceOf(SETTINGS.storeRootDir, command, env), DEFAULT_STORE_DIR);
  const auth = authentication(command, env);
  notes.push(auth.note);
  const bandwidth = sourceOf(SETTINGS.maxBandwidth, command, env);
  const pool = sourceOf(SETTINGS.threadPoolSize, command, env);
  const partSize = sourceOf(SETTINGS.multipartMinPartSize, command, env);
  const server: ResolvedSettings['server'] = {
    port,
    host: command.host,
    storeDir,
    authToken: auth.token,
    exportDir: command.exportDir === undefined ? undefined : usableFolder({ ...SETTINGS.storeRootDir, name: '--export-dir' }, { text: command.exportDir, label: '--export-dir' }, ''),
    exporterMaxBandwidthKbps: bandwidth ? wholeNumber(SETTINGS.maxBandwidth, bandwidth, 1, Number.MAX_SAFE_INTEGER) : undefined,
    exporterThreadPoolSize: pool ? wholeNumber(SETTINGS.threadPoolSize, pool, 1, 1000) : undefined,
    s3MultipartMinPartSizeBytes: partSize ? wholeNumber(SETTINGS.multipartMinPartSize, partSize, 5_242_880, 5_368_709_120) : undefined,
    refuseExports: command.refuseExports.length > 0 ? command.refuseExports : undefined,
  };
  const endpoint = sourceOf(SETTINGS.s3Endpoint, command, env);
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint.text);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new SettingError(endpoint.label, endpoint.text, SETTINGS.s3Endpoint.expected);
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new SettingError(endpoint.label, endpoint.text, 'an S3 endpoint needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    }
    server.s3Endpoint = { url: url.href, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined, accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    notes.push(`S3 export tasks upload to ${url.origin}`);
  }
  for (const name of IGNORED_SETTINGS) {
    if (env[name] || command.values[name]) notes.push(`${name} is ignored: it tunes the real server's Java runtime or Greengrass v1`);
  }
  return { server, logLevel, notes };
}
