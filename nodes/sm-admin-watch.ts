// sm admin in watch mode: checks the health of its streams on schedule, sends every report on output 1 and each
// change of a stream's state on output 2 (msg.topic the stream, msg.payload the state and reason in words, as an
// email or dashboard node takes them), shows the worst state in its status, and takes msg.action check/pause/resume.
import type { NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { HealthWatch, STREAM_HEALTH_STATES, type HealthCheckResult, type HealthReport, type StreamHealthChange, type StreamHealthState } from '../lib/client/health';
import { ValidationError } from '../lib/protocol/errors';
import type { ConnectionStatus } from './shared/config-contract';
import { requestFailureReason } from './shared/failure-reason';
import type { FlowNodeController } from './shared/flow-node-controller';
import type { HealthWatchSettings } from './shared/health-settings';

const WATCH_ACTIONS = ['check', 'pause', 'resume'] as const;
type WatchAction = (typeof WATCH_ACTIONS)[number];
/** Names of the worst streams the status shows before it cuts the list short. */
const STATUS_NAMES = 3;

const STATUS_LOOK: Record<StreamHealthState, Pick<NodeStatus, 'fill' | 'shape'>> = {
  ok: { fill: 'green', shape: 'dot' },
  lagging: { fill: 'yellow', shape: 'dot' },
  filling: { fill: 'yellow', shape: 'ring' },
  failing: { fill: 'red', shape: 'dot' },
  missing: { fill: 'red', shape: 'ring' },
};

function watchActionOf(msg: NodeMessageInFlow & { action?: unknown }): WatchAction {
  const action = msg.action ?? 'check';
  if (typeof action !== 'string' || !(WATCH_ACTIONS as readonly string[]).includes(action)) {
    throw new ValidationError('action', action, `must be one of ${WATCH_ACTIONS.join(', ')} while sm admin watches health`);
  }
  return action as WatchAction;
}

/** The msg of output 2 for a change: the subject and the words an alert needs, the full health beside them. */
function changeMsg(change: StreamHealthChange): NodeMessage {
  return { topic: change.stream, stream: change.stream, state: change.state, previousState: change.previousState, payload: `${change.state}: ${change.reason}`, health: change.health } as NodeMessage;
}

/** "2 streams ok, 1 failing: kinesis-out" in the editor's language. */
function healthStatusText(RED: NodeAPI, report: HealthReport): string {
  const present = STREAM_HEALTH_STATES.filter((state) => report.counts[state] > 0);
  if (present.length === 0) return RED._('sm-admin.health.status.none');
  const parts = present.map((state, index) => {
    const values = { count: report.counts[state], state: RED._(`sm-admin.health.state.${state}`) };
    if (index > 0) return RED._('sm-admin.health.status.next', values);
    return RED._('sm-admin.health.status.first', values);
  });
  const counts = parts.join(RED._('sm-admin.health.status.separator'));
  if (report.state === 'ok') return counts;
  const worst = report.streams.filter((stream) => stream.state === report.state).map((stream) => stream.stream);
  const streams = worst.length > STATUS_NAMES ? `${worst.slice(0, STATUS_NAMES).join(', ')}, …` : worst.join(', ');
  return RED._('sm-admin.health.status.worst', { counts, streams });
}

export class HealthWatchNode {
  private readonly watch: HealthWatch;
  private report?: HealthReport;
  private lastProblem?: string;

  constructor(
    private readonly RED: NodeAPI,
    private readonly controller: FlowNodeController,
    settings: HealthWatchSettings,
  ) {
    this.watch = new HealthWatch(controller.client, {
      streams: settings.streams,
      thresholds: settings.thresholds,
      intervalMs: settings.intervalMs,
      ready: () => controller.status.connected,
      onCheck: (result) => this.deliver(result),
      onError: (error) => this.failed(error),
    });
    controller.status.showWith((connection) => this.statusView(connection));
    controller.onConnection((connection) => {
      if (connection.state === 'connected') this.watch.checkSoon();
    });
    controller.onInput<NodeMessageInFlow, WatchAction>({ check: watchActionOf, run: (action) => this.control(action) });
    controller.onClose(() => this.watch.stop());
    this.watch.start();
  }

  private async control(action: WatchAction): Promise<void> {
    if (action === 'check') return this.watch.checkNow();
    if (action === 'pause') this.watch.pause();
    else this.watch.resume();
    this.controller.status.show();
  }

  private deliver({ report, changes }: HealthCheckResult): void {
    this.report = report;
    this.lastProblem = undefined;
    this.controller.node.send([{ payload: report } as NodeMessage, null]);
    for (const change of changes) this.controller.node.send([null, changeMsg(change)]);
    this.controller.status.show();
  }

  /** A check on schedule failed: the reason in the status, and a warning when the reason is new. */
  private failed(error: unknown): void {
    const text = this.controller.configNode.reasonText(requestFailureReason(error));
    this.controller.status.showFailure(text);
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.controller.node.warn(this.RED._('sm-admin.health.checkFailed', { reason: text }));
  }

  private statusView(connection: ConnectionStatus): NodeStatus | undefined {
    if (connection.state !== 'connected') return undefined;
    const { RED, report } = this;
    const text = report ? healthStatusText(RED, report) : RED._('sm-admin.health.status.checking');
    if (this.watch.paused) return { fill: 'grey', shape: 'ring', text: RED._('sm-admin.health.status.paused', { text }) };
    return report ? { ...STATUS_LOOK[report.state], text } : { fill: 'grey', shape: 'dot', text };
  }
}
