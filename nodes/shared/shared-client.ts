// The one client of an sm-config node, shared by the flow nodes that name it: the first user opens it, the last one
// leaving closes it, and every change of the connection is told to each user (or shown on its status).
import type { Node, NodeStatus } from 'node-red';
import { StreamManagerClient } from '../../lib/client/client';
import type { ConnectionStatus } from './config-contract';
import { connectionLossReason, type FailureReason } from './failure-reason';
import { ListenerSet } from './listener-set';

interface ConfigUser {
  node: Node;
  onStatus?: (status: ConnectionStatus) => void;
}

interface SharedClientOptions {
  /** The config node, for warnings. */
  owner: Node;
  createClient(): StreamManagerClient;
  /** Settles when the client may connect; rejected: it never does (a development server that could not start). */
  ready: Promise<unknown>;
  nodeStatus(status: ConnectionStatus): NodeStatus;
  reasonText(reason: FailureReason): string;
  initialStatus: ConnectionStatus;
}

/** How long closing waits for the flow nodes to leave; with the server's limit, inside Node-RED's 15 s. */
const USERS_LEAVE_WAIT_MS = 4_000;

export class SharedClient {
  private readonly users = new Map<string, ConfigUser>();
  private readonly clientListeners: ListenerSet;
  private client?: StreamManagerClient;
  private lastUserLeft?: () => void;
  private status: ConnectionStatus;

  constructor(private readonly options: SharedClientOptions) {
    this.status = options.initialStatus;
    this.clientListeners = new ListenerSet((error, event) => options.owner.warn(`the ${event} handler failed: ${(error as Error).message}`));
  }

  get connectionStatus(): ConnectionStatus {
    return this.status;
  }

  publish(next: ConnectionStatus): void {
    this.status = next;
    for (const user of this.users.values()) {
      try {
        if (user.onStatus) user.onStatus(next);
        else user.node.status(this.options.nodeStatus(next));
      } catch (error) {
        this.options.owner.warn(`status update of node ${user.node.id} failed: ${(error as Error).message}`);
      }
    }
  }

  register(user: Node, onStatus?: (status: ConnectionStatus) => void): StreamManagerClient {
    this.users.set(user.id, { node: user, onStatus });
    this.client ??= this.open();
    if (onStatus) onStatus(this.status);
    else user.status(this.options.nodeStatus(this.status));
    return this.client;
  }

  async deregister(user: Node): Promise<void> {
    this.users.delete(user.id);
    if (this.users.size > 0) return;
    await this.closeClient();
    this.lastUserLeft?.();
  }

  /**
   * Node-RED closes the flow nodes at the same time as the config node, and some still write through the client as
   * they close (a consumer saves its position): the client closes when the last user has left, or after a bounded wait.
   */
  async close(): Promise<void> {
    if (this.users.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, USERS_LEAVE_WAIT_MS);
        this.lastUserLeft = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.lastUserLeft = undefined;
    this.users.clear();
    await this.closeClient().catch(() => undefined);
  }

  private open(): StreamManagerClient {
    const created = this.options.createClient();
    const { clientListeners } = this;
    clientListeners.on(created, 'connecting', () => this.publish({ state: 'connecting' }));
    clientListeners.on(created, 'connected', () => this.publish({ state: 'connected' }));
    clientListeners.on(created, 'disconnected', (reason: Error) => {
      this.publish({ state: 'disconnected', reason: this.options.reasonText(connectionLossReason(reason, created.address)) });
    });
    // Failures are published as status and retried with back-off. With a development server that could not start,
    // the client stays unconnected: it would only find whatever else holds the port.
    this.options.ready.then(
      () => created.connect().catch(() => undefined),
      () => {
        clientListeners.removeAll();
        return created.close();
      },
    );
    return created;
  }

  private async closeClient(): Promise<void> {
    const closing = this.client;
    this.client = undefined;
    this.clientListeners.removeAll();
    await closing?.close();
  }
}
