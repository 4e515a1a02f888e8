// sm-server as a child process, so that faults are real: SIGKILL, restarts on the same port and store, RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLI = path.join(__dirname, '..', 'lib', 'server', 'cli.js');

export interface ServerChild {
  port: number;
  child: ChildProcess;
  output(): string;
  /** Resident memory of the server process, in MB. */
  rssMb(): number;
  /** Sockets the server process has open: its listener and its connections. */
  socketCount(): number;
}

/** `fdLimit` runs the server under `ulimit -n` (through bash), as on a device with few file handles to spare. */
export async function spawnServer(storeDir: string, options: { port?: number; extraArgs?: string[]; fdLimit?: number } = {}): Promise<ServerChild> {
  const args = [CLI, '--port', String(options.port ?? 0), '--store', storeDir, ...(options.extraArgs ?? [])];
  const child =
    options.fdLimit === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -n ${options.fdLimit} && exec "$0" "$@"`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sm-server did not start within 10 s: ${output}`)), 10_000);
    const check = (): void => {
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sm-server exited with ${code}: ${output}`));
    });
  });
  return {
    port,
    child,
    output: () => output,
    rssMb: () => {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    socketCount: () => {
      const fdFolder = `/proc/${child.pid}/fd`;
      return fs.readdirSync(fdFolder).filter((fd) => {
        try {
          return fs.readlinkSync(path.join(fdFolder, fd)).startsWith('socket:');
        } catch {
          return false; // closed between the listing and the look
        }
      }).length;
    },
  };
}

export function kill(server: ServerChild, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill(signal);
  });
}
