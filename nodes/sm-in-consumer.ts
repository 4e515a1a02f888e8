// The continuous mode of sm in: a named consumer (lib/client/consumer) whose position lives in Stream Manager. Turns
// deliveries into msgs, msg.action ack/nack/pause/resume/seek into consumer calls, and shows consumer, position and lag.
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { Consumer, type AckMode, type ConsumerState, type ConsumerWarning, type Delivery, type StartPosition } from '../lib/client/consumer';
import { ValidationError } from '../lib/protocol/errors';
import type { ConnectionStatus, SmConfigNode } from './shared/config-contract';
import { requestFailureReason } from './shared/failure-reason';
import { reportError, reportInputError, reportRequestFailure } from './shared/input-error';
import { bytesToPayload, type PayloadFormat } from './shared/payload-encoding';

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

const STATUS_INTERVAL_MS = 250;
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

/** What the flow said went wrong, for the dead letter: msg.error (text or its message), or the HTTP status code. */
function nackReason(msg: ControlMessage): string {
  const error = msg.error;
  if (typeof error === 'string' && error !== '') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  if (msg.statusCode !== undefined) return `HTTP status ${String(msg.statusCode)}`;
  return 'nacked by the flow';
}

export function startConsumer(RED: NodeAPI, node: Node, sharedConfig: SmConfigNode, settings: ConsumerSettings): void {
  const { stream, format } = settings;
  let connection: ConnectionStatus = sharedConfig.connectionStatus;
  let state: ConsumerState = { state: 'starting' };
  let lag: number | undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  let lagTimer: NodeJS.Timeout | undefined;
  let closing = false;
  // Set once the shared client is there; the connection status may be shown before.
  let consumer: Consumer | undefined = undefined;

  const showStatus = (): void => {
    statusTimer = undefined;
    if (connection.state !== 'connected') {
      node.status(sharedConfig.nodeStatus(connection));
      return;
    }
    const facts = {
      consumer: settings.consumer,
      position: consumer?.position ?? '?',
      lag: lag ?? '?',
      outstanding: consumer?.outstandingCount ?? 0,
      lost: consumer?.lostCount ?? 0,
    };
    let text = RED._('sm-in.status.consuming', facts);
    if (settings.ackMode === 'manual') text += RED._('sm-in.status.outstanding', facts);
    if (facts.lost > 0) text += RED._('sm-in.status.lost', facts);
    switch (state.state) {
      case 'paused':
        node.status({ fill: 'yellow', shape: 'dot', text: `${RED._('sm-in.status.paused')}: ${text}` });
        break;
      case 'holding':
        node.status({ fill: 'yellow', shape: 'dot', text: `${RED._('sm-in.status.holding')}: ${text}` });
        break;
      case 'waiting-for-stream':
        node.status({ fill: 'yellow', shape: 'ring', text: RED._('sm-in.status.waitingForStream') });
        break;
      case 'retrying':
        node.status({ fill: 'red', shape: 'ring', text: sharedConfig.reasonText(requestFailureReason(state.reason)) });
        break;
      default:
        node.status({ fill: 'green', shape: 'dot', text });
    }
  };
  const scheduleStatus = (): void => {
    if (!closing) statusTimer ??= setTimeout(showStatus, STATUS_INTERVAL_MS);
  };
  const refreshLag = (): void => {
    lagTimer = undefined;
    if (closing) return;
    const next = (): void => {
      if (!closing) lagTimer = setTimeout(refreshLag, LAG_INTERVAL_MS);
      scheduleStatus();
    };
    if (connection.state !== 'connected') return next();
    consumer?.lag().then(
      (behind) => {
        lag = behind;
        next();
      },
      () => next(),
    );
  };

  const toMsg = (delivery: Delivery): NodeMessage => {
    const msg: Record<string, unknown> = {
      payload: bytesToPayload(delivery.payload, format),
      stream,
      topic: stream,
      sequenceNumber: delivery.sequenceNumber,
      ingestTime: delivery.ingestTime,
      deliveryCount: delivery.deliveryCount,
      redelivered: delivery.redelivered,
    };
    if (delivery.gap) msg.gap = delivery.gap;
    return msg as NodeMessage;
  };
  const send = (deliveries: Delivery[]): void => {
    try {
      if (settings.batchOutput) {
        const gap = deliveries.find((delivery) => delivery.gap)?.gap;
        const msg: Record<string, unknown> = {
          payload: deliveries.map((delivery) => bytesToPayload(delivery.payload, format)),
          messages: deliveries.map(({ sequenceNumber, ingestTime, deliveryCount, redelivered }) => ({ stream, sequenceNumber, ingestTime, deliveryCount, redelivered })),
          stream,
          topic: stream,
        };
        if (gap) msg.gap = gap;
        node.send(msg as NodeMessage);
      } else {
        node.send([deliveries.map(toMsg)]);
      }
    } catch (error) {
      // A payload that cannot be decoded as the node says: reported with its metadata, and the rest go on.
      reportError(node, error, { payload: deliveries.map((delivery) => Buffer.from(delivery.payload)), messages: deliveries.map(({ sequenceNumber, ingestTime }) => ({ stream, sequenceNumber, ingestTime })) } as NodeMessage);
    }
    scheduleStatus();
  };

  const warningText = (warning: ConsumerWarning): string => {
    switch (warning.kind) {
      case 'gap':
        return RED._('sm-in.warnings.gap', { ...warning.gap, next: warning.gap.to + 1, stream, consumer: settings.consumer });
      case 'recreated':
        return RED._(warning.whileRunning ? 'sm-in.warnings.recreated' : 'sm-in.warnings.recreatedWhileStopped', { stream, next: warning.firstSequenceNumber, consumer: settings.consumer });
      case 'dead-lettered':
        return RED._(warning.deadLetterStream ? 'sm-in.warnings.deadLettered' : 'sm-in.warnings.givenUp', { sequenceNumber: warning.sequenceNumber, deliveryCount: warning.deliveryCount, lastError: warning.lastError, deadLetterStream: warning.deadLetterStream ?? '', stream });
      case 'dead-letter-failed':
        return RED._('sm-in.warnings.deadLetterFailed', { sequenceNumber: warning.sequenceNumber, stream, deadLetterStream: settings.deadLetterStream ?? '', reason: warning.error.message });
      case 'commit-failed':
        return RED._('sm-in.warnings.commitFailed', { consumer: settings.consumer, reason: warning.error.message });
    }
  };

  const client = sharedConfig.register(node, (status) => {
    connection = status;
    showStatus();
  });
  const running = new Consumer({
    client,
    stream,
    consumer: settings.consumer,
    ackMode: settings.ackMode,
    start: settings.start,
    maxOutstanding: settings.maxOutstanding,
    ackTimeoutMs: settings.ackTimeoutMs,
    maxDeliveries: settings.maxDeliveries,
    deadLetterStream: settings.deadLetterStream,
    batchSize: settings.batchSize,
    pollTimeoutMs: settings.pollTimeoutMs,
    onMessages: send,
    onWarning: (warning) => {
      node.warn(warningText(warning));
      scheduleStatus();
    },
    onState: (next) => {
      state = next;
      scheduleStatus();
    },
  });
  consumer = running;
  running.start();
  lagTimer = setTimeout(refreshLag, 0);

  node.on('input', (msg: ControlMessage, _send, done) => {
    try {
      switch (msg.action) {
        case 'ack':
        case 'nack': {
          if (settings.ackMode !== 'manual') throw new ValidationError('msg.action', msg.action, 'is only taken when the node acknowledges manually (set "Acknowledge" to manual)');
          const reason = msg.action === 'nack' ? nackReason(msg) : '';
          // An ack for a msg no longer outstanding (acked twice, or before a seek or a re-created stream) changes nothing.
          for (const sequenceNumber of sequenceNumbersOf(msg)) {
            if (msg.action === 'ack') running.ack(sequenceNumber);
            else running.nack(sequenceNumber, reason);
          }
          scheduleStatus();
          return done();
        }
        case 'pause':
          running.pause();
          return done();
        case 'resume':
          running.resume();
          return done();
        case 'seek': {
          const target = msg.sequenceNumber;
          if (!isSequenceNumber(target)) throw new ValidationError('msg.sequenceNumber', target, 'must be a sequence number (a whole number of at least 0) to seek to');
          running.seek(target).then(
            () => {
              scheduleStatus();
              done();
            },
            (error: unknown) => reportRequestFailure(node, sharedConfig, error, done, false),
          );
          return;
        }
        default:
          throw new ValidationError('msg.action', msg.action, 'must be ack, nack, pause, resume or seek in continuous mode');
      }
    } catch (error) {
      reportInputError(node, error, done, false);
    }
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    clearTimeout(statusTimer);
    clearTimeout(lagTimer);
    let waited: NodeJS.Timeout | undefined;
    const stopped = Promise.race([running.stop(), new Promise<void>((resolve) => (waited = setTimeout(resolve, STOP_WAIT_MS)))]);
    stopped
      .then(() => clearTimeout(waited))
      .then(() => sharedConfig.deregister(node))
      .then(done, done);
  });
}
