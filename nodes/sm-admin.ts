// sm admin: create, update, upsert, delete, describe and list streams.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { StreamManagerClient } from '../lib/client/client';
import { InvalidRequestError, ResourceNotFoundError, ValidationError } from '../lib/protocol/errors';
import type { MessageStreamDefinition } from '../lib/protocol/model';
import { validateStreamName } from '../lib/protocol/validation';
import { configNodeOf } from './shared/config-node-of';
import { reportRequestFailure } from './shared/input-error';
import { jsonSafe } from './shared/json-safe';
import { buildDefinition, type DefinitionForm } from './shared/stream-definition';

const ADMIN_ACTIONS = ['create', 'update', 'upsert', 'delete', 'describe', 'list'] as const;
type AdminAction = (typeof ADMIN_ACTIONS)[number];

interface SmAdminProperties extends NodeDef, DefinitionForm {
  server: string;
  action?: AdminAction;
  /** The stream the action is about; msg.stream or msg.payload.name override it. */
  stream?: string;
}

interface SmAdminMessage extends NodeMessageInFlow {
  action?: unknown;
  stream?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

export = (RED: NodeAPI): void => {
  function SmAdmin(this: Node, config: SmAdminProperties): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const configNode = configNodeOf(RED, node, config.server, 'sm-admin');
    if (!configNode) return;
    const client: StreamManagerClient = configNode.register(node);

    const actionFor = (msg: SmAdminMessage): AdminAction => {
      const action = msg.action ?? config.action ?? 'describe';
      if (typeof action !== 'string' || !(ADMIN_ACTIONS as readonly string[]).includes(action)) {
        throw new ValidationError('action', action, `must be one of ${ADMIN_ACTIONS.join(', ')}`);
      }
      return action as AdminAction;
    };

    const streamFor = (msg: SmAdminMessage): string => {
      const fromPayload = isObject(msg.payload) ? msg.payload.name : undefined;
      const name = fromPayload ?? (msg.stream !== undefined && msg.stream !== '' ? msg.stream : undefined) ?? (config.stream?.trim() || undefined);
      if (name === undefined) throw new ValidationError('stream', name, RED._('sm-admin.errors.noStream'));
      validateStreamName(name, 'stream');
      return name;
    };

    const definitionFor = (msg: SmAdminMessage) => {
      const name = streamFor(msg);
      const overrides = isObject(msg.payload) ? { ...msg.payload, name } : undefined;
      return buildDefinition(name, config, overrides);
    };

    /** The stream's definition as the server holds it now. */
    const currentDefinition = async (name: string): Promise<MessageStreamDefinition> => {
      const { definition } = await client.describeMessageStream(name);
      if (!definition) throw new ResourceNotFoundError(`Stream Manager described ${name} without its definition`);
      return definition;
    };

    /**
     * Creates the stream from the node's form and msg.payload, or, when it exists, updates only the fields msg.payload
     * sets: every other field keeps its current value. Resolves with the definition after the call.
     */
    const upsert = async (msg: SmAdminMessage): Promise<MessageStreamDefinition> => {
      const name = streamFor(msg);
      const overrides = isObject(msg.payload) ? { ...msg.payload, name } : undefined;
      let current: MessageStreamDefinition | undefined;
      try {
        current = await currentDefinition(name);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundError)) throw error;
      }
      if (current === undefined) {
        try {
          await client.createMessageStream(buildDefinition(name, config, overrides));
          return await currentDefinition(name);
        } catch (error) {
          // Created by someone else between the describe and the create: merge into theirs.
          if (!(error instanceof InvalidRequestError && /already exists/.test(error.message))) throw error;
          current = await currentDefinition(name);
        }
      }
      await client.updateMessageStream(buildDefinition(name, current as DefinitionForm, overrides));
      return currentDefinition(name);
    };

    const perform = async (msg: SmAdminMessage): Promise<void> => {
      switch (actionFor(msg)) {
        case 'create': {
          const definition = definitionFor(msg);
          await client.createMessageStream(definition);
          msg.stream = definition.name;
          msg.payload = jsonSafe(definition);
          return;
        }
        case 'update': {
          const definition = definitionFor(msg);
          await client.updateMessageStream(definition);
          msg.stream = definition.name;
          msg.payload = jsonSafe(definition);
          return;
        }
        case 'upsert': {
          const definition = await upsert(msg);
          msg.stream = definition.name;
          msg.payload = jsonSafe(definition);
          return;
        }
        case 'delete': {
          const name = streamFor(msg);
          await client.deleteMessageStream(name);
          msg.stream = name;
          msg.payload = name;
          return;
        }
        case 'describe': {
          const name = streamFor(msg);
          msg.payload = jsonSafe(await client.describeMessageStream(name));
          msg.stream = name;
          return;
        }
        case 'list':
          msg.payload = await client.listStreams();
          return;
      }
    };

    /** A failure's reason stays in the status until the next action succeeds. */
    let failureShown = false;
    node.on('input', (msg: SmAdminMessage, send, done) => {
      perform(msg).then(
        () => {
          if (failureShown) {
            failureShown = false;
            node.status(configNode.nodeStatus(configNode.connectionStatus));
          }
          send(msg as NodeMessage);
          done();
        },
        (error: unknown) => {
          failureShown = true;
          reportRequestFailure(node, configNode, error, done);
        },
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      configNode.deregister(node).then(done, done);
    });
  }

  RED.nodes.registerType('sm admin', SmAdmin as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
