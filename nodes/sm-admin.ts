// sm admin: create, update, upsert, delete, describe and list streams, list or forget a stream's consumers, check their
// health, or watch it (sm-admin-watch.ts).
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import { errorCodeOf, ResourceNotFoundError, ValidationError } from '../lib/protocol/errors';
import type { MessageStreamDefinition } from '../lib/protocol/model';
import { validateStreamName } from '../lib/protocol/validation';
import { checkHealth, type HealthReport } from '../lib/client/health';
import { listConsumers, removeKnownConsumer } from '../lib/client/consumer';
import { FlowNodeController } from './shared/flow-node-controller';
import { healthWatchSettingsOf, thresholdsOf, type HealthProperties } from './shared/health-settings';
import { showSettingsProblem } from './shared/node-status';
import { HealthWatchNode } from './sm-admin-watch';
import { jsonSafe } from './shared/json-safe';
import { buildDefinition, type DefinitionForm } from './shared/stream-definition';

const ADMIN_ACTIONS = ['create', 'update', 'upsert', 'delete', 'describe', 'list', 'health', 'consumers', 'removeConsumer'] as const;
type AdminAction = (typeof ADMIN_ACTIONS)[number];

interface SmAdminProperties extends NodeDef, DefinitionForm, HealthProperties {
  server: string;
  /** `action` (also when missing, as in flows saved before watching): one action per msg; `watch`: checks health on schedule. */
  mode?: 'action' | 'watch';
  action?: AdminAction;
  /** The stream the action is about; msg.stream or msg.payload.name override it. */
  stream?: string;
  /** The consumer `removeConsumer` forgets; msg.consumer overrides it. */
  consumer?: string;
}

