// The local server in a child process of its own, so that benchmarks do not share an event loop with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const CLI = path.join(__dirname, '..', 'lib', 'server', 'cli.js');

/** @param cli the sm-server script to run: this build's by default. */
export async function startServerProcess(cli = CLI): Promise<ServerProcess> {
  const storeDir = mkdtempSync(path.join(tmpdir(), 'sm-bench-'));
  const child = spawn(process.execPath, [cli, '--port', '0', '--store', storeDir, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`sm-server exited with ${code}`)));
    setTimeout(() => reject(new Error(`sm-server did not say where it listens within 10 s: ${output}`)), 10_000).unref();
  });
  return {
    port,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(storeDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
