// sm out: appends msg.payload to a stream and sends the msg on with its sequence number.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import { ValidationError } from '../lib/protocol/errors';
import { validateStreamName } from '../lib/protocol/validation';
import { AppendQueue, QueueFullError } from './shared/append-queue';
import { FlowNodeController } from './shared/flow-node-controller';
import type { Done, SendMsgs } from './shared/input-handler';
import { jsonSafe } from './shared/json-safe';
import { groupWindowMs, payloadModeOf, type OutPayloadSettings } from './shared/out-payload';
import { OutPayloadAppender } from './shared/out-payload-appender';
import { createOutStream } from './shared/out-stream-creation';
import { payloadToBytes } from './shared/payload-encoding';
import { S3OutcomesOutput } from './shared/s3-outcomes-output';
import { buildDefinition, type DefinitionForm } from './shared/stream-definition';

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

/** Raw payloads to append; empty when the node's Payload setting builds them (SiteWise entries, S3 tasks). */
interface Append {
  stream: string;
  payloads: Buffer[];
}

const MAX_IN_FLIGHT = 64;
const DEFAULT_MAX_QUEUED = 1000;
const CLOSE_GRACE_MS = 5_000;
/** The queue's grace, then the S3 outcomes' last write; inside Node-RED's 15 s. */
const CLOSE_LIMIT_MS = 8_000;

function queueLimitOf(config: SmOutProperties): number {
  if (config.maxQueued === undefined || String(config.maxQueued).trim() === '') return DEFAULT_MAX_QUEUED;
  const limit = Number(config.maxQueued);
  return Number.isInteger(limit) && limit >= 0 ? limit : DEFAULT_MAX_QUEUED;
}

function streamFor(RED: NodeAPI, node: Node, config: SmOutProperties, msg: SmOutMessage): string {
  const configured = config.stream?.trim();
  const name: unknown = configured ? RED.util.evaluateNodeProperty(configured, config.streamType ?? 'str', node, msg) : msg.stream;
  if (name === undefined || name === null || name === '') {
    throw new ValidationError('stream', name, RED._('sm-out.errors.noStream'));
  }
  validateStreamName(name, 'stream');
  return name;
}

function appendOf(RED: NodeAPI, node: Node, config: SmOutProperties, msg: SmOutMessage): Append {
  const stream = streamFor(RED, node, config, msg);
  if (payloadModeOf(config) !== 'raw') return { stream, payloads: [] };
  if (!(config.batch && Array.isArray(msg.payload))) return { stream, payloads: [payloadToBytes(msg.payload)] };
  if (msg.payload.length === 0) throw new ValidationError('msg.payload', msg.payload, RED._('sm-out.errors.emptyBatch'));
  return { stream, payloads: msg.payload.map((element, index) => payloadToBytes(element, `msg.payload[${index}]`)) };
}

/** The ordered, bounded pipeline of appends on the node's client, creating a missing stream when set to. */
function appendQueueOf(controller: FlowNodeController, config: SmOutProperties, limit: number): AppendQueue {
  const client: StreamManagerClient = controller.client;
  const creating = new Map<string, Promise<boolean>>();
  const createMissingStream = (stream: string): Promise<boolean> => {
    if (!config.createStream) return Promise.resolve(false);
    let pending = creating.get(stream);
    if (!pending) {
      pending = createOutStream(client, buildDefinition(stream, config), payloadModeOf(config), config).finally(() => creating.delete(stream));
      creating.set(stream, pending);
    }
    return pending;
  };
  const target = {
    get connected() {
      return controller.status.connected;
    },
    append: (stream: string, payload: Buffer) => client.appendMessage(stream, payload),
    createMissingStream,
  };
  return new AppendQueue(target, { maxInFlight: MAX_IN_FLIGHT, maxWaiting: limit, onWaitingChange: (waiting) => controller.status.countChanged(waiting) });
}

/** With Payload "IoT SiteWise value" or "S3 upload task": what builds the appends, and the S3 outcomes output. */
function payloadAppenderOf(RED: NodeAPI, node: Node, config: SmOutProperties, queue: AppendQueue, client: StreamManagerClient) {
  const mode = payloadModeOf(config);
  if (mode === 'raw') return undefined;
  const statusStream = config.s3StatusStream?.trim();
  const outcomes =
    mode === 's3task' && config.s3Outcomes && statusStream
      ? new S3OutcomesOutput(node, client, statusStream, { full: () => RED._('sm-out.warnings.outcomesFull'), warning: (text) => RED._('sm-out.warnings.outcomes', { text }) })
      : undefined;
  if (mode === 's3task' && config.s3Outcomes && !statusStream) node.warn(RED._('sm-out.warnings.noStatusStream'));
  const appender = new OutPayloadAppender({
    mode,
    settings: config,
    windowMs: groupWindowMs(config),
    push: (job) => queue.push(job),
    succeeded: (msg, send, done) => {
      send(msg as NodeMessage);
      done();
    },
    failed: (error, done) => done(error),
    warnUnreadable: (problem) => node.warn(RED._('sm-out.warnings.fileUnreadable', { problem })),
    taskAppended: outcomes ? (task) => outcomes.taskAppended(task) : undefined,
  });
  return { appender, outcomes };
}

function appendRaw(queue: AppendQueue, config: SmOutProperties, { stream, payloads }: Append, msg: SmOutMessage, send: SendMsgs, finished: Done): void {
  queue.push({
    stream,
    payloads,
    resolve: (sequenceNumbers) => {
      msg.stream = stream;
      if (config.batch && Array.isArray(msg.payload)) msg.sequenceNumbers = sequenceNumbers.map(jsonSafe);
      else msg.sequenceNumber = jsonSafe(sequenceNumbers[0]);
      send(msg as NodeMessage);
      finished();
    },
    reject: finished,
  });
}

export = (RED: NodeAPI): void => {
  function SmOut(this: Node, config: SmOutProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const controller = FlowNodeController.attach(RED, node, config.server, {
      catalog: 'sm-out',
      // A full queue is already in the status; other reasons replace the connection state until the next success.
      showsFailure: (error, connected) => connected && !(error instanceof QueueFullError),
    });
    if (!controller) return;
    const limit = queueLimitOf(config);
    const queue = appendQueueOf(controller, config, limit);
    controller.status.showWith((): NodeStatus | undefined => {
      const waiting = queue.waitingCount;
      if (waiting === 0) return undefined;
      const fill = waiting >= limit ? 'red' : controller.status.connected ? 'green' : 'yellow';
      return { fill, shape: 'ring', text: controller.configNode.reasonText({ key: 'queue', values: { count: waiting, max: limit } }) };
    });
    controller.onConnection((connection) => {
      if (connection.state === 'connected') queue.pump();
    });
    const built = payloadAppenderOf(RED, node, config, queue, controller.client);
    controller.onClose(async () => {
      built?.appender.flush();
      await queue.stop(CLOSE_GRACE_MS);
      await built?.outcomes?.stop();
    }, CLOSE_LIMIT_MS);
    controller.onInput<SmOutMessage, Append>({
      check: (msg) => appendOf(RED, node, config, msg),
      operation: () => 'append',
      // The appender checks the msg at once (a throw is bad input) and says when its appends are acknowledged.
      start: (append, msg, send, finished) => (built ? built.appender.handle(append.stream, msg, send, finished) : appendRaw(queue, config, append, msg, send, finished)),
    });
  }

  RED.nodes.registerType('sm out', SmOut as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
