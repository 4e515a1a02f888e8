// sm in: reads a stream on demand (one read per input msg) or continuously, like a subscriber.
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { StartPosition } from '../lib/client/consumer';
import { errorCodeOf, ValidationError } from '../lib/protocol/errors';
import type { ReadMessagesOptions } from '../lib/protocol/model';
import { validateStreamName } from '../lib/protocol/validation';
import { configNodeOf } from './shared/config-node-of';
import { FlowNodeController } from './shared/flow-node-controller';
import { msgSourceOf, msgsOf } from './shared/message-to-msg';
import { sendEach } from './shared/send-each';
import { showSettingsProblem } from './shared/node-status';
import { PAYLOAD_FORMATS, type PayloadFormat } from './shared/payload-encoding';
import { ConsumerNode, type ConsumerSettings } from './sm-in-consumer';

interface SmInProperties extends NodeDef {
  server: string;
  stream?: string;
  mode?: 'input' | 'continuous';
  /** Payload decoding: buffer, utf8, json or auto. */
  format?: PayloadFormat;
  /** `single`: one msg per message; `batch`: one msg per read with the array of payloads. */
  output?: 'single' | 'batch';
  // On input:
  startSequenceNumber?: string | number;
  minMessageCount?: string | number;
  maxMessageCount?: string | number;
  readTimeout?: string | number;
  /** NotEnoughMessages: `ignore` sends nothing, `error` reports it. */
  notEnough?: 'ignore' | 'error';
  // Continuous:
  /** Where a consumer with no committed position begins; `resume` is what older flows saved (see startPositionOf). */
  start?: 'oldest' | 'newest' | 'sequence' | 'resume';
  batchSize?: string | number;
  pollTimeout?: string | number;
  /** The consumer's name; blank: derived from the node's id, which a redeploy keeps. */
  consumer?: string;
  ackMode?: 'auto' | 'manual';
  maxOutstanding?: string | number;
  /** Seconds. */
  ackTimeout?: string | number;
  maxDeliveries?: string | number;
  deadLetterStream?: string;
}

interface SmInMessage extends NodeMessageInFlow {
  stream?: unknown;
  readOptions?: unknown;
  action?: unknown;
  sequenceNumber?: unknown;
}

/** Where older versions kept a continuous node's last sequence number (node context, lost on restart with stock settings). */
const CONTEXT_CHECKPOINT_KEY = 'lastSequenceNumber';

/**
 * Where the consumer starts when it has no committed position yet. A node saved by an older version with `resume`
 * goes on after the last sequence number it kept in node context, once; from then on its consumer's position counts.
 */
function startPositionOf(config: SmInProperties, node: Node): StartPosition {
  switch (config.start) {
    case 'newest':
      return 'newest';
    case 'sequence':
      return numberOr(config.startSequenceNumber, 0);
    case 'resume': {
      const saved = node.context().get(CONTEXT_CHECKPOINT_KEY);
      return typeof saved === 'number' && Number.isSafeInteger(saved) && saved >= 0 ? saved + 1 : 'oldest';
    }
    default:
      return 'oldest';
  }
}

function numberOr(value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === null || String(value).trim() === '') return fallback;
  return Number(value);
}

function formatOf(config: SmInProperties): PayloadFormat {
  return PAYLOAD_FORMATS.includes(config.format as PayloadFormat) ? (config.format as PayloadFormat) : 'auto';
}

interface ReadRequest {
  stream: string;
  options: ReadMessagesOptions;
}

function readRequestOf(RED: NodeAPI, config: SmInProperties, msg: SmInMessage): ReadRequest {
  const stream = msg.stream !== undefined && msg.stream !== '' ? msg.stream : config.stream?.trim() || undefined;
  if (stream === undefined) throw new ValidationError('stream', stream, RED._('sm-in.errors.noStream'));
  validateStreamName(stream, 'stream');
  const overrides = msg.readOptions;
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
    throw new ValidationError('msg.readOptions', overrides, 'must be an object of ReadMessagesOptions fields');
  }
  const options: ReadMessagesOptions = {
    desiredStartSequenceNumber: numberOr(config.startSequenceNumber, 0),
    minMessageCount: numberOr(config.minMessageCount, 1),
    maxMessageCount: numberOr(config.maxMessageCount, 100),
    readTimeoutMillis: numberOr(config.readTimeout, 0),
    ...(overrides as ReadMessagesOptions | undefined),
  };
  return { stream, options };
}

/** On input: one read per msg, sent on as one msg per message (without the input's _msgid) or one for the read. */
function startOnInput(RED: NodeAPI, node: Node, config: SmInProperties): void {
  const controller = FlowNodeController.attach(RED, node, config.server, { catalog: 'sm-in', showsFailure: () => false });
  if (!controller) return;
  const batch = config.output === 'batch';
  controller.onInput<SmInMessage, ReadRequest>({
    check: (msg) => readRequestOf(RED, config, msg),
    run: async ({ stream, options }, msg, send) => {
      let messages;
      try {
        messages = await controller.client.readMessages(stream, options);
      } catch (error) {
        if (errorCodeOf(error) === 'NotEnoughMessages' && config.notEnough !== 'error') return;
        throw error;
      }
      const { _msgid, ...base } = msg;
      void _msgid;
      const out = msgsOf(node, messages.map(msgSourceOf), { format: formatOf(config), batch, base: batch ? msg : base });
      if (out) sendEach(send, out);
    },
  });
}

function consumerSettingsOf(node: Node, config: SmInProperties): ConsumerSettings {
  const stream = config.stream?.trim() ?? '';
  const consumer = config.consumer?.trim() || `node-red-${node.id}`;
  validateStreamName(stream, 'stream');
  if (consumer.length > 255) throw new ValidationError('consumer', consumer, 'must be at most 255 characters');
  if (config.deadLetterStream?.trim()) validateStreamName(config.deadLetterStream.trim(), 'deadLetterStream');
  return {
    stream,
    consumer,
    ackMode: config.ackMode === 'manual' ? 'manual' : 'auto',
    start: startPositionOf(config, node),
    maxOutstanding: Math.max(1, numberOr(config.maxOutstanding, 1000)),
    ackTimeoutMs: Math.max(1, numberOr(config.ackTimeout, 30)) * 1000,
    maxDeliveries: Math.max(1, numberOr(config.maxDeliveries, 5)),
    deadLetterStream: config.deadLetterStream?.trim() || undefined,
    batchSize: Math.max(1, numberOr(config.batchSize, 100)),
    pollTimeoutMs: Math.max(0, numberOr(config.pollTimeout, 5000)),
    format: formatOf(config),
    batchOutput: config.output === 'batch',
  };
}

/** Continuous: a named consumer from deploy on; a node whose settings cannot work shows so and does nothing. */
function startContinuous(RED: NodeAPI, node: Node, config: SmInProperties): void {
  if (!configNodeOf(RED, node, config.server, 'sm-in')) return;
  let settings: ConsumerSettings;
  try {
    settings = consumerSettingsOf(node, config);
  } catch (error) {
    showSettingsProblem(node, RED._('sm-in.status.badStream'));
    node.error(error);
    return;
  }
  const controller = FlowNodeController.attach(RED, node, config.server, { catalog: 'sm-in', showsFailure: () => false });
  if (controller) new ConsumerNode(RED, controller, settings);
}

export = (RED: NodeAPI): void => {
  function SmIn(this: Node, config: SmInProperties): void {
    RED.nodes.createNode(this, config);
    if (config.mode === 'continuous') startContinuous(RED, this, config);
    else startOnInput(RED, this, config);
  }

  RED.nodes.registerType('sm in', SmIn as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
