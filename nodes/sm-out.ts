// sm out: appends msg.payload to a stream and sends the msg on with its sequence number.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import { ValidationError } from '../lib/protocol/errors';
import { validateStreamName } from '../lib/protocol/validation';
import { AppendQueue, QueueFullError } from './shared/append-queue';
import { configNodeOf } from './shared/config-node-of';
import { reportInputError, reportRequestFailure } from './shared/input-error';
import { jsonSafe } from './shared/json-safe';
import { payloadToBytes } from './shared/payload-encoding';
import { buildDefinition, type DefinitionForm } from './shared/stream-definition';
import { createOutStream } from './shared/out-stream-creation';
import { groupWindowMs, payloadModeOf, type OutPayloadSettings } from './shared/out-payload';
import { OutPayloadAppender } from './shared/out-payload-appender';
import { S3OutcomesOutput } from './shared/s3-outcomes-output';

interface SmOutProperties extends NodeDef, DefinitionForm, OutPayloadSettings {
  /** With S3 upload task: each task's outcome leaves by a second output. */
  s3Outcomes?: boolean;
  server: string;
  stream?: string;
  streamType?: 'str' | 'msg' | 'flow' | 'global' | 'env';
  /** An array payload becomes one message per element. */
  batch?: boolean;
  /** Create the stream from the definition below when it does not exist. */
  createStream?: boolean;
  /** Msgs that may wait while Stream Manager is unreachable. */
  maxQueued?: string | number;
}

interface SmOutMessage extends NodeMessageInFlow {
  stream?: unknown;
  sequenceNumber?: unknown;
  sequenceNumbers?: unknown[];
}

const MAX_IN_FLIGHT = 64;
const DEFAULT_MAX_QUEUED = 1000;
const CLOSE_GRACE_MS = 5_000;
/** The queued count changes with every msg; the status follows it at most this often (each update reaches the editor). */
const QUEUED_STATUS_INTERVAL_MS = 250;

