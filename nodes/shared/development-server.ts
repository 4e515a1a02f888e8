// The development Stream Manager an sm-config node may run inside the Node-RED process (lib/server's startServer),
// for palette users with no Greengrass core. One per port in the process: a second config node asking for a port
// that another one's server holds gets a clear error instead of a second server.
import * as path from 'node:path';
import type { Logger } from '../../lib/common/logger';
import { errorCodeOf } from '../../lib/protocol/errors';
import { startServer, type RunningServer } from '../../lib/server/server';

export class DevelopmentServerError extends Error {
  readonly code = 'DevelopmentServer';
  constructor(
    message: string,
    readonly port: number,
    readonly portInUse: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevelopmentServerError';
  }
}

/** Ports held by the development servers of this process, and the config node holding each. */
const heldPorts = new Map<number, { id: string; label: string }>();

/** Where a config node keeps its streams: under the Node-RED user directory, one folder per config node. */
export function developmentStoreDir(userDir: string, configId: string): string {
  return path.join(userDir, 'greengrass-stream-manager', `dev-server-${configId.replace(/[^\w-]/g, '_')}`);
}

interface DevelopmentServerOptions {
  host: string;
  port: number;
  storeDir: string;
  /** The config node: its id holds the port, its label names it in the error another config node gets. */
  owner: { id: string; label: string };
  logger: Logger;
}

/** Starts the server; rejects with a DevelopmentServerError saying why it could not. */
export async function startDevelopmentServer(options: DevelopmentServerOptions): Promise<RunningServer> {
  const holder = heldPorts.get(options.port);
  if (holder !== undefined) {
    throw new DevelopmentServerError(
      `port ${options.port} is already used by the development server of config node "${holder.label}"; give this one another port`,
      options.port,
      true,
    );
  }
  heldPorts.set(options.port, options.owner);
  let server: RunningServer;
  try {
    server = await startServer({ host: options.host, port: options.port, storeDir: options.storeDir, logger: options.logger });
  } catch (error) {
    heldPorts.delete(options.port);
    if (errorCodeOf(error) === 'EADDRINUSE') {
      throw new DevelopmentServerError(`port ${options.port} on ${options.host} is already in use by another program; give the development server another port`, options.port, true, { cause: error });
    }
    throw new DevelopmentServerError(`the development server could not start on ${options.host}:${options.port}: ${(error as Error).message}`, options.port, false, { cause: error });
  }
  return {
    ...server,
    close: async () => {
      try {
        await server.close();
      } finally {
        if (heldPorts.get(options.port)?.id === options.owner.id) heldPorts.delete(options.port);
      }
    },
  };
}
