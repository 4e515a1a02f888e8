// sm-config: the connection settings and the one client shared by every flow node that names this config; optionally
// a development Stream Manager run inside the Node-RED process for it to talk to.
import * as os from 'node:os';
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';
import { StreamManagerClient } from '../lib/client/client';
import { DEFAULT_HOST, portFromEnvironment } from '../lib/client/options';
import type { Logger } from '../lib/common/logger';
import type { RunningServer } from '../lib/server/server';
import type { ConnectionStatus, SmConfigNode } from './shared/config-contract';
import { connectionNodeStatus } from './shared/connection-status';
import { registerAdminEndpoints } from '../plugins/sidebar/admin-endpoints';
import { clientOptionsFrom, optionalNumber, type SmConfigCredentials, type SmConfigProperties } from './shared/config-options';
import { DevelopmentServerError, developmentStoreDir, startDevelopmentServer } from './shared/development-server';
import type { FailureReason } from './shared/failure-reason';
import { settleWithin } from './shared/settle-within';
import { SharedClient } from './shared/shared-client';

/** Node-RED gives a node 15 s to close; the development server must be gone well before. */
const SERVER_CLOSE_LIMIT_MS = 10_000;

type SmConfigRuntimeNode = SmConfigNode & { credentials?: SmConfigCredentials };

function loggerOf(node: SmConfigRuntimeNode): Logger {
  return { debug: () => undefined, info: (message) => node.log(message), warn: (message) => node.warn(message), error: (message) => node.warn(message) };
}

/** The development server starts with the config node, so it is there for every flow node and for other programs. */
function startDevServer(RED: NodeAPI, node: SmConfigRuntimeNode, host: string, port: number, logger: Logger, failed: (reason: FailureReason) => void): Promise<RunningServer> {
  const userDir = RED.settings.userDir ?? path.join(os.homedir(), '.node-red');
  const started = startDevelopmentServer({
    host,
    port,
    storeDir: developmentStoreDir(userDir, node.id),
    owner: { id: node.id, label: node.name || node.id },
    logger: { ...logger, info: (message) => node.log(`development server (not for production): ${message}`) },
  });
  started.catch((error: DevelopmentServerError) => {
    node.error(error.message);
    failed({ key: error.portInUse ? 'portInUse' : 'devServerFailed', values: { port } });
  });
  return started;
}

export = (RED: NodeAPI): void => {
  function SmConfig(this: SmConfigRuntimeNode, config: SmConfigProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const reasonText = (reason: FailureReason): string => RED._(`sm-config.reason.${reason.key}`, reason.values);
    const host = config.host?.trim() || DEFAULT_HOST;
    const port = optionalNumber(config.port) ?? portFromEnvironment();
    const text = (key: string, reason?: string): string =>
      key === 'connected' && config.devServer
        ? RED._('sm-config.status.connectedDevServer', { port })
        : RED._(`sm-config.status.${key}`, { reason: reason ?? '' });
    const nodeStatus = (shown: ConnectionStatus) => connectionNodeStatus(shown, text);
    const logger = loggerOf(node);
    const devServer = config.devServer
      ? startDevServer(RED, node, host, port, logger, (reason) => shared.publish({ state: 'disconnected', reason: reasonText(reason) }))
      : undefined;
    const shared = new SharedClient({
      owner: node,
      createClient: () => new StreamManagerClient({ ...clientOptionsFrom(config, node.credentials), logger }),
      ready: devServer ?? Promise.resolve(),
      nodeStatus,
      reasonText,
      initialStatus: { state: 'disconnected', reason: text('notConnected') },
    });

    Object.defineProperty(node, 'connectionStatus', { get: () => shared.connectionStatus });
    node.nodeStatus = nodeStatus;
    node.reasonText = reasonText;
    node.register = (user, onStatus) => shared.register(user, onStatus);
    node.deregister = (user) => shared.deregister(user);
    node.on('close', (done: () => void) => {
      const stopServer = async (): Promise<void> => {
        const running = await devServer?.catch(() => undefined);
        if (running) await settleWithin(running.close(), SERVER_CLOSE_LIMIT_MS);
      };
      shared.close().then(stopServer).then(done, done);
    });
  }

  RED.nodes.registerType('sm-config', SmConfig as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    credentials: { authToken: { type: 'password' } },
  });

  registerAdminEndpoints(RED);
};
