// The Stream Manager component's configuration names work as environment variables and as sm-server options; a
// value that cannot be used stops sm-server at start with a message naming the setting and the value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StreamManagerClient } from '../../lib/client';
import { resolveSettings, SettingError, type CommandLine } from '../../lib/server/settings';

const CLI = path.join(__dirname, '..', '..', 'lib', 'server', 'cli.js');

const command = (values: Record<string, string> = {}, extra: Partial<CommandLine> = {}): CommandLine => ({ values, refuseExports: [], ...extra });

function settingError(attempt: () => unknown): SettingError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected a SettingError' });
}

/** Runs sm-server with the environment; resolves with its exit code and output, or with the port once it listens. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string; port?: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`sm-server neither started nor stopped within 10 s: ${output}`));
    }, 10_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ code: null, output, port: Number(match[1]), stop });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stop });
    });
  });
}

describe('server settings', () => {
  it('reads the component names from the environment, and options win over them', async () => {
    const store = await mkdtemp(path.join(tmpdir(), 'sm-settings-'));
    try {
      const env = {
        STREAM_MANAGER_STORE_ROOT_DIR: store,
        STREAM_MANAGER_SERVER_PORT: '0',
        STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH: '800',
        STREAM_MANAGER_THREAD_POOL_SIZE: '3',
        STREAM_MANAGER_EXPORTER_S3_DESTINATION_MULTIPART_UPLOAD_MIN_PART_SIZE_BYTES: '10485760',
        LOG_LEVEL: 'trace',
      };
      const resolved = resolveSettings(command(), env);
      assert.equal(resolved.server.storeDir, store);
      assert.equal(resolved.server.port, 0);
      assert.equal(resolved.server.exporterMaxBandwidthKbps, 800);
      assert.equal(resolved.server.exporterThreadPoolSize, 3, 'the component page spelling is read too');
      assert.equal(resolved.server.s3MultipartMinPartSizeBytes, 10_485_760);
      assert.equal(resolved.logLevel, 'debug');
      assert.equal(resolved.server.authToken, undefined);
      const overridden = resolveSettings(command({ port: '9999', STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE: '7', 'log-level': 'WARN' }), env);
      assert.equal(overridden.server.port, 9999);
      assert.equal(overridden.server.exporterThreadPoolSize, 7, '--NAME=value beats the environment');
      assert.equal(overridden.logLevel, 'warn');
      assert.equal(resolveSettings(command(), { STREAM_MANAGER_SERVER_PORT: '' , STREAM_MANAGER_STORE_ROOT_DIR: store }).server.port, 8088, 'empty counts as unset');
    } finally {
      await rm(store, { recursive: true, force: true });
    }
  });

  it('names the setting and the value it cannot use', async () => {
    const store = await mkdtemp(path.join(tmpdir(), 'sm-settings-'));
    const base = { STREAM_MANAGER_STORE_ROOT_DIR: store };
    try {
      const cases: [Record<string, string>, RegExp][] = [
        [{ STREAM_MANAGER_SERVER_PORT: '80a' }, /^STREAM_MANAGER_SERVER_PORT is "80a": a port number/],
        [{ STREAM_MANAGER_SERVER_PORT: '70000' }, /STREAM_MANAGER_SERVER_PORT is "70000"/],
        [{ STREAM_MANAGER_AUTHENTICATE_CLIENT: 'yes' }, /STREAM_MANAGER_AUTHENTICATE_CLIENT is "yes": true or false/],
        [{ STREAM_MANAGER_AUTHENTICATE_CLIENT: 'true' }, /true needs a token/],
        [{ STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH: '0' }, /STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH is "0"/],
        [{ STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH: '1.5' }, /kilobits per second/],
        [{ STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE: '-1' }, /STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE is "-1"/],
        [{ STREAM_MANAGER_EXPORTER_S3_DESTINATION_MULTIPART_UPLOAD_MIN_PART_SIZE_BYTES: '1024' }, /is "1024": a whole number of bytes from 5242880/],
        [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL is "loud": one of TRACE, DEBUG, INFO, WARN, ERROR/],
        [{ AWS_ENDPOINT_URL_S3: 'ftp://x' }, /AWS_ENDPOINT_URL_S3 is "ftp:\/\/x"/],
        [{ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' }, /needs credentials/],
        [{ STREAM_MANAGER_STORE_ROOT_DIR: path.join(__filename, 'inside-a-file') }, /STREAM_MANAGER_STORE_ROOT_DIR is ".*inside-a-file": a folder the server can create and write to/],
      ];
      for (const [env, expected] of cases) assert.match(settingError(() => resolveSettings(command(), { ...base, ...env })).message, expected, JSON.stringify(env));
      assert.match(settingError(() => resolveSettings(command({ port: 'x' }), base)).message, /^--port is "x"/);
    } finally {
      await rm(store, { recursive: true, force: true });
    }
  });

  it('authenticates clients as the device does: true needs the token, false lets everyone in', async () => {
    const store = await mkdtemp(path.join(tmpdir(), 'sm-settings-'));
    try {
      const on = resolveSettings(command(), { STREAM_MANAGER_STORE_ROOT_DIR: store, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'secret' });
      assert.equal(on.server.authToken, 'secret', 'a token turns authentication on by default');
      const off = resolveSettings(command(), { STREAM_MANAGER_STORE_ROOT_DIR: store, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'secret', STREAM_MANAGER_AUTHENTICATE_CLIENT: 'FALSE' });
      assert.equal(off.server.authToken, undefined);
    } finally {
      await rm(store, { recursive: true, force: true });
    }
  });

  it('sm-server stops at start with the setting and the value, and exit code 2', async () => {
    const result = await runCli([], { STREAM_MANAGER_SERVER_PORT: '0', STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE: 'many' });
    assert.equal(result.code, 2);
    assert.match(result.output, /sm-server: STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE is "many": a whole number/);
  });

  it('sm-server runs from the environment alone and checks the token it is given', async () => {
    const store = await mkdtemp(path.join(tmpdir(), 'sm-settings-'));
    const running = await runCli([], {
      STREAM_MANAGER_SERVER_PORT: '0',
      STREAM_MANAGER_STORE_ROOT_DIR: store,
      STREAM_MANAGER_AUTHENTICATE_CLIENT: 'true',
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'device-token',
    });
    try {
      assert.ok(running.port, running.output);
      const stranger = new StreamManagerClient({ port: running.port, authToken: 'wrong', connectTimeoutMs: 3000 });
      await assert.rejects(stranger.listStreams(), (error: Error & { code?: string }) => error.code === 'Unauthorized');
      await stranger.close();
      const component = new StreamManagerClient({ port: running.port, authToken: 'device-token' });
      await component.createMessageStream({ name: 'from-env', strategyOnFull: 0 });
      await component.close();
      assert.ok(fs.readdirSync(path.join(store, 'streams')).length === 1, 'the stream is in STREAM_MANAGER_STORE_ROOT_DIR');
    } finally {
      await running.stop();
      await rm(store, { recursive: true, force: true });
    }
  });
});
