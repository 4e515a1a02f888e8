// What every flow node (sm out, sm in, sm admin) is built on, in the way of Node-RED's config-node pattern: it joins
// the node to its sm-config node as a user of the shared client, owns the node's status, turns msgs into work
// through an InputHandler, and on close stops the node's work within a bound, removes every listener it added and
// leaves the config node (the last user leaving closes the connection).
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import type { StreamManagerClient } from '../../lib/client/client';
import type { ConnectionStatus, SmConfigNode } from './config-contract';
import { configNodeOf } from './config-node-of';
import { inputListener, type InputHandler, type InputListener, type ShowsFailure } from './input-handler';
import { FlowNodeStatus } from './node-status';
import { settleWithin } from './settle-within';

/** Node-RED gives a node 15 s to close; the config node waits 4 s for its users to leave. */
const STOP_LIMIT_MS = 3_500;

interface FlowNodeOptions {
  /** The node's catalog (`sm-out`, ...), for the texts shown when it has no config node. */
  catalog: string;
  /** Whether a failed request's reason replaces the status until the next success; by default it does. */
  showsFailure?: ShowsFailure;
}

export class FlowNodeController {
  readonly client: StreamManagerClient;
  readonly status: FlowNodeStatus;
  private readonly inputListeners: InputListener[] = [];
  private connectionListener?: (connection: ConnectionStatus) => void;
  private stopWork: () => Promise<void> = () => Promise.resolve();
  private stopLimitMs = STOP_LIMIT_MS;

  /** The controller of `node`, or undefined when it names no sm-config node (it then fails every msg, saying so). */
  static attach(RED: NodeAPI, node: Node, serverId: string, options: FlowNodeOptions): FlowNodeController | undefined {
    const configNode = configNodeOf(RED, node, serverId, options.catalog);
    return configNode && new FlowNodeController(node, configNode, options.showsFailure ?? (() => true));
  }

  private constructor(
    readonly node: Node,
    readonly configNode: SmConfigNode,
    private readonly showsFailure: ShowsFailure,
  ) {
    this.status = new FlowNodeStatus(node, configNode);
    this.client = configNode.register(node, (connection) => {
      this.status.connectionChanged(connection);
      this.connectionListener?.(connection);
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      this.close().then(done, done);
    });
  }

  onInput<Msg extends NodeMessageInFlow, Input>(handler: InputHandler<Msg, Input>): void {
    const listener = inputListener(handler, this.configNode, this.status, this.showsFailure);
    this.inputListeners.push(listener);
    this.node.on('input', listener);
  }

  /** Told of every later change of the shared connection, after the status shows it. */
  onConnection(listener: (connection: ConnectionStatus) => void): void {
    this.connectionListener = listener;
  }

  /** The node's own work to end on close (a queue to drain, a consumer to stop), waited for at most `limitMs`. */
  onClose(stop: () => Promise<void>, limitMs = STOP_LIMIT_MS): void {
    this.stopWork = stop;
    this.stopLimitMs = limitMs;
  }

  private async close(): Promise<void> {
    this.status.stop();
    this.connectionListener = undefined;
    await settleWithin(this.stopWork(), this.stopLimitMs);
    for (const listener of this.inputListeners.splice(0)) this.node.removeListener('input', listener);
    await this.configNode.deregister(this.node);
  }
}
