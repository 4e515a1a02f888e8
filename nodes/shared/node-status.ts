// The one place a flow node's status is decided. It follows the shared connection (yellow ring connecting, green dot
// connected, red ring disconnected, texts of sm-config), shows what the node adds while it runs (a queue, a
// consumer's position), keeps a failed request's reason until the next change, and redraws changing counts at most
// every REDRAW_INTERVAL_MS: every status update travels to each open editor. Nodes never write fill or shape.
import type { Node, NodeStatus } from 'node-red';
import type { ConnectionStatus, SmConfigNode } from './config-contract';

const REDRAW_INTERVAL_MS = 250;

/** What the node shows in the given connection state; undefined shows the connection state itself. */
type StatusView = (connection: ConnectionStatus) => NodeStatus | undefined;

export class FlowNodeStatus {
  private connection: ConnectionStatus;
  private failureShown = false;
  private countShown = false;
  private redrawTimer?: NodeJS.Timeout;
  private stopped = false;
  private view: StatusView = () => undefined;

  constructor(
    private readonly node: Node,
    private readonly configNode: SmConfigNode,
  ) {
    this.connection = configNode.connectionStatus;
  }

  /** From now on the status shows `view` (and at once). */
  showWith(view: StatusView): void {
    this.view = view;
    this.show();
  }

  get connected(): boolean {
    return this.connection.state === 'connected';
  }

  /** The config node tells of every change of the shared connection. */
  connectionChanged(connection: ConnectionStatus): void {
    this.connection = connection;
    this.show();
  }

  /** Draws the status now; a failure shown before goes. */
  show(): void {
    clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    if (this.stopped) return;
    this.failureShown = false;
    this.node.status(this.view(this.connection) ?? this.configNode.nodeStatus(this.connection));
  }

  /** Draws the status within REDRAW_INTERVAL_MS: for facts that change with every msg. */
  showSoon(): void {
    if (!this.stopped) this.redrawTimer ??= setTimeout(() => this.show(), REDRAW_INTERVAL_MS);
  }

  /** A count the view shows: a change from or to zero is drawn at once, other changes soon. */
  countChanged(count: number): void {
    if (count > 0 === this.countShown) {
      if (this.countShown) this.showSoon();
      return;
    }
    this.countShown = count > 0;
    this.show();
  }

  /** Shows why a request failed until the next success or change. */
  showFailure(text: string): void {
    if (this.stopped) return;
    this.failureShown = true;
    this.node.status({ fill: 'red', shape: 'dot', text });
  }

  /** A request succeeded: a failure shown before goes. */
  succeeded(): void {
    if (this.failureShown) this.show();
  }

  /** The node is closing: no more redraws. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.redrawTimer);
  }
}

/** A setting that keeps the node from working at all (no config node, a bad stream name): the node shows only this. */
export function showSettingsProblem(node: Node, text: string): void {
  node.status({ fill: 'red', shape: 'ring', text });
}
