// npm start: the editor answers only once the nodes are loaded and the getting-started flow runs, and the URL it
// prints is where it answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../helpers/free-port';

const START_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'start.js');

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  it('listens only once the nodes are loaded and the example flow is deployed, and prints the editor URL', { timeout: 60_000 }, async () => {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-npm-start-'));
    const [editorPort, streamManagerPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [START_SCRIPT], {
      env: { ...process.env, PORT: String(editorPort), NODE_RED_USER_DIR: userDir, STREAM_MANAGER_SERVER_PORT: String(streamManagerPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // The first moment the port takes a connection, everything must already be there.
      let open = false;
      for (let attempt = 0; attempt < 1500 && !open; attempt++) {
        open = await accepts(editorPort);
        if (!open) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(open, `the editor port opened: ${output}`);
      const nodes = (await (await fetch(`http://127.0.0.1:${editorPort}/nodes`, { headers: { accept: 'application/json' } })).json()) as { types: string[] }[];
      assert.ok(nodes.some((set) => set.types.includes('sm out')), 'our nodes are loaded at the first answer');
      const flows = (await (await fetch(`http://127.0.0.1:${editorPort}/flows`, { headers: { accept: 'application/json' } })).json()) as { id: string }[];
      assert.ok(flows.some((node) => node.id === 'gs-tab'), 'the getting-started flow is deployed at the first answer');
      assert.match(output, new RegExp(`Node-RED editor: http://127\\.0\\.0\\.1:${editorPort}/`));
      const urlAt = output.indexOf('Node-RED editor:');
      assert.ok(urlAt >= 0 && !/Started flows|Starting flows/.test(output.slice(urlAt)), 'the URL comes after the flows started');
    } finally {
      child.kill('SIGINT');
      await exited;
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });
});
