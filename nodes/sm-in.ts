// sm in: reads a stream on demand (one read per input msg) or continuously, like a subscriber.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import type { StartPosition } from '../lib/client/consumer';
import { ValidationError } from '../lib/protocol/errors';
import type { Message, ReadMessagesOptions } from '../lib/protocol/model';
import { validateStreamName } from '../lib/protocol/validation';
import type { SmConfigNode } from './shared/config-contract';
import { configNodeOf } from './shared/config-node-of';
import { reportError, reportInputError, reportRequestFailure } from './shared/input-error';
import { jsonSafe } from './shared/json-safe';
import { bytesToPayload, PAYLOAD_FORMATS, type PayloadFormat } from './shared/payload-encoding';
import { startConsumer } from './sm-in-consumer';

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

function messageFields(message: Message): { stream: string; sequenceNumber: unknown; ingestTime: unknown } {
  return { stream: message.streamName, sequenceNumber: jsonSafe(message.sequenceNumber), ingestTime: jsonSafe(message.ingestTime) };
}

export = (RED: NodeAPI): void => {
  function SmIn(this: Node, config: SmInProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const configNode = configNodeOf(RED, node, config.server, 'sm-in');
    if (!configNode) return;
    const format: PayloadFormat = PAYLOAD_FORMATS.includes(config.format as PayloadFormat) ? (config.format as PayloadFormat) : 'auto';
    const batchOutput = config.output === 'batch';

    /** The msgs for one read, or undefined when a payload could not be decoded (reported with its metadata). */
    const toMessages = (messages: Message[], base: Record<string, unknown> = {}): NodeMessage[] | undefined => {
      try {
        if (batchOutput) {
          return [
            {
              ...base,
              payload: messages.map((message) => bytesToPayload(message.payload, format)),
              messages: messages.map(messageFields),
              stream: messages[0].streamName,
              topic: messages[0].streamName,
            } as NodeMessage,
          ];
        }
        return messages.map((message) => ({ ...base, ...messageFields(message), topic: message.streamName, payload: bytesToPayload(message.payload, format) }) as NodeMessage);
      } catch (error) {
        reportError(node, error, { ...base, payload: messages.map((message) => Buffer.from(message.payload)), messages: messages.map(messageFields) } as NodeMessage);
        return undefined;
      }
    };

    if (config.mode === 'continuous') startContinuous(configNode);
    else startOnInput(configNode);

    function startOnInput(sharedConfig: SmConfigNode): void {
      const client: StreamManagerClient = sharedConfig.register(node);
      node.on('input', (msg: SmInMessage, send, done) => {
        let stream: string;
        let options: ReadMessagesOptions;
        try {
          const name = msg.stream !== undefined && msg.stream !== '' ? msg.stream : config.stream?.trim() || undefined;
          if (name === undefined) throw new ValidationError('stream', name, RED._('sm-in.errors.noStream'));
          validateStreamName(name, 'stream');
          stream = name;
          const overrides = msg.readOptions;
          if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
            throw new ValidationError('msg.readOptions', overrides, 'must be an object of ReadMessagesOptions fields');
          }
          options = {
            desiredStartSequenceNumber: numberOr(config.startSequenceNumber, 0),
            minMessageCount: numberOr(config.minMessageCount, 1),
            maxMessageCount: numberOr(config.maxMessageCount, 100),
            readTimeoutMillis: numberOr(config.readTimeout, 0),
            ...(overrides as ReadMessagesOptions | undefined),
          };
        } catch (error) {
          reportInputError(node, error, done, false);
          return;
        }
        client.readMessages(stream, options).then(
          (messages) => {
            const { _msgid, ...base } = msg;
            void _msgid;
            const out = toMessages(messages, batchOutput ? (msg as Record<string, unknown>) : base);
            if (out) send([out]);
            done();
          },
          (error: unknown) => {
            if ((error as { code?: string }).code === 'NotEnoughMessages' && config.notEnough !== 'error') done();
            else reportRequestFailure(node, sharedConfig, error, done, false);
          },
        );
      });
      node.on('close', (_removed: boolean, done: () => void) => {
        sharedConfig.deregister(node).then(done, done);
      });
    }

    function startContinuous(sharedConfig: SmConfigNode): void {
      const stream = config.stream?.trim() ?? '';
      const consumer = config.consumer?.trim() || `node-red-${node.id}`;
      try {
        validateStreamName(stream, 'stream');
        if (consumer.length > 255) throw new ValidationError('consumer', consumer, 'must be at most 255 characters');
        if (config.deadLetterStream?.trim()) validateStreamName(config.deadLetterStream.trim(), 'deadLetterStream');
      } catch (error) {
        node.status({ fill: 'red', shape: 'ring', text: RED._('sm-in.status.badStream') });
        node.error(error);
        return;
      }
      startConsumer(RED, node, sharedConfig, {
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
        format,
        batchOutput,
      });
    }
  }

  RED.nodes.registerType('sm in', SmIn as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
