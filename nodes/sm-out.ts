// sm out: appends msg.payload to a stream and sends the msg on with its sequence number.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import { ValidationError } from '../lib/protocol/errors';
import type { Int64 } from '../lib/protocol/model';
import { validateStreamName } from '../lib/protocol/validation';
import { AppendQueue, QueueFullError } from './shared/append-queue';
import { createStreamUnlessExists } from './shared/create-stream-unless-exists';
import { FlowNodeController } from './shared/flow-node-controller';
import { jsonSafe } from './shared/json-safe';
import { payloadToBytes } from './shared/payload-encoding';
import { buildDefinition, type DefinitionForm } from './shared/stream-definition';

interface SmOutProperties extends NodeDef, DefinitionForm {
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

interface Append {
  stream: string;
  payloads: Buffer[];
}

const MAX_IN_FLIGHT = 64;
const DEFAULT_MAX_QUEUED = 1000;
const CLOSE_GRACE_MS = 5_000;

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
      pending = createStreamUnlessExists(client, buildDefinition(stream, config))
        .then(() => true)
        .finally(() => creating.delete(stream));
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
    controller.onClose(() => queue.stop(CLOSE_GRACE_MS), CLOSE_GRACE_MS);
    controller.onInput<SmOutMessage, Append>({
      check: (msg) => appendOf(RED, node, config, msg),
      operation: () => 'append',
      run: async ({ stream, payloads }, msg, send) => {
        const sequenceNumbers = await new Promise<Int64[]>((resolve, reject) => queue.push({ stream, payloads, resolve, reject }));
        msg.stream = stream;
        if (config.batch && Array.isArray(msg.payload)) msg.sequenceNumbers = sequenceNumbers.map(jsonSafe);
        else msg.sequenceNumber = jsonSafe(sequenceNumbers[0]);
        send(msg as NodeMessage);
      },
    });
  }

  RED.nodes.registerType('sm out', SmOut as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
