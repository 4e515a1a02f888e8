import type { NodeStatus } from 'node-red';
import type { ConnectionStatus } from './config-contract';

/** The node status for a connection state: yellow ring connecting, green dot connected, red ring disconnected. */
export function connectionNodeStatus(status: ConnectionStatus, text: (key: string, reason?: string) => string): NodeStatus {
  switch (status.state) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: text('connecting') };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: text('connected') };
    case 'disconnected':
      return { fill: 'red', shape: 'ring', text: text('disconnected', status.reason) };
  }
}
