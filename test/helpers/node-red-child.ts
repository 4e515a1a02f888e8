// Starts node-red-process.js (Node-RED as `npm start` runs it, with every core node) in a child process, waits for
// its editor, deploys flows through the admin API as the editor does, and stops it as Ctrl-C does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const NODE_RED_PROCESS = path.join(__dirname, 'node-red-process.js');
/** Node-RED starts in a few seconds; on a loaded machine in well under this. */
const READY_TIMEOUT_MS = 60_000;
/** How long Ctrl-C may take before the process is killed. */
const STOP_TIMEOUT_MS = 20_000;

export interface NodeRedChild {
  /** The editor's URL, ending in `/`; HTTP endpoints of flows are under `<editorUrl>api/`. */
  editorUrl: string;
  /** A full deploy of these flows. */
  deploy(flows: object[]): Promise<void>;
  /** Stops it as Ctrl-C does and removes its user dir. */
  stop(): Promise<void>;
}

export interface NodeRedChildOptions {
  /** The editor's port, given to the child as PORT (flows read it with env.get); left out: any free one. */
  editorPort?: number;
}

export async function startNodeRedChild(streamManagerPort: number, options: NodeRedChildOptions = {}): Promise<NodeRedChild> {
  const userDir = await mkdtemp(path.join(tmpdir(), 'sm-node-red-'));
  const child = spawn(process.execPath, [NODE_RED_PROCESS, 'start'], {
    env: { ...process.env, NODE_RED_USER_DIR: userDir, STREAM_MANAGER_SERVER_PORT: String(streamManagerPort), PORT: options.editorPort === undefined ? '' : String(options.editorPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const editorUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Node-RED was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\S+)\n/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    editorUrl,
    deploy: async (flows) => {
      const deployed = await fetch(`${editorUrl}flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flows),
      });
      assert.equal(deployed.status, 204, `the flows were deployed: ${await deployed.text()}`);
    },
    stop: async () => {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
      await rm(userDir, { recursive: true, force: true });
    },
  };
}
