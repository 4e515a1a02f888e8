// The continuous mode of sm in: a named consumer (lib/client/consumer) whose position lives in Stream Manager. Turns
// deliveries into msgs, msg.action ack/nack/pause/resume/seek into consumer calls, and shows consumer, position and lag.
import type { NodeAPI, NodeMessageInFlow, NodeStatus } from 'node-red';
import { Consumer, type AckMode, type ConsumerState, type ConsumerWarning, type Delivery, type StartPosition } from '../lib/client/consumer';
import { ValidationError } from '../lib/protocol/errors';
import type { ConnectionStatus } from './shared/config-contract';
import { requestFailureReason } from './shared/failure-reason';
import type { FlowNodeController } from './shared/flow-node-controller';
import { msgsOf } from './shared/message-to-msg';
import { sendEach } from './shared/send-each';
import type { PayloadFormat } from './shared/payload-encoding';

export interface ConsumerSettings {
  stream: string;
  consumer: string;
  ackMode: AckMode;
  start: StartPosition;
  maxOutstanding: number;
  ackTimeoutMs: number;
  maxDeliveries: number;
  deadLetterStream?: string;
  batchSize: number;
  pollTimeoutMs: number;
  format: PayloadFormat;
  batchOutput: boolean;
}

interface ControlMessage extends NodeMessageInFlow {
  action?: unknown;
  sequenceNumber?: unknown;
  messages?: unknown;
  error?: unknown;
  statusCode?: unknown;
}

const LAG_INTERVAL_MS = 2000;
/** The position write must fit inside the config node's wait for its users (4 s). */
const STOP_WAIT_MS = 3_500;

function isSequenceNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The sequence numbers a control msg names: msg.sequenceNumber (one or an array), or those of a batch msg's msg.messages. */
function sequenceNumbersOf(msg: ControlMessage): number[] {
  const named = msg.sequenceNumber ?? (Array.isArray(msg.messages) ? msg.messages.map((meta: { sequenceNumber?: unknown }) => meta?.sequenceNumber) : undefined);
  const numbers = Array.isArray(named) ? named : [named];
  if (numbers.length === 0 || !numbers.every(isSequenceNumber)) {
    throw new ValidationError('msg.sequenceNumber', msg.sequenceNumber, 'must be the sequence number (or an array of them) of the msg to acknowledge, as sm in sent it');
  }
  return numbers;
}

/** What a control msg asks the consumer to do. */
type Control =
  | { action: 'ack'; sequenceNumbers: number[] }
  | { action: 'nack'; sequenceNumbers: number[]; reason: string }
  | { action: 'pause' | 'resume' }
  | { action: 'seek'; sequenceNumber: number };

function controlOf(msg: ControlMessage, ackMode: AckMode): Control {
  switch (msg.action) {
    case 'ack':
    case 'nack':
      if (ackMode !== 'manual') throw new ValidationError('msg.action', msg.action, 'is only taken when the node acknowledges manually (set "Acknowledge" to manual)');
      return msg.action === 'ack' ? { action: 'ack', sequenceNumbers: sequenceNumbersOf(msg) } : { action: 'nack', reason: nackReason(msg), sequenceNumbers: sequenceNumbersOf(msg) };
    case 'pause':
    case 'resume':
      return { action: msg.action };
    case 'seek':
      if (!isSequenceNumber(msg.sequenceNumber)) throw new ValidationError('msg.sequenceNumber', msg.sequenceNumber, 'must be a sequence number (a whole number of at least 0) to seek to');
      return { action: 'seek', sequenceNumber: msg.sequenceNumber };
    default:
      throw new ValidationError('msg.action', msg.action, 'must be ack, nack, pause, resume or seek in continuous mode');
  }
}

/** What the flow said went wrong, for the dead letter: msg.error (text or its message), or the HTTP status code. */
function nackReason(msg: ControlMessage): string {
  const error = msg.error;
  if (typeof error === 'string' && error !== '') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  if (msg.statusCode !== undefined) return `HTTP status ${String(msg.statusCode)}`;
  return 'nacked by the flow';
}

