// A real Node-RED with adminAuth in a child process (test-faults/secured-node-red.ts), with the flows given, for the
// sidebar's endpoint tests: log in as one of its users and call the admin API as the editor does.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const SECURED_NODE_RED = path.join(__dirname, '..', '..', 'test-faults', 'secured-node-red.js');

export interface EditorUser {
  username: string;
  password: string;
  permissions: string | string[];
}

export interface SecuredEditor {
  url: string;
  /** The access token the editor gets when this user logs in. */
  login(user: EditorUser): Promise<string>;
  /** A call to the admin API, as the user whose token is given (none: anonymous). */
  call(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; json: unknown; bytes: number }>;
  stop(): Promise<void>;
}

export async function startSecuredEditor(streamManagerPort: number, users: EditorUser[], flows: object[]): Promise<SecuredEditor> {
  const userDir = await mkdtemp(path.join(tmpdir(), 'sm-sidebar-red-'));
  await writeFile(path.join(userDir, 'flows.json'), JSON.stringify(flows));
  const child: ChildProcess = spawn(process.execPath, [SECURED_NODE_RED, userDir, String(streamManagerPort), JSON.stringify(users)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = Date.now();
  while (!/editor (\S+)/.test(output) && child.exitCode === null && Date.now() - started < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const match = /editor (\S+)/.exec(output);
  if (!match) {
    child.kill('SIGKILL');
    throw new Error(`Node-RED did not start:\n${output}`);
  }
  const url = match[1];
  return {
    url,
    async login(user) {
      const response = await fetch(new URL('auth/token', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: [user.permissions].flat().join(' '), username: user.username, password: user.password }),
      });
      if (response.status !== 200) throw new Error(`login of ${user.username}: ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    async call(method, target, token, body) {
      const response = await fetch(new URL(target, url), {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      return { status: response.status, json, bytes: Buffer.byteLength(text) };
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(userDir, { recursive: true, force: true });
    },
  };
}
