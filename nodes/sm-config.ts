// sm-config: the connection settings and the one client shared by every flow node that names this config.
import type { Node, NodeAPI } from 'node-red';
import { StreamManagerClient } from '../lib/client/client';
import type { ConnectionStatus, SmConfigNode } from './shared/config-contract';
import { connectionNodeStatus } from './shared/connection-status';
import { registerAdminEndpoints } from './shared/admin-endpoints';
import { clientOptionsFrom, type SmConfigCredentials, type SmConfigProperties } from './shared/config-options';

interface ConfigUser {
  node: Node;
  onStatus?: (status: ConnectionStatus) => void;
}


export = (RED: NodeAPI): void => {
  function SmConfig(this: SmConfigNode & { credentials?: SmConfigCredentials }, config: SmConfigProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const users = new Map<string, ConfigUser>();
    const text = (key: string, reason?: string) => RED._(`sm-config.status.${key}`, { reason: reason ?? '' });
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

    const openClient = (): StreamManagerClient => {
      const created = new StreamManagerClient({ ...clientOptionsFrom(config, node.credentials), logger: { debug: () => undefined, info: (message) => node.log(message), warn: (message) => node.warn(message), error: (message) => node.warn(message) } });
      const onConnecting = () => publish({ state: 'connecting' });
      const onConnected = () => publish({ state: 'connected' });
      const onDisconnected = (reason: Error) => publish({ state: 'disconnected', reason: shortReason(reason) });
      created.on('connecting', onConnecting);
      created.on('connected', onConnected);
      created.on('disconnected', onDisconnected);
      detach = () => {
        created.off('connecting', onConnecting);
        created.off('connected', onConnected);
        created.off('disconnected', onDisconnected);
      };
      created.connect().catch(() => undefined); // failures are published as status and retried with back-off
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
      closeClient().then(done, done);
    });
  }

  RED.nodes.registerType('sm-config', SmConfig as unknown as Parameters<NodeAPI['nodes']['registerType']>[1], {
    credentials: { authToken: { type: 'password' } },
  });

  registerAdminEndpoints(RED);
};

/** A reason short enough for a node status: the system error (ECONNREFUSED), else the error's stable code. */
function shortReason(reason: Error): string {
  const systemCode = (reason as { cause?: { code?: string } }).cause?.code;
  if (systemCode) return systemCode;
  const code = (reason as { code?: string }).code;
  if (code && code !== 'Connection') return code;
  return reason.message.length > 50 ? `${reason.message.slice(0, 47)}...` : reason.message;
}
