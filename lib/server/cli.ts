#!/usr/bin/env node
// sm-server: runs the local Stream Manager server until SIGINT or SIGTERM. Argument parsing only; what each setting
// means, and which environment variables stand in for it, is in settings.ts.
import { parseArgs } from 'node:util';
import type { Logger } from '../common/logger';
import { DEFAULT_SERVER_PORT, DEFAULT_STORE_DIR, startServer } from './server';
import { IGNORED_SETTINGS, resolveSettings, SETTINGS, SettingError, type LogLevel } from './settings';

const USAGE = `Usage: sm-server [options]

A local AWS IoT Greengrass Stream Manager server for development and tests. Each setting can also be given by
the Stream Manager component's configuration name, as an environment variable or as --NAME=value.

Options:
  --port N            TCP port (STREAM_MANAGER_SERVER_PORT; default ${DEFAULT_SERVER_PORT}; 0 picks a free one)
  --host ADDRESS      address to listen on (default 127.0.0.1: local processes only)
  --store DIR         folder of the streams (STREAM_MANAGER_STORE_ROOT_DIR; default ./${DEFAULT_STORE_DIR})
  --authenticate-client true|false
                      require the token in every Connect (STREAM_MANAGER_AUTHENTICATE_CLIENT; default true when
                      a token is given, false otherwise)
  --auth-token TOKEN  the token clients must present (AWS_CONTAINER_AUTHORIZATION_TOKEN)
  --auth-token-file FILE
                      the same, read from the first line of FILE, so that it does not show in the process list
  --export-dir DIR    where exports leave what they send (default <store>/exports): requests/ for Kinesis,
                      IoT Analytics and IoT SiteWise, s3/<bucket>/<key> for S3 export tasks
  --s3-endpoint URL   upload S3 export tasks to this S3-compatible server (AWS_ENDPOINT_URL_S3), with
                      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION from the environment
  --s3-multipart-min-part-size BYTES
                      part size of multipart uploads
                      (STREAM_MANAGER_EXPORTER_S3_DESTINATION_MULTIPART_UPLOAD_MIN_PART_SIZE_BYTES; default 5242880)
  --exporter-max-bandwidth KBPS
                      average kilobits per second for all exports (STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH;
                      default unlimited)
  --exporter-thread-pool-size N
                      export batches under way at once (STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE; default 5)
  --refuse-export ID  make the export with this identifier, or every export of this kind (kinesis,
                      iotAnalytics, IotSitewise, http, s3TaskExecutor), fail; repeatable
  --log-level LEVEL   TRACE, DEBUG, INFO (default), WARN or ERROR (LOG_LEVEL)
  --help              show this text`;

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];

function consoleLogger(level: LogLevel): Logger {
  const enabled = (wanted: LogLevel): boolean => LEVELS.indexOf(wanted) <= LEVELS.indexOf(level);
  const line = (wanted: LogLevel, message: string): void => {
    if (!enabled(wanted)) return;
    const text = `${new Date().toISOString()} [sm-server] ${wanted}: ${message}\n`;
    (wanted === 'error' || wanted === 'warn' ? process.stderr : process.stdout).write(text);
  };
  return {
    error: (message) => line('error', message),
    warn: (message) => line('warn', message),
    info: (message) => line('info', message),
    debug: (message) => line('debug', message),
  };
}

function fail(message: string): never {
  process.stderr.write(`sm-server: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const componentNames = [...Object.values(SETTINGS).map((setting) => setting.name), ...IGNORED_SETTINGS];

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        ...Object.fromEntries(Object.values(SETTINGS).map((setting) => [setting.option, { type: 'string' as const }])),
        ...Object.fromEntries(componentNames.map((name) => [name, { type: 'string' as const }])),
        host: { type: 'string' },
        'auth-token-file': { type: 'string' },
        'export-dir': { type: 'string' },
        'refuse-export': { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  let settings;
  try {
    settings = resolveSettings(
      {
        values: Object.fromEntries(Object.keys(values).map((name) => [name, text(name)])),
        host: text('host'),
        authTokenFile: text('auth-token-file'),
        exportDir: text('export-dir'),
        refuseExports: (values['refuse-export'] as string[] | undefined) ?? [],
      },
      process.env,
    );
  } catch (error) {
    if (error instanceof SettingError) fail(error.message);
    throw error;
  }
  const logger = consoleLogger(settings.logLevel);
  for (const note of settings.notes) logger.info(note);

  const server = await startServer({ ...settings.server, logger }).catch((error: NodeJS.ErrnoException) => {
    const hint = error.code === 'EADDRINUSE' ? ' (is another Stream Manager already running? choose another --port)' : '';
    logger.error(`cannot start: ${error.message}${hint}`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: closing every connection and file`);
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`could not close cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
