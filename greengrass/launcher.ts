#!/usr/bin/env node
// The component's lifecycle steps on a Greengrass core device (see greengrass/recipe.yaml):
//   check  Install: Node.js and Node-RED load from the artifacts; the configuration is valid. No network.
//   run    Run: delivers the configured flows to the user folder, then runs Node-RED in this process until SIGTERM.
//   stop   Shutdown: asks a running `run` to stop its flows and waits for it, before the nucleus signals it.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import { bindAddress, ComponentConfigurationError, ENV, readComponentConfiguration, type ComponentConfiguration } from './component-configuration';
import { credentialSecret, deliverFlows, FLOWS_FILE, writeFileAtomically } from './flow-delivery';
import { deviceSettings } from './node-red-settings';

const PID_FILE = 'launcher.pid';
const STOP_WAIT_MS = 20_000;
const MINIMUM_NODE_MAJOR = 18;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface EmbeddedNodeRed {
  init(server: Server, settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  version(): string;
  httpAdmin: Handler;
  httpNode: Handler;
}

type ExpressApp = Handler & { use(root: string, handler: Handler): void };

function log(message: string): void {
  process.stdout.write(`[node-red-greengrass] ${message}\n`);
}

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`[node-red-greengrass] ${message}\n`);
  process.exit(1);
}

function nodeRedFolder(): string {
  return path.dirname(require.resolve('node-red/package.json'));
}

function loadNodeRed(): { red: EmbeddedNodeRed; express: () => ExpressApp } {
  const folder = nodeRedFolder();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const red = require(folder) as EmbeddedNodeRed;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require(require.resolve('express', { paths: [folder] })) as () => ExpressApp;
  return { red, express };
}

function check(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MINIMUM_NODE_MAJOR) fail(`Node.js ${process.versions.node} is too old: Node-RED needs ${MINIMUM_NODE_MAJOR} or later`);
  const { red } = loadNodeRed();
  readComponentConfiguration();
  log(`Node.js ${process.versions.node} (${process.arch}), Node-RED ${red.version()}: ready`);
}

/** Configuration that flows must not read through env.get: the credentials and the editor's password hashes. */
function forgetPrivateVariables(): void {
  delete process.env[ENV.credentials];
  delete process.env[ENV.editor];
}

/** STREAM_MANAGER_SERVER_PORT as the nucleus resolved it; a placeholder it could not resolve means the default. */
function settleStreamManagerPort(): void {
  const port = process.env.STREAM_MANAGER_SERVER_PORT;
  if (port !== undefined && !/^\d{1,5}$/.test(port.trim())) {
    log('STREAM_MANAGER_SERVER_PORT is not a port number: the Stream Manager nodes use 8088');
    delete process.env.STREAM_MANAGER_SERVER_PORT;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function run(): Promise<void> {
  const configuration: ComponentConfiguration = readComponentConfiguration();
  forgetPrivateVariables();
  settleStreamManagerPort();
  mkdirSync(configuration.userDir, { recursive: true, mode: 0o700 }); // inside {work:path}, which the nucleus makes
  const secret = credentialSecret(configuration.userDir);
  const flows = configuration.flows ?? readDefaultFlows(configuration.defaultFlowsFile);
  const delivered = deliverFlows(configuration.userDir, { flows, credentials: configuration.credentials }, secret);
  log(delivered ? `flows delivered: ${flows.length} nodes` : 'flows unchanged since the last delivery: keeping the ones on the device');

  const address = bindAddress(configuration.editor);
  if (address.refused) log(address.refused);
  const settings = deviceSettings(configuration, { host: address.host, port: configuration.editor.port }, secret, FLOWS_FILE);

  const { red, express } = loadNodeRed();
  const app = express();
  const server = createServer(app);
  red.init(server, settings);
  if (settings.httpAdminRoot !== false) app.use(settings.httpAdminRoot, red.httpAdmin);
  app.use(settings.httpNodeRoot, red.httpNode);

  const pidFile = path.join(configuration.userDir, PID_FILE);
  let stopping: Promise<void> | undefined;
  const stop = (reason: string, code: number): Promise<void> =>
    (stopping ??= (async () => {
      log(`${reason}: stopping the flows`);
      setTimeout(() => process.exit(code || 1), STOP_WAIT_MS - 2_000).unref();
      await red.stop().catch((error: Error) => log(`stopping Node-RED failed: ${error.message}`));
      server.closeAllConnections?.();
      server.close();
      rmSync(pidFile, { force: true });
      process.exit(code);
    })());
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));

  await red.start();
  try {
    await listen(server, configuration.editor.port, address.host);
  } catch (error) {
    await stop(`cannot listen on ${address.host}:${configuration.editor.port} (${(error as Error).message})`, 1);
  }
  writeFileAtomically(pidFile, `${process.pid}\n`, 0o644);
  log(`Node-RED listening on http://${address.host}:${configuration.editor.port}/${configuration.editor.enabled ? '' : ' (editor off)'}`);
}

function readDefaultFlows(file: string): unknown[] {
  let flows: unknown;
  try {
    flows = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new ComponentConfigurationError('packaged flows file', `${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(flows)) throw new ComponentConfigurationError('packaged flows file', `${file} must hold an array of nodes`);
  return flows;
}

function isLauncherRun(pid: number): boolean {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine.some((part) => part.endsWith('launcher.js')) && commandLine.includes('run');
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopRunning(): Promise<void> {
  const userDir = process.env[ENV.userDir];
  if (!userDir) return;
  const pidFile = path.join(userDir, PID_FILE);
  if (!existsSync(pidFile)) return log('stop: Node-RED is not running');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isLauncherRun(pid)) {
    rmSync(pidFile, { force: true });
    return log('stop: Node-RED is not running');
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_WAIT_MS;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  log(isAlive(pid) ? `stop: Node-RED (pid ${pid}) still runs after ${STOP_WAIT_MS / 1000} s` : 'stop: Node-RED stopped');
}

const command = process.argv[2];
const steps: Record<string, () => void | Promise<void>> = { check, run, stop: stopRunning };
const step = command ? steps[command] : undefined;
if (!step) fail(`usage: launcher.js check|run|stop (got ${command ?? 'nothing'})`);
Promise.resolve()
  .then(step)
  .catch(fail);