/** A continuous sm in: its consumer, the status showing consumer, position and lag, and the control input. */
export class ConsumerNode {
  private readonly consumer: Consumer;
  private state: ConsumerState = { state: 'starting' };
  private lag: number | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly RED: NodeAPI,
    private readonly controller: FlowNodeController,
    private readonly settings: ConsumerSettings,
  ) {
    const { format, batchOutput, ...options } = settings;
    this.consumer = new Consumer({
      ...options,
      client: controller.client,
      onMessages: (deliveries) => this.deliver(deliveries, { format, batch: batchOutput }),
      onWarning: (warning) => {
        controller.node.warn(this.warningText(warning));
        controller.status.showSoon();
      },
      onState: (next) => {
        this.state = next;
        controller.status.showSoon();
      },
    });
    controller.status.showWith((connection) => this.statusView(connection));
    controller.onInput<ControlMessage, Control>({ check: (msg) => controlOf(msg, settings.ackMode), run: (control) => this.control(control) });
    controller.onClose(() => this.stop(), STOP_WAIT_MS);
    this.consumer.start();
    this.lagTimer = setTimeout(() => this.refreshLag(), 0);
  }

  private deliver(deliveries: Delivery[], shape: { format: PayloadFormat; batch: boolean }): void {
    const msgs = msgsOf(this.controller.node, deliveries, shape);
    if (msgs) sendEach((msg) => this.controller.node.send(msg), msgs);
    this.controller.status.showSoon();
  }

  /** Synchronous but for a seek: acks come once per msg, and a promise for each would cost as much as the ack. */
  private control(control: Control): Promise<void> | void {
    switch (control.action) {
      case 'ack':
      case 'nack':
        // An ack for a msg no longer outstanding (acked twice, or before a seek or a re-created stream) changes nothing.
        for (const sequenceNumber of control.sequenceNumbers) {
          if (control.action === 'ack') this.consumer.ack(sequenceNumber);
          else this.consumer.nack(sequenceNumber, control.reason);
        }
        this.controller.status.showSoon();
        return;
      case 'pause':
        return this.consumer.pause();
      case 'resume':
        return this.consumer.resume();
      case 'seek':
        return this.consumer.seek(control.sequenceNumber).then(() => this.controller.status.showSoon());
    }
  }

  /** Every LAG_INTERVAL_MS while connected: how many messages the consumer is behind, for the status. */
  private refreshLag(): void {
    this.lagTimer = undefined;
    if (this.closing) return;
    const next = (): void => {
      if (!this.closing) this.lagTimer = setTimeout(() => this.refreshLag(), LAG_INTERVAL_MS);
      this.controller.status.showSoon();
    };
    if (!this.controller.status.connected) return next();
    this.consumer.lag().then(
      (behind) => {
        this.lag = behind;
        next();
      },
      () => next(),
    );
  }

  private statusView(connection: ConnectionStatus): NodeStatus | undefined {
    if (connection.state !== 'connected') return undefined;
    const { RED, consumer, settings } = this;
    const facts = { consumer: settings.consumer, position: consumer.position ?? '?', lag: this.lag ?? '?', outstanding: consumer.outstandingCount, lost: consumer.lostCount };
    let text = RED._('sm-in.status.consuming', facts);
    if (settings.ackMode === 'manual') text += RED._('sm-in.status.outstanding', facts);
    if (facts.lost > 0) text += RED._('sm-in.status.lost', facts);
    const unverified = consumer.positionWarning;
    if (unverified && unverified.reason !== 'retention') text += RED._('sm-in.status.unverified', { reason: RED._(`sm-in.gapReasons.${unverified.reason}`), from: unverified.to + 1 });
    switch (this.state.state) {
      case 'paused':
        return { fill: 'yellow', shape: 'dot', text: `${RED._('sm-in.status.paused')}: ${text}` };
      case 'holding':
        return { fill: 'yellow', shape: 'dot', text: `${RED._('sm-in.status.holding')}: ${text}` };
      case 'waiting-for-stream':
        return { fill: 'yellow', shape: 'ring', text: RED._('sm-in.status.waitingForStream') };
      case 'retrying':
        return { fill: 'red', shape: 'ring', text: this.controller.configNode.reasonText(requestFailureReason(this.state.reason)) };
      default:
        return { fill: 'green', shape: 'dot', text };
    }
  }

  private warningText(warning: ConsumerWarning): string {
    const { RED } = this;
    const { stream, consumer, deadLetterStream } = this.settings;
    switch (warning.kind) {
      case 'gap':
        return RED._('sm-in.warnings.gap', { ...warning.gap, next: warning.gap.to + 1, stream, consumer });
      case 'recreated':
        return RED._(warning.whileRunning ? 'sm-in.warnings.recreated' : 'sm-in.warnings.recreatedWhileStopped', { stream, next: warning.firstSequenceNumber, consumer });
      case 'dead-lettered':
        return RED._(warning.deadLetterStream ? 'sm-in.warnings.deadLettered' : 'sm-in.warnings.givenUp', { sequenceNumber: warning.sequenceNumber, deliveryCount: warning.deliveryCount, lastError: warning.lastError, deadLetterStream: warning.deadLetterStream ?? '', stream });
      case 'dead-letter-failed':
        return RED._('sm-in.warnings.deadLetterFailed', { sequenceNumber: warning.sequenceNumber, stream, deadLetterStream: deadLetterStream ?? '', reason: warning.error.message });
      case 'commit-failed':
        return RED._('sm-in.warnings.commitFailed', { consumer, reason: warning.error.message });
      case 'position-unverified':
        return this.positionWarningText(warning);
    }
  }

  private positionWarningText({ gap, newest, unreadable }: Extract<ConsumerWarning, { kind: 'position-unverified' }>): string {
    const { RED } = this;
    const parts = [
      unreadable.notRecords > 0 ? RED._('sm-in.warnings.notRecords', { count: unreadable.notRecords }) : '',
      unreadable.missing > 0 ? RED._('sm-in.warnings.missingRecords', { count: unreadable.missing }) : '',
    ].filter((part) => part !== '');
    const facts = { consumer: this.settings.consumer, checkpoints: this.consumer.checkpointStream, unreadable: parts.join(RED._('sm-in.warnings.and')), next: gap.to + 1, newest };
    if (gap.reason === 'position-uncertain') return RED._('sm-in.warnings.positionUncertain', facts);
    const skipped = gap.count > 0 ? RED._('sm-in.warnings.positionLostSkipped', { from: gap.from, to: gap.to, count: gap.count }) : '';
    return RED._('sm-in.warnings.positionLost', { ...facts, skipped });
  }

  private stop(): Promise<void> {
    this.closing = true;
    clearTimeout(this.lagTimer);
    return this.consumer.stop();
  }
}
