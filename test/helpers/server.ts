// The real local server for tests: a fresh temporary store, a free loopback port, and stop/restart on the same
// port and store to test what survives a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startServer, type ServerOptions } from '../../lib/server';

export interface TestServer {
  port: number;
  storeDir: string;
  /** Stops the server (closing every connection) but keeps the store. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops it and removes the store. */
  close(): Promise<void>;
}

export async function startTestServer(options: Omit<ServerOptions, 'storeDir'> = {}): Promise<TestServer> {
  const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-test-store-'));
  let running: { port: number; close(): Promise<void> } | undefined = await startServer({ port: 0, ...options, storeDir });
  const port = running.port;
  const stop = async (): Promise<void> => {
    const current = running;
    running = undefined;
    await current?.close();
  };
  return {
    port,
    storeDir,
    stop,
    async restart() {
      await stop();
      running = await startServer({ ...options, port, storeDir });
    },
    async close() {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
