// sm-config: the connection settings and the one client shared by every flow node that names this config; optionally
// a development Stream Manager run inside the Node-RED process for it to talk to.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Node, NodeAPI } from 'node-red';
import { StreamManagerClient } from '../lib/client/client';
import { DEFAULT_HOST, portFromEnvironment, type Logger } from '../lib/client/options';
import type { RunningServer } from '../lib/server/server';
import type { ConnectionStatus, SmConfigNode } from './shared/config-contract';
import { connectionNodeStatus } from './shared/connection-status';
import { registerAdminEndpoints } from './shared/admin-endpoints';
import { clientOptionsFrom, optionalNumber, type SmConfigCredentials, type SmConfigProperties } from './shared/config-options';
import { DevelopmentServerError, developmentStoreDir, startDevelopmentServer } from './shared/development-server';
import { connectionLossReason, type FailureReason } from './shared/failure-reason';

interface ConfigUser {
  node: Node;
  onStatus?: (status: ConnectionStatus) => void;
}

/** Node-RED gives a node 15 s to close; the development server must be gone well before. */
const SERVER_CLOSE_LIMIT_MS = 10_000;

export = (RED: NodeAPI): void => {
  function SmConfig(this: SmConfigNode & { credentials?: SmConfigCredentials }, config: SmConfigProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const users = new Map<string, ConfigUser>();
    const reasonText = (reason: FailureReason): string => RED._(`sm-config.reason.${reason.key}`, reason.values);
    const host = config.host?.trim() || DEFAULT_HOST;
    const port = optionalNumber(config.port) ?? portFromEnvironment();
    const text = (key: string, reason?: string): string =>
      key === 'connected' && config.devServer
        ? RED._('sm-config.status.connectedDevServer', { port })
        : RED._(`sm-config.status.${key}`, { reason: reason ?? '' });
    let client: StreamManagerClient | undefined;
    let status: ConnectionStatus = { state: 'disconnected', reason: text('notConnected') };
    let detach: (() => void) | undefined;

    const publish = (next: ConnectionStatus): void => {
      status = next;
      for (const user of users.values()) {
        try {
          if (user.onStatus) user.onStatus(next);
          else user.node.status(connectionNodeStatus(next, text));
        } catch (error) {
          node.warn(`status update of node ${user.node.id} failed: ${(error as Error).message}`);
        }
      }
    };

    const logger: Logger = { debug: () => undefined, info: (message) => node.log(message), warn: (message) => node.warn(message), error: (message) => node.warn(message) };
    // The development server starts with the config node, so it is there for every flow node and for other programs.
    let devServer: Promise<RunningServer> | undefined;
    let devServerFailure: FailureReason | undefined;
    if (config.devServer) {
      const userDir = RED.settings.userDir ?? path.join(os.homedir(), '.node-red');
      devServer = startDevelopmentServer({
        host,
        port,
        storeDir: developmentStoreDir(userDir, node.id),
        owner: { id: node.id, label: node.name || node.id },
        logger: { ...logger, info: (message) => node.log(`development server (not for production): ${message}`) },
      });
      devServer.catch((error: DevelopmentServerError) => {
        devServerFailure = { key: error.portInUse ? 'portInUse' : 'devServerFailed', values: { port } };
        node.error(error.message);
        publish({ state: 'disconnected', reason: reasonText(devServerFailure) });
      });
    }

    const openClient = (): StreamManagerClient => {
      const created = new StreamManagerClient({ ...clientOptionsFrom(config, node.credentials), logger });
      const onConnecting = () => publish({ state: 'connecting' });
      const onConnected = () => publish({ state: 'connected' });
      const onDisconnected = (reason: Error) => publish({ state: 'disconnected', reason: reasonText(connectionLossReason(reason, created.address)) });
      created.on('connecting', onConnecting);
      created.on('connected', onConnected);
      created.on('disconnected', onDisconnected);
      const off = (): void => {
        created.off('connecting', onConnecting);
        created.off('connected', onConnected);
        created.off('disconnected', onDisconnected);
      };
      detach = off;
      // Failures are published as status and retried with back-off. With a development server that could not start,
      // the client stays unconnected: it would only find whatever else holds the port.
      const ready = devServer ?? Promise.resolve();
      ready.then(
        () => created.connect().catch(() => undefined),
        () => {
          off();
          return created.close();
        },
      );
      return created;
    };

    const closeClient = async (): Promise<void> => {
      const closing = client;
      client = undefined;
      detach?.();
      detach = undefined;
      await closing?.close();
    };

    Object.defineProperty(node, 'connectionStatus', { get: () => status });
    node.nodeStatus = (shown: ConnectionStatus) => connectionNodeStatus(shown, text);
    node.reasonText = reasonText;

    node.register = (user: Node, onStatus?: (status: ConnectionStatus) => void): StreamManagerClient => {
      users.set(user.id, { node: user, onStatus });
      client ??= openClient();
      if (onStatus) onStatus(status);
      else user.status(connectionNodeStatus(status, text));
      return client;
    };

    node.deregister = async (user: Node): Promise<void> => {
      users.delete(user.id);
      if (users.size === 0) await closeClient();
    };

    node.on('close', (done: () => void) => {
      users.clear();
      const stopServer = async (): Promise<void> => {
        const running = await devServer?.catch(() => undefined);
        if (!running) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([running.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, SERVER_CLOSE_LIMIT_MS)))]);
        clearTimeout(timer);
      };
      closeClient()
        .catch(() => undefined)
        .then(stopServer)
        .then(done, done);
    });
  }

  RED.nodes.registerType('sm-config', SmConfig as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    credentials: { authToken: { type: 'password' } },
  });

  registerAdminEndpoints(RED);
};
