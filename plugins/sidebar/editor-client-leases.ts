// The admin endpoints borrow a deployed config node's shared client. They stay one of its users while the editor
// keeps asking (an open sidebar refreshes every few seconds) and leave after a quiet spell, so an open sidebar does
// not open and close a connection on every refresh, and a closed one holds no connection open.
import type { Node, NodeAPI } from 'node-red';
import type { StreamManagerClient } from '../../lib/client/client';
import type { SmConfigNode } from '../../nodes/shared/config-contract';

const IDLE_RELEASE_MS = 30_000;

interface Lease {
  config: SmConfigNode;
  probe: Node;
  client: StreamManagerClient;
  timer?: NodeJS.Timeout;
}

export class EditorClientLeases {
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly RED: NodeAPI,
    private readonly idleMs = IDLE_RELEASE_MS,
  ) {}

  /** The deployed sm-config node with this id, or undefined (not deployed, or another type). */
  configNode(id: string): SmConfigNode | undefined {
    const found = this.RED.nodes.getNode(id) as SmConfigNode | null;
    return found && found.type === 'sm-config' ? found : undefined;
  }

  /** The config node's shared client, lent for one request; the lease is renewed by every call. */
  client(config: SmConfigNode): StreamManagerClient {
    let lease = this.leases.get(config.id);
    if (lease && lease.config !== config) {
      // The flows were redeployed: the old node instance is closed, its client with it.
      this.release(lease);
      lease = undefined;
    }
    if (!lease) {
      const probe = { id: `${config.id}:editor` } as Node;
      lease = { config, probe, client: config.register(probe, () => undefined) };
      this.leases.set(config.id, lease);
    }
    const held = lease;
    clearTimeout(held.timer);
    held.timer = setTimeout(() => this.release(held), this.idleMs);
    held.timer.unref();
    return held.client;
  }

  private release(lease: Lease): void {
    clearTimeout(lease.timer);
    if (this.leases.get(lease.config.id) === lease) this.leases.delete(lease.config.id);
    lease.config.deregister(lease.probe).catch(() => undefined);
  }
}
