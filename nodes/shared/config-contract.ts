// What flow nodes may ask of their `sm-config` node. The config node owns the one shared client.
import type { Node, NodeStatus } from 'node-red';
import type { StreamManagerClient } from '../../lib/client';
import type { FailureReason } from './failure-reason';

/** Connection state as flow nodes show it. */
export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'disconnected'; reason: string };

export interface SmConfigNode extends Node {
  /**
   * Makes `user` a user of the shared connection; the first user opens it. Without `onStatus`, the config node
   * shows the connection state on the user's status itself; with it, the user is told and shows it as it likes.
   */
  register(user: Node, onStatus?: (status: ConnectionStatus) => void): StreamManagerClient;
  /** Removes a user; when the last one leaves, the connection is closed before the promise resolves. */
  deregister(user: Node): Promise<void>;
  /** The state the connection is in now. */
  readonly connectionStatus: ConnectionStatus;
  /** The node status showing a connection state, in the config node's own catalog. */
  nodeStatus(status: ConnectionStatus): NodeStatus;
  /** A failure reason as the few words a status shows ("stream missing", "refused: full"), in the config node's catalog. */
  reasonText(reason: FailureReason): string;
}
