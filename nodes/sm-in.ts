// sm in: reads a stream on demand (one read per input msg) or continuously, like a subscriber.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import { ContinuousReader, type ReaderState, type StartPosition } from '../lib/client/continuous-reader';
import { ValidationError } from '../lib/protocol/errors';
import type { Message, ReadMessagesOptions } from '../lib/protocol/model';
import { validateStreamName } from '../lib/protocol/validation';
import type { ConnectionStatus, SmConfigNode } from './shared/config-contract';
import { configNodeOf } from './shared/config-node-of';
import { reportError, reportInputError, reportRequestFailure } from './shared/input-error';
import { requestFailureReason } from './shared/failure-reason';
import { jsonSafe } from './shared/json-safe';
import { bytesToPayload, PAYLOAD_FORMATS, type PayloadFormat } from './shared/payload-encoding';

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
  start?: 'oldest' | 'newest' | 'sequence' | 'resume';
  batchSize?: string | number;
  pollTimeout?: string | number;
}

interface SmInMessage extends NodeMessageInFlow {
  stream?: unknown;
  readOptions?: unknown;
  action?: unknown;
  sequenceNumber?: unknown;
}

const CHECKPOINT_KEY = 'lastSequenceNumber';

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
      try {
        validateStreamName(stream, 'stream');
      } catch (error) {
        node.status({ fill: 'red', shape: 'ring', text: RED._('sm-in.status.badStream') });
        node.error(error);
        return;
      }
      const context = node.context();
      let connection: ConnectionStatus = sharedConfig.connectionStatus;
      let readerState: ReaderState = { state: 'starting' };
      let last: number | undefined = undefined;

      const showStatus = (): void => {
        if (connection.state !== 'connected') {
          node.status(sharedConfig.nodeStatus(connection));
          return;
        }
        const position = last === undefined ? '' : ` #${last}`;
        switch (readerState.state) {
          case 'paused':
            node.status({ fill: 'yellow', shape: 'dot', text: `${RED._('sm-in.status.paused')}${position}` });
            break;
          case 'waiting-for-stream':
            node.status({ fill: 'yellow', shape: 'ring', text: RED._('sm-in.status.waitingForStream') });
            break;
          case 'retrying':
            node.status({ fill: 'red', shape: 'ring', text: sharedConfig.reasonText(requestFailureReason(readerState.reason)) });
            break;
          default:
            node.status({ fill: 'green', shape: 'dot', text: `${RED._('sm-in.status.reading')}${position}` });
        }
      };

      let start: StartPosition;
      switch (config.start) {
        case 'newest':
          start = 'newest';
          break;
        case 'sequence':
          start = numberOr(config.startSequenceNumber, 0);
          break;
        case 'resume': {
          const saved = context.get(CHECKPOINT_KEY);
          start = typeof saved === 'number' ? saved + 1 : 'oldest';
          break;
        }
        default:
          start = 'oldest';
      }

      const client = sharedConfig.register(node, (status) => {
        connection = status;
        showStatus();
      });
      const reader = new ContinuousReader({
        client,
        stream,
        start,
        batchSize: Math.max(1, numberOr(config.batchSize, 100)),
        pollTimeoutMs: Math.max(0, numberOr(config.pollTimeout, 5000)),
        onMessages: (messages) => {
          const out = toMessages(messages);
          if (out) node.send([out]);
          last = Number(messages[messages.length - 1].sequenceNumber);
          context.set(CHECKPOINT_KEY, last);
          showStatus();
        },
        onSkipped: (count, from, to) => node.warn(RED._('sm-in.warnings.skipped', { count, from, to, stream })),
        onRecreated: (resumingAt) => node.warn(RED._('sm-in.warnings.recreated', { stream, next: resumingAt })),
        onState: (state) => {
          readerState = state;
          showStatus();
        },
      });
      reader.start();

      node.on('input', (msg: SmInMessage, _send, done) => {
        switch (msg.action) {
          case 'pause':
            reader.pause();
            return done();
          case 'resume':
            reader.resume();
            return done();
          case 'seek': {
            const target = Number(msg.sequenceNumber);
            if (!Number.isSafeInteger(target) || target < 0) {
              return reportInputError(node, new ValidationError('msg.sequenceNumber', msg.sequenceNumber, 'must be a sequence number (a whole number of at least 0) to seek to'), done, false);
            }
            reader.seek(target);
            return done();
          }
          default:
            return reportInputError(node, new ValidationError('msg.action', msg.action, 'must be pause, resume or seek in continuous mode'), done, false);
        }
      });

      node.on('close', (_removed: boolean, done: () => void) => {
        reader
          .stop()
          .then(() => sharedConfig.deregister(node))
          .then(done, done);
      });
    }
  }

  RED.nodes.registerType('sm in', SmIn as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
