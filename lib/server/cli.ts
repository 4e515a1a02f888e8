#!/usr/bin/env node
// sm-server: runs the local Stream Manager server until SIGINT or SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Logger } from '../client/options';
import { DEFAULT_SERVER_PORT, DEFAULT_STORE_DIR, startServer } from './server';

const USAGE = `Usage: sm-server [options]

A local AWS IoT Greengrass Stream Manager server for development and tests.

Options:
  --port N            TCP port (default: STREAM_MANAGER_SERVER_PORT, else ${DEFAULT_SERVER_PORT}; 0 picks a free one)
  --host ADDRESS      address to listen on (default 127.0.0.1: local processes only)
  --store DIR         folder of the File streams (default ./${DEFAULT_STORE_DIR})
  --auth-token TOKEN  require this token in every Connect (default: none, every local client is accepted)
  --auth-token-file FILE
                      the same, with the token read from the first line of FILE, so that it does not show in
                      the process list
  --export-dir DIR    write what exports would send to the cloud here, as JSON lines
  --log-level LEVEL   error, warn, info (default) or debug
  --help              show this text`;

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
type Level = (typeof LEVELS)[number];

function consoleLogger(level: Level): Logger {
  const enabled = (wanted: Level): boolean => LEVELS.indexOf(wanted) <= LEVELS.indexOf(level);
  const line = (wanted: Level, message: string): void => {
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

function parsePort(text: string | undefined, source: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`${source} must be a port number from 0 to 65535, got "${text}"`);
  return port;
}

function authTokenFrom(token: string | undefined, file: string | undefined): string | undefined {
  if (token !== undefined && file !== undefined) fail('give --auth-token or --auth-token-file, not both');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      fail(`--auth-token-file: cannot read ${file}: ${(error as Error).message}`);
    }
    token = text.split(/\r?\n/, 1)[0].trim();
    if (token === '') fail(`--auth-token-file: the first line of ${file} is empty; it must hold the token`);
  }
  if (token === '') fail('--auth-token must not be empty; leave it out to accept every client');
  return token;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        store: { type: 'string' },
        'auth-token': { type: 'string' },
        'auth-token-file': { type: 'string' },
        'export-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const level = (values['log-level'] ?? 'info') as Level;
  if (!LEVELS.includes(level)) fail(`--log-level must be one of ${LEVELS.join(', ')}, got "${level}"`);
  const logger = consoleLogger(level);
  const port =
    parsePort(values.port, '--port') ?? parsePort(process.env.STREAM_MANAGER_SERVER_PORT, 'STREAM_MANAGER_SERVER_PORT') ?? DEFAULT_SERVER_PORT;
  const authToken = authTokenFrom(values['auth-token'], values['auth-token-file']);

  const server = await startServer({
    port,
    host: values.host,
    storeDir: values.store,
    authToken,
    exportDir: values['export-dir'],
    logger,
  }).catch((error: NodeJS.ErrnoException) => {
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