export = (RED: NodeAPI): void => {
  function SmOut(this: Node, config: SmOutProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const configNode = configNodeOf(RED, node, config.server, 'sm-out');
    if (!configNode) return;
    const maxQueued = config.maxQueued === undefined || String(config.maxQueued).trim() === '' ? DEFAULT_MAX_QUEUED : Number(config.maxQueued);
    let connected = false;
    let lastConnection = configNode.connectionStatus;
    const creating = new Map<string, Promise<boolean>>();
    const queueLimit = Number.isInteger(maxQueued) && maxQueued >= 0 ? maxQueued : DEFAULT_MAX_QUEUED;
    /** A failed append's reason stays in the status until the next append succeeds or the queue or connection changes. */
    let failureShown = false;

    const showStatus = (): void => {
      failureShown = false;
      const waiting = queue?.waitingCount ?? 0;
      if (waiting > 0) {
        const fill = waiting >= queueLimit ? 'red' : connected ? 'green' : 'yellow';
        node.status({ fill, shape: 'ring', text: configNode.reasonText({ key: 'queue', values: { count: waiting, max: queueLimit } }) });
      } else node.status(configNode.nodeStatus(lastConnection));
    };
    // Every change between an empty and a non-empty queue is shown at once; the count while it stays non-empty, at
    // most every QUEUED_STATUS_INTERVAL_MS and once more after the last change.
    let shownQueued = false;
    let statusTimer: NodeJS.Timeout | undefined;
    const onWaitingChange = (waiting: number): void => {
      if (waiting > 0 !== shownQueued) {
        shownQueued = waiting > 0;
        showStatus();
      } else if (shownQueued) {
        statusTimer ??= setTimeout(() => {
          statusTimer = undefined;
          showStatus();
        }, QUEUED_STATUS_INTERVAL_MS);
      }
    };

    let client: StreamManagerClient;
    const payloadMode = payloadModeOf(config);
    const queue: AppendQueue = new AppendQueue(
      {
        get connected() {
          return connected;
        },
        append: (stream, payload) => client.appendMessage(stream, payload),
        createMissingStream: (stream) => {
          if (!config.createStream) return Promise.resolve(false);
          let pending = creating.get(stream);
          if (!pending) {
            pending = createOutStream(client, buildDefinition(stream, config), payloadMode, config).finally(() => creating.delete(stream));
            creating.set(stream, pending);
          }
          return pending;
        },
      },
      { maxInFlight: MAX_IN_FLIGHT, maxWaiting: queueLimit, onWaitingChange },
    );

    client = configNode.register(node, (status) => {
      lastConnection = status;
      connected = status.state === 'connected';
      showStatus();
      if (connected) queue.pump();
    });

    const streamFor = (msg: SmOutMessage): string => {
      const configured = config.stream?.trim();
      const name: unknown = configured ? RED.util.evaluateNodeProperty(configured, config.streamType ?? 'str', node, msg) : msg.stream;
      if (name === undefined || name === null || name === '') {
        throw new ValidationError('stream', name, RED._('sm-out.errors.noStream'));
      }
      validateStreamName(name, 'stream');
      return name;
    };

    const appendSucceeded = (msg: SmOutMessage, send: (msg: NodeMessage) => void, done: () => void): void => {
      if (failureShown) showStatus();
      send(msg as NodeMessage);
      done();
    };
    const appendFailed = (error: Error, done: (error?: Error) => void): void => {
      // A full queue is already in the status; other reasons replace the connection state until the next success.
      const showReason = !(error instanceof QueueFullError) && connected;
      reportRequestFailure(node, configNode, error, done, showReason);
      if (showReason) failureShown = true;
    };
    const statusStream = config.s3StatusStream?.trim();
    const outcomes =
      payloadMode === 's3task' && config.s3Outcomes && statusStream
        ? new S3OutcomesOutput(node, client, statusStream, {
            full: () => RED._('sm-out.warnings.outcomesFull'),
            warning: (text) => RED._('sm-out.warnings.outcomes', { text }),
          })
        : undefined;
    if (payloadMode === 's3task' && config.s3Outcomes && !statusStream) node.warn(RED._('sm-out.warnings.noStatusStream'));
    const appender = new OutPayloadAppender({
      mode: payloadMode,
      settings: config,
      windowMs: groupWindowMs(config),
      push: (job) => queue.push(job),
      succeeded: appendSucceeded,
      failed: appendFailed,
      warnUnreadable: (problem) => node.warn(RED._('sm-out.warnings.fileUnreadable', { problem })),
      taskAppended: outcomes ? (task) => outcomes.taskAppended(task) : undefined,
    });

    node.on('input', (msg: SmOutMessage, send, done) => {
      let stream: string;
      let payloads: Buffer[];
      try {
        stream = streamFor(msg);
        if (payloadMode !== 'raw') {
          appender.handle(stream, msg, send, done);
          return;
        }
        if (config.batch && Array.isArray(msg.payload)) {
          if (msg.payload.length === 0) throw new ValidationError('msg.payload', msg.payload, RED._('sm-out.errors.emptyBatch'));
          payloads = msg.payload.map((element, index) => payloadToBytes(element, `msg.payload[${index}]`));
        } else {
          payloads = [payloadToBytes(msg.payload)];
        }
      } catch (error) {
        reportInputError(node, error, done, false);
        return;
      }
      queue.push({
        stream,
        payloads,
        resolve: (sequenceNumbers) => {
          msg.stream = stream;
          if (config.batch && Array.isArray(msg.payload)) msg.sequenceNumbers = sequenceNumbers.map(jsonSafe);
          else msg.sequenceNumber = jsonSafe(sequenceNumbers[0]);
          appendSucceeded(msg, send, done);
        },
        reject: (error) => appendFailed(error, done),
      });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      clearTimeout(statusTimer);
      appender.flush();
      queue
        .stop(CLOSE_GRACE_MS)
        .then(() => outcomes?.stop())
        .then(() => configNode.deregister(node))
        .then(done, done);
    });
  }

  RED.nodes.registerType('sm out', SmOut as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
