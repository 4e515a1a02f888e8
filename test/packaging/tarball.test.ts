// The package as users get it: `npm pack`, installed from the tarball into a fresh folder that then serves as the user
// directory of a stock Node-RED (the node-red dev dependency, or NODE_RED_PATH's) run as a child process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/free-port';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..', '..');
const PACKAGE = 'node-red-contrib-greengrass-stream-manager';
const EXAMPLES = path.join(ROOT, 'examples');
const NODE_RED_DIR = path.dirname(require.resolve(path.join(process.env.NODE_RED_PATH ?? 'node-red', 'package.json')));

/** What the tarball may hold: what users run, and nothing else (no tests, bench, scripts, sources or source maps). */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^dist\/lib\/[\w/-]+\.(js|d\.ts)$/,
  /^dist\/nodes\/[\w-]+\.(js|html)$/,
  /^dist\/nodes\/shared\/[\w-]+\.js$/,
  /^dist\/nodes\/locales\/(en-US|de|ja|zh-CN)\/[\w-]+\.(json|html)$/,
  /^dist\/nodes\/icons\/[\w-]+\.(svg|png)$/,
  /^dist\/plugins\/[\w/-]+\.(js|html)$/,
  /^dist\/plugins\/locales\/(en-US|de|ja|zh-CN)\/[\w-]+\.json$/,
  /^examples\/[\w-]+\.json$/,
  /^resources\/[\w/.-]+\.(js|css|html|json|svg|png)$/,
  /^plugins\/[\w/.-]+\.(js|html|json|css)$/,
  /^dist\/greengrass\/[\w-]+\.js$/,
  /^greengrass\/(recipe\.yaml|flows\.json)$/,
];
/** What it must hold, whatever else changes. */
const REQUIRED = [
  'dist/lib/client/index.js',
  'dist/lib/client/index.d.ts',
  'dist/lib/server/index.js',
  'dist/lib/server/index.d.ts',
  'dist/lib/server/cli.js',
  ...['sm-config', 'sm-out', 'sm-in', 'sm-admin'].flatMap((node) => [
    `dist/nodes/${node}.js`,
    `dist/nodes/${node}.html`,
    ...['en-US', 'de', 'ja', 'zh-CN'].flatMap((language) => [`dist/nodes/locales/${language}/${node}.json`, `dist/nodes/locales/${language}/${node}.html`]),
  ]),
  'dist/greengrass/launcher.js',
  'examples/getting-started.json',
  'greengrass/recipe.yaml',
  'README.md',
  'LICENSE',
];

