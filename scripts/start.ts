// npm start: Node-RED with this package loaded and the getting-started flow deployed, next to a local Stream Manager
// server (unless one already answers on STREAM_MANAGER_SERVER_PORT). Ctrl-C stops both.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { StreamManagerClient } from '../lib/client/client';
import { portFromEnvironment } from '../lib/client/options';
import { startServer, type RunningServer } from '../lib/server/server';

interface NodeRed {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  httpNode: http.RequestListener;
  events: NodeJS.EventEmitter;
}

/** Flows that have not started by then (a node type missing, say) are left to Node-RED's log; the editor opens anyway. */
const FLOWS_START_LIMIT_MS = 60_000;

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'node-red-contrib-greengrass-stream-manager';

export interface StartedEnvironment {
  editorUrl: string;
  streamManagerPort: number;
  embeddedServer: boolean;
  stop(): Promise<void>;
}

/** True when a Stream Manager answers a handshake on the port, even one that refuses our (missing) token. */
async function streamManagerAnswers(port: number): Promise<boolean> {
  const probe = new StreamManagerClient({ port, connectTimeoutMs: 1000 });
  try {
    await probe.connect();
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'Unauthorized';
  } finally {
    await probe.close();
  }
}

/** The user dir: this package linked into its node_modules, and the getting-started flow unless flows exist. */
function prepareUserDir(userDir: string): void {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', PACKAGE_NAME);
  if (!fs.existsSync(link)) fs.symlinkSync(ROOT, link, 'dir');
  const flows = path.join(userDir, 'flows.json');
  if (!fs.existsSync(flows)) fs.copyFileSync(path.join(ROOT, 'examples', 'getting-started.json'), flows);
}

export async function startEnvironment(options: {
  userDir: string;
  editorPort: number;
  streamManagerPort: number;
  log?: (line: string) => void;
  /** Node-RED logs warnings only. */
  quiet?: boolean;
  /** Node-RED settings that replace the defaults below (adminAuth, logging, ...). */
  settings?: Record<string, unknown>;
}): Promise<StartedEnvironment> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  prepareUserDir(options.userDir);

  let embedded: RunningServer | undefined;
  if (options.streamManagerPort !== 0 && (await streamManagerAnswers(options.streamManagerPort))) {
    log(`Using the Stream Manager that already answers on 127.0.0.1:${options.streamManagerPort}`);
  } else {
    embedded = await startServer({ port: options.streamManagerPort, storeDir: path.join(options.userDir, 'sm-store') });
    log(`Started the local Stream Manager server on 127.0.0.1:${embedded.port}, store ${embedded.storeDir}`);
  }
  const streamManagerPort = embedded?.port ?? options.streamManagerPort;
  // The config nodes of the example flows leave the port blank: they read it from here.
  process.env.STREAM_MANAGER_SERVER_PORT = String(streamManagerPort);

  // NODE_RED_PATH runs another Node-RED installation (CI tests on Node-RED 5 as well).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require(process.env.NODE_RED_PATH ?? 'node-red') as NodeRed;
  const server = http.createServer();
  RED.init(server, {
    userDir: options.userDir,
    flowFile: 'flows.json',
    uiHost: '127.0.0.1',
    uiPort: options.editorPort,
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    credentialSecret: false,
    // No palette catalogue: the editor would fetch it from the internet at every start.
    editorTheme: { tours: false, palette: { catalogues: [] } },
    // No consent dialog and no calls home: the editor runs on loopback next to a local server.
    telemetry: { enabled: false, updateNotification: false },
    // A persistent context store, so that sm in nodes set to resume go on where they left off after a restart.
    contextStorage: { default: { module: 'localfilesystem' } },
    logging: { console: { level: options.quiet ? 'warn' : 'info', metrics: false, audit: false } },
    ...options.settings,
  });
  server.on('request', RED.httpAdmin);
  // Listen only once the nodes are loaded and the flows run: a browser that comes early would get errors.
  let timer: NodeJS.Timeout | undefined;
  let onStarted: (() => void) | undefined;
  const flowsStarted = new Promise<void>((resolve) => {
    onStarted = resolve;
    RED.events.once('flows:started', onStarted);
    timer = setTimeout(() => {
      log(`The flows did not start within ${FLOWS_START_LIMIT_MS / 1000} s (see Node-RED's log); opening the editor anyway`);
      resolve();
    }, FLOWS_START_LIMIT_MS);
  });
  await RED.start();
  await flowsStarted;
  clearTimeout(timer);
  if (onStarted) RED.events.off('flows:started', onStarted);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.editorPort, '127.0.0.1', () => resolve());
  });
  const editorPort = (server.address() as { port: number }).port;
  return {
    editorUrl: `http://127.0.0.1:${editorPort}/`,
    streamManagerPort,
    embeddedServer: embedded !== undefined,
    async stop() {
      await RED.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await embedded?.close();
    },
  };
}

async function main(): Promise<void> {
  const userDir = process.env.NODE_RED_USER_DIR ? path.resolve(process.env.NODE_RED_USER_DIR) : path.join(ROOT, '.node-red');
  const editorPort = process.env.PORT ? Number(process.env.PORT) : 1880;
  if (!Number.isInteger(editorPort) || editorPort < 0 || editorPort > 65535) {
    process.stderr.write(`PORT must be a port number, got "${process.env.PORT}"\n`);
    process.exit(2);
  }
  const environment = await startEnvironment({
    userDir,
    editorPort,
    streamManagerPort: portFromEnvironment(),
  });
  process.stdout.write(`\nNode-RED editor: ${environment.editorUrl}  (Ctrl-C stops Node-RED and the local Stream Manager)\n\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    environment.stop().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`could not stop cleanly: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`npm start failed: ${error.message}\n`);
    process.exit(1);
  });
}