interface SmAdminMessage extends NodeMessageInFlow {
  action?: unknown;
  stream?: unknown;
  consumer?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** The stream's definition as the server holds it now. */
async function currentDefinition(client: StreamManagerClient, name: string): Promise<MessageStreamDefinition> {
  const { definition } = await client.describeMessageStream(name);
  if (!definition) throw new ResourceNotFoundError(`Stream Manager described ${name} without its definition`);
  return definition;
}

/** The definition of `name`, or undefined when there is no such stream. */
async function definitionIfAny(client: StreamManagerClient, name: string): Promise<MessageStreamDefinition | undefined> {
  try {
    return await currentDefinition(client, name);
  } catch (error) {
    if (errorCodeOf(error) === 'ResourceNotFound') return undefined;
    throw error;
  }
}

/**
 * Creates the stream from `definition`, or, when it exists, updates only the fields `overrides` sets: every other field
 * keeps its current value. Resolves with the definition after the call.
 */
async function upsert(client: StreamManagerClient, definition: MessageStreamDefinition, overrides: Record<string, unknown> | undefined): Promise<MessageStreamDefinition> {
  const { name } = definition;
  let current = await definitionIfAny(client, name);
  if (current === undefined) {
    try {
      await client.createMessageStream(definition);
      return await currentDefinition(client, name);
    } catch (error) {
      // Created by someone else between the describe and the create (refused with InvalidRequest): merge into theirs.
      if (errorCodeOf(error) !== 'InvalidRequest') throw error;
      current = await definitionIfAny(client, name);
      if (current === undefined) throw error;
    }
  }
  await client.updateMessageStream(buildDefinition(name, current as DefinitionForm, overrides));
  return currentDefinition(client, name);
}

function actionFor(config: SmAdminProperties, msg: SmAdminMessage): AdminAction {
  const action = msg.action ?? config.action ?? 'describe';
  if (typeof action !== 'string' || !(ADMIN_ACTIONS as readonly string[]).includes(action)) {
    throw new ValidationError('action', action, `must be one of ${ADMIN_ACTIONS.join(', ')}`);
  }
  return action as AdminAction;
}

function streamFor(RED: NodeAPI, config: SmAdminProperties, msg: SmAdminMessage): string {
  const fromPayload = isObject(msg.payload) ? msg.payload.name : undefined;
  const name = fromPayload ?? (msg.stream !== undefined && msg.stream !== '' ? msg.stream : undefined) ?? (config.stream?.trim() || undefined);
  if (name === undefined) throw new ValidationError('stream', name, RED._('sm-admin.errors.noStream'));
  validateStreamName(name, 'stream');
  return name;
}

function consumerFor(RED: NodeAPI, config: SmAdminProperties, msg: SmAdminMessage): string {
  const consumer = msg.consumer !== undefined && msg.consumer !== '' ? msg.consumer : config.consumer?.trim() || undefined;
  if (consumer === undefined) throw new ValidationError('consumer', consumer, RED._('sm-admin.errors.noConsumer'));
  if (typeof consumer !== 'string') throw new ValidationError('consumer', consumer, RED._('sm-admin.errors.consumerNotText'));
  return consumer;
}

/** Forgets the consumer on purpose; a name the stream does not know is refused, so that a typo does not pass unseen. */
async function forgetConsumer(RED: NodeAPI, client: StreamManagerClient, stream: string, consumer: string): Promise<{ stream: string; consumer: string; removed: true }> {
  await removeKnownConsumer(client, stream, consumer, RED._('sm-admin.errors.unknownConsumer', { stream, consumer }));
  return { stream, consumer, removed: true };
}

/** What the action on the named stream answers, for msg.payload. */
async function streamActionResult(RED: NodeAPI, client: StreamManagerClient, config: SmAdminProperties, action: Exclude<AdminAction, 'list' | 'health'>, name: string, msg: SmAdminMessage): Promise<unknown> {
  const overrides = isObject(msg.payload) ? { ...msg.payload, name } : undefined;
  switch (action) {
    case 'consumers':
      return listConsumers(client, name);
    case 'removeConsumer':
      return forgetConsumer(RED, client, name, consumerFor(RED, config, msg));
    case 'delete':
      await client.deleteMessageStream(name);
      return name;
    case 'describe':
      return jsonSafe(await client.describeMessageStream(name));
    case 'create':
    case 'update': {
      const definition = buildDefinition(name, config, overrides);
      await (action === 'create' ? client.createMessageStream(definition) : client.updateMessageStream(definition));
      return jsonSafe(definition);
    }
    case 'upsert':
      return jsonSafe(await upsert(client, buildDefinition(name, config, overrides), overrides));
  }
}

/** The streams a health check is about: msg.stream (a name or an array of names), else the node's Stream; none: all. */
function healthStreamsFor(config: SmAdminProperties, msg: SmAdminMessage): string[] {
  const named = msg.stream !== undefined && msg.stream !== '' ? msg.stream : config.stream?.trim() || undefined;
  const names: unknown[] = named === undefined ? [] : Array.isArray(named) ? named : [named];
  names.forEach((name, index) => validateStreamName(name, Array.isArray(named) ? `stream[${index}]` : 'stream'));
  return names as string[];
}

async function health(client: StreamManagerClient, config: SmAdminProperties, msg: SmAdminMessage): Promise<HealthReport> {
  const streams = healthStreamsFor(config, msg);
  if (streams.length === 1) msg.stream = streams[0];
  return checkHealth(client, { streams, thresholds: thresholdsOf(config) });
}

/** Does the msg's action and puts its result in msg.payload (and the stream it was about in msg.stream). */
async function perform(RED: NodeAPI, client: StreamManagerClient, config: SmAdminProperties, msg: SmAdminMessage): Promise<void> {
  const action = actionFor(config, msg);
  if (action === 'list' || action === 'health') {
    msg.payload = action === 'list' ? await client.listStreams() : await health(client, config, msg);
    return;
  }
  const name = streamFor(RED, config, msg);
  msg.payload = await streamActionResult(RED, client, config, action, name, msg);
  msg.stream = name;
}

export = (RED: NodeAPI): void => {
  /** Watch mode: the settings are read first, so that a bad one shows before anything runs. */
  function watchHealth(node: Node, config: SmAdminProperties): void {
    let settings;
    try {
      settings = healthWatchSettingsOf(config);
    } catch (error) {
      showSettingsProblem(node, RED._('sm-admin.health.status.badSettings'));
      node.error(error);
      return;
    }
    const controller = FlowNodeController.attach(RED, node, config.server, { catalog: 'sm-admin', showsFailure: () => false });
    if (controller) new HealthWatchNode(RED, controller, settings);
  }

  function SmAdmin(this: Node, config: SmAdminProperties): void {
    RED.nodes.createNode(this, config);
    if (config.mode === 'watch') return watchHealth(this, config);
    const controller = FlowNodeController.attach(RED, this, config.server, { catalog: 'sm-admin' });
    if (!controller) return;
    controller.onInput<SmAdminMessage, SmAdminMessage>({
      // Everything the msg asks for is read in `perform`: a bad action or stream shows as the reason of the failure.
      check: (msg) => msg,
      run: async (msg, _msg, send) => {
        await perform(RED, controller.client, config, msg);
        send(msg as NodeMessage);
      },
      operation: (msg) => {
        const action = msg.action ?? config.action;
        return action === 'create' || action === 'removeConsumer' ? action : 'other';
      },
    });
  }

  RED.nodes.registerType('sm admin', SmAdmin as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