interface Packed {
  filename: string;
  files: { path: string }[];
}

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Node runs `code` from `cwd`, so that require() resolves the package as the installed one, not this checkout. */
async function nodeIn(cwd: string, code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['-e', code], { cwd, timeout: 20_000 });
  return stdout.trim();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  let last: unknown;
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} within ${timeoutMs} ms (last: ${String(last)})`);
}

describe('the package as users install it', () => {
  let workDir: string;
  let tarball: string;
  let packed: Packed;
  let userDir: string;
  let installOutput: string;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-tarball-'));
    // npm test has just built dist/; --ignore-scripts skips prepack's second build.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], { cwd: ROOT, timeout: 60_000 });
    [packed] = JSON.parse(stdout) as Packed[];
    tarball = path.join(workDir, packed.filename);
    userDir = path.join(workDir, 'node-red-user-dir');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    // The tarball's dependencies (cbor-x, aws4) come from npm's cache where it can answer, else from the registry as for
    // a user: npm ci caches their tarballs, but npm 11.19 asks for their full metadata, which only an install caches.
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: userDir, timeout: 120_000 });
    installOutput = installed.stdout + installed.stderr;
  });
  after(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('holds only what users run, and everything they need', () => {
    const files = packed.files.map((file) => file.path).sort();
    const unexpected = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)));
    assert.deepEqual(unexpected, [], 'files outside the allow-list');
    const missing = REQUIRED.filter((file) => !files.includes(file));
    assert.deepEqual(missing, [], 'files users need');
    assert.ok(!files.some((file) => /\.map$|\/test\/|^dist\/(test|bench|scripts)|\.ts$/.test(file.replace(/\.d\.ts$/, '.js'))), 'no tests, benchmarks, scripts, sources or source maps');
  });

  it('installs without a warning about its own scripts', () => {
    assert.doesNotMatch(installOutput, new RegExp(`${PACKAGE}@[^ ]+ \\(`), installOutput);
    assert.doesNotMatch(installOutput, /prepare/, installOutput);
  });

  it('gives the client API from require(package), ./client, ./server and ./package.json', async () => {
    const answer = await nodeIn(
      userDir,
      `const root = require('${PACKAGE}');
       const client = require('${PACKAGE}/client');
       const server = require('${PACKAGE}/server');
       const manifest = require('${PACKAGE}/package.json');
       console.log(JSON.stringify([typeof root.StreamManagerClient, root.StreamManagerClient === client.StreamManagerClient, typeof server.startServer, manifest.name]));`,
    );
    assert.deepEqual(JSON.parse(answer), ['function', true, 'function', PACKAGE]);
  });

  it('runs sm-server from the installed bin and as README says: npx -p <package> sm-server', { timeout: 60_000 }, async () => {
    const bin = path.join(userDir, 'node_modules', '.bin', 'sm-server');
    fs.accessSync(bin, fs.constants.X_OK);
    assert.match(fs.readFileSync(bin, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env node$/);
    const ways: [string, string[]][] = [
      [bin, []],
      // `npx -p X sm-server` is `npm exec --package=X -- sm-server`; the tarball stands in for the registry's X.
      ['npm', ['exec', '--prefer-offline', '--yes', `--package=${tarball}`, '--', 'sm-server']],
    ];
    for (const [command, args] of ways) {
      const store = fs.mkdtempSync(path.join(workDir, 'store-'));
      // A process group of its own: npm exec does not pass a signal on to the sm-server it runs, a terminal's Ctrl-C
      // reaches both through their group, and so does the kill below.
      const child = spawn(command, [...args, '--port', '0', '--store', store], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await waitFor(`${command} ${args.join(' ')} sm-server listening`, async () => (/listening on 127\.0\.0\.1:\d+/.test(output) ? true : undefined), 45_000);
        const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
        const listed = await nodeIn(
          userDir,
          `const { StreamManagerClient } = require('${PACKAGE}');
           const client = new StreamManagerClient({ port: ${port} });
           client.createMessageStream({ name: 'from-bin', strategyOnFull: 1 }).then(() => client.listStreams()).then((names) => { console.log(JSON.stringify(names)); return client.close(); });`,
        );
        assert.deepEqual(JSON.parse(listed), ['from-bin']);
      } finally {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
        await exited;
      }
    }
  });

  describe('first run in a fresh Node-RED user directory', () => {
    let nodeRed: ChildProcess | undefined;
    let editor: string;
    let output = '';
    let devServerPort: number;

    before(async () => {
      const editorPort = await freePort();
      devServerPort = await freePort();
      editor = `http://127.0.0.1:${editorPort}`;
      // The example flows leave the port blank: they reach the config node's development server through this variable.
      nodeRed = spawn(process.execPath, [path.join(NODE_RED_DIR, 'red.js'), '--userDir', userDir, '--port', String(editorPort)], {
        env: { ...process.env, STREAM_MANAGER_SERVER_PORT: String(devServerPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      nodeRed.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      nodeRed.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor('Node-RED answering', async () => ((await fetch(`${editor}/settings`)).ok ? true : undefined), 60_000);
    });
    after(async () => {
      if (!nodeRed) return;
      const exited = new Promise<void>((resolve) => nodeRed?.once('exit', () => resolve()));
      nodeRed.kill('SIGINT');
      await exited;
    });

    const getJson = async <T>(route: string): Promise<T> => {
      const response = await fetch(`${editor}${route}`, { headers: { accept: 'application/json' } });
      assert.ok(response.ok, `GET ${route}: ${response.status}`);
      return (await response.json()) as T;
    };
    const deploy = async (flows: FlowNode[]): Promise<void> => {
      const response = await fetch(`${editor}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' }, body: JSON.stringify(flows) });
      assert.ok(response.ok, `deploy: ${response.status} ${await response.text()}`);
    };

    it('loads the nodes', async () => {
      const sets = await getJson<{ module: string; types: string[]; enabled: boolean; loaded?: boolean; err?: string }[]>('/nodes');
      const ours = sets.filter((set) => set.module === PACKAGE);
      assert.deepEqual(ours.flatMap((set) => set.types).sort(), ['sm admin', 'sm in', 'sm out', 'sm-config'], output);
      for (const set of ours) assert.ok(set.enabled && set.err === undefined, JSON.stringify(set));
    });

    it('appends and reads back through the development server of the config node', { timeout: 30_000 }, async () => {
      await deploy([
        { id: 'fr-tab', type: 'tab', label: 'first run' },
        { id: 'fr-config', type: 'sm-config', host: '127.0.0.1', port: String(devServerPort), devServer: true },
        { id: 'fr-http', type: 'http in', z: 'fr-tab', url: '/first-run', method: 'post', wires: [['fr-out']] },
        { id: 'fr-out', type: 'sm out', z: 'fr-tab', server: 'fr-config', stream: 'first-run', createStream: true, persistence: 'File', wires: [['fr-in']] },
        { id: 'fr-in', type: 'sm in', z: 'fr-tab', server: 'fr-config', stream: 'first-run', mode: 'input', format: 'utf8', wires: [['fr-response']] },
        { id: 'fr-response', type: 'http response', z: 'fr-tab', wires: [] },
      ]);
      const answer = await waitFor('the flow appending and reading back', async () => {
        const response = await fetch(`${editor}/first-run`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello from a fresh user dir' });
        return response.ok ? response.text() : undefined;
      });
      assert.equal(answer, 'hello from a fresh user dir');
      const store = path.join(userDir, 'greengrass-stream-manager', 'dev-server-fr-config');
      assert.ok(fs.existsSync(store), `the development server keeps its store in the user dir: ${store}`);
    });

    it('shows a status reason in the editor\'s words, from the installed catalogs', { timeout: 30_000 }, async () => {
      const closedPort = await freePort();
      await deploy([
        { id: 'rs-tab', type: 'tab', label: 'status reason' },
        { id: 'rs-down', type: 'sm-config', host: '127.0.0.1', port: String(closedPort) },
        { id: 'rs-out', type: 'sm out', z: 'rs-tab', server: 'rs-down', stream: 'nowhere', wires: [] },
        // Statuses go to the editor over its WebSocket; a status node gives them to the flow, which serves the last one.
        { id: 'rs-status', type: 'status', z: 'rs-tab', scope: ['rs-out'], wires: [['rs-keep']] },
        { id: 'rs-keep', type: 'change', z: 'rs-tab', rules: [{ t: 'set', p: 'lastStatus', pt: 'global', to: 'status.text', tot: 'msg' }], wires: [[]] },
        { id: 'rs-ask', type: 'http in', z: 'rs-tab', url: '/last-status', method: 'get', wires: [['rs-answer']] },
        { id: 'rs-answer', type: 'change', z: 'rs-tab', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'lastStatus', tot: 'global' }], wires: [['rs-reply']] },
        { id: 'rs-reply', type: 'http response', z: 'rs-tab', wires: [] },
      ]);
      const expected = `disconnected: connection refused 127.0.0.1:${closedPort}`;
      let text = '';
      for (const start = Date.now(); text !== expected && Date.now() - start < 15_000; ) {
        text = await (await fetch(`${editor}/last-status`)).text();
        if (text !== expected) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(text, expected, output.slice(-3000));
    });

    it('imports every example with one config node, and they run on it', { timeout: 30_000 }, async () => {
      // The editor's import keeps a config node whose id is already there: the union of the examples, as it deploys it.
      const imported = new Map<string, FlowNode>();
      const files = fs.readdirSync(EXAMPLES).filter((file) => file.endsWith('.json'));
      for (const file of files) {
        for (const node of JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[]) if (!imported.has(node.id)) imported.set(node.id, node);
      }
      const devServer = { id: 'fr-config', type: 'sm-config', host: '127.0.0.1', port: String(devServerPort), devServer: true };
      await deploy([devServer, ...imported.values()]);
      const flows = await getJson<FlowNode[]>('/flows');
      const configs = flows.filter((node) => node.type === 'sm-config').map((node) => node.id);
      assert.equal(configs.length, 2, `the development server and one config node for all ${files.length} examples: ${configs.join(', ')}`);
      // getting-started appends a reading every 5 s to the development server through the examples' config node.
      const client = await nodeIn(
        userDir,
        `const { StreamManagerClient } = require('${PACKAGE}');
         const client = new StreamManagerClient({ port: ${devServerPort} });
         const poll = (left) => client.describeMessageStream('getting-started').then(
           (info) => Number(info.storageStatus.newestSequenceNumber) >= 0 ? 'stored' : Promise.reject(new Error('empty')),
         ).catch((error) => left > 0 ? new Promise((resolve) => setTimeout(resolve, 200)).then(() => poll(left - 1)) : 'not stored: ' + error.message);
         poll(75).then((result) => { console.log(result); return client.close(); });`,
      );
      assert.equal(client, 'stored', output.slice(-2000));
    });
  });
});
