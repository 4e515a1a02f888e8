// The editor's HTTP API under /greengrass-stream-manager/: streams, messages, exports, consumers and dead letters of
// a deployed sm-config node's server, for the Stream Manager sidebar and the stream pickers of the node dialogs.
// Reads need greengrass-stream-manager.read, changes greengrass-stream-manager.write; errors are JSON { error, code }.
import type { NodeAPI } from 'node-red';
import type { Request, RequestHandler, Response } from 'express';
import type { StreamManagerClient } from '../../lib/client/client';
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import type { MessageStreamDefinition, MessageStreamInfo } from '../../lib/protocol/model';
import { validateStreamName } from '../../lib/protocol/validation';
import { AdminRequestError, adminErrorAnswer } from './admin-error';
import type { SmConfigNode } from './config-contract';
import { isCheckpointStream, listConsumers, type ConsumerListing } from '../../lib/client/consumer';
import { discardDeadLetters, letterSelectionFrom, listDeadLetters, pendingDeadLetterCount, retryDeadLetters, HANDLED_STREAM_PREFIX } from './dead-letter-desk';
import { EditorClientLeases } from './editor-client-leases';
import { jsonSafe } from './json-safe';
import { readMessageWindow, windowRequestFrom } from './message-window';
import { buildDefinition, type DefinitionForm } from './stream-definition';
import { consumerLag, exportProgress, summarizeStream } from './stream-summary';
import { inBatches } from '../../lib/client/in-batches';

export const ADMIN_PATH = '/greengrass-stream-manager';
export const READ_PERMISSION = 'greengrass-stream-manager.read';
export const WRITE_PERMISSION = 'greengrass-stream-manager.write';
/** Streams described for one overview; a server with more gets the first ones by name and `truncated`. */
export const MAX_OVERVIEW_STREAMS = 500;
const DESCRIBE_CONCURRENCY = 8;
const MAX_LISTED_DEAD_LETTERS = 200;
/** Streams that consumers and this sidebar keep for themselves. */
const isInternal = (name: string): boolean => isCheckpointStream(name) || name.startsWith(HANDLED_STREAM_PREFIX);

interface Call {
  request: Request;
  config: SmConfigNode;
  client: StreamManagerClient;
}

type Answer = { status: number; body: unknown } | unknown;

function streamParam(request: Request): string {
  const name: unknown = request.params.stream;
  validateStreamName(name, 'stream');
  return name;
}

function definitionForm(definition: MessageStreamDefinition | undefined): DefinitionForm & { name?: string } {
  if (!definition) return {};
  return {
    name: definition.name,
    maxSize: definition.maxSize === undefined ? undefined : String(definition.maxSize),
    streamSegmentSize: definition.streamSegmentSize === undefined ? undefined : String(definition.streamSegmentSize),
    timeToLiveMillis: definition.timeToLiveMillis === undefined ? undefined : String(definition.timeToLiveMillis),
    strategyOnFull: StrategyOnFull[definition.strategyOnFull] ?? 'OverwriteOldestData',
    persistence: Persistence[definition.persistence ?? Persistence.File] ?? 'File',
    flushOnWrite: definition.flushOnWrite === true,
    exportDefinition: definition.exportDefinition && Object.keys(definition.exportDefinition).length > 0 ? JSON.stringify(jsonSafe(definition.exportDefinition), null, 2) : '',
  };
}

function formBody(request: Request): DefinitionForm & { name?: unknown } {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AdminRequestError('the body must be a JSON object of stream definition fields', 'Validation', 400);
  }
  return body as DefinitionForm & { name?: unknown };
}

async function consumerOf(client: StreamManagerClient, stream: string, consumer: string): Promise<ConsumerListing> {
  const found = (await listConsumers(client, stream)).find((position) => position.consumer === consumer);
  if (!found) throw new AdminRequestError(`stream ${stream} has no consumer named ${consumer}`, 'ResourceNotFound', 404);
  return found;
}

export function registerAdminEndpoints(RED: NodeAPI): void {
  const leases = new EditorClientLeases(RED);
  const read = RED.auth.needsPermission(READ_PERMISSION);
  const write = RED.auth.needsPermission(WRITE_PERMISSION);

  const endpoint =
    (work: (call: Call) => Promise<Answer>): RequestHandler =>
    (request: Request, response: Response) => {
      const config = leases.configNode(String(request.params.id));
      if (!config) {
        response.status(404).json({ error: RED._('sm-config.errors.notDeployed'), code: 'UnknownConfig' });
        return;
      }
      Promise.resolve()
        .then(() => work({ request, config, client: leases.client(config) }))
        .then(
          (answer) => {
            if (typeof answer === 'object' && answer !== null && 'status' in answer && 'body' in answer) response.status(answer.status as number).json(answer.body);
            else response.json(answer);
          },
          (error: unknown) => {
            const { status, body } = adminErrorAnswer(error);
            response.status(status).json(body);
          },
        );
    };

  const path = (tail: string) => `${ADMIN_PATH}/:id${tail}`;

  // The connection state, without opening a connection for it.
  RED.httpAdmin.get(path('/state'), read, (request: Request, response: Response) => {
    const config = leases.configNode(String(request.params.id));
    if (!config) response.status(404).json({ error: RED._('sm-config.errors.notDeployed'), code: 'UnknownConfig' });
    else response.json(config.connectionStatus);
  });

  // Stream names, sorted: the stream pickers of the node dialogs.
  RED.httpAdmin.get(path('/streams'), read, endpoint(async ({ client }) => ({ streams: [...(await client.listStreams())].sort() })));

  // Every stream with its size, count, range and settings: the sidebar's list.
  RED.httpAdmin.get(
    path('/overview'),
    read,
    endpoint(async ({ client, config }) => {
      const names = [...(await client.listStreams())].sort();
      const shown = names.slice(0, MAX_OVERVIEW_STREAMS);
      const streams = await inBatches(shown, DESCRIBE_CONCURRENCY, async (name) => {
        try {
          const summary = summarizeStream(name, await client.describeMessageStream(name));
          return { ...summary, internal: isInternal(name) };
        } catch (error) {
          if ((error as { code?: string }).code === 'ResourceNotFound') return undefined; // deleted in between
          throw error;
        }
      });
      return { state: config.connectionStatus, streams: streams.filter((stream) => stream !== undefined), truncated: names.length > shown.length, total: names.length };
    }),
  );

  RED.httpAdmin.post(
    path('/streams'),
    write,
    endpoint(async ({ request, client }) => {
      const form = formBody(request);
      const definition = buildDefinition(form.name, form);
      await client.createMessageStream(definition);
      return { status: 201, body: { definition: jsonSafe(definition) } };
    }),
  );

  // One stream: definition, storage, exports with their lag, consumers with their position, lag and dead letters.
  RED.httpAdmin.get(
    path('/streams/:stream'),
    read,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      const info: MessageStreamInfo = await client.describeMessageStream(stream);
      const consumers = await Promise.all(
        (await listConsumers(client, stream)).map(async (position) => ({
          consumer: position.consumer,
          nextSequenceNumber: position.nextSequenceNumber,
          committedAt: position.committedAt,
          lag: consumerLag(position.nextSequenceNumber, info),
          deadLetterStream: position.deadLetterStream,
          deadLetters: await pendingDeadLetterCount(client, position),
        })),
      );
      return { summary: summarizeStream(stream, info), form: definitionForm(info.definition), exports: exportProgress(info), consumers };
    }),
  );

  RED.httpAdmin.put(
    path('/streams/:stream'),
    write,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      const form = formBody(request);
      if (form.name !== undefined && form.name !== stream) {
        throw new AdminRequestError(`a stream cannot be renamed: the body names ${JSON.stringify(form.name)}, the path ${stream}`, 'Validation', 400);
      }
      const definition = buildDefinition(stream, form);
      await client.updateMessageStream(definition);
      return { definition: jsonSafe(definition) };
    }),
  );

  RED.httpAdmin.delete(
    path('/streams/:stream'),
    write,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      await client.deleteMessageStream(stream);
      return { deleted: stream };
    }),
  );

  // A bounded window of messages: ?newest=N, or ?from=S&count=N.
  RED.httpAdmin.get(
    path('/streams/:stream/messages'),
    read,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      const window = windowRequestFrom(request.query as Record<string, unknown>);
      return readMessageWindow(client, stream, await client.describeMessageStream(stream), window);
    }),
  );

  RED.httpAdmin.get(
    path('/streams/:stream/dead-letters'),
    read,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      const consumer = typeof request.query.consumer === 'string' ? request.query.consumer : '';
      return listDeadLetters(client, await consumerOf(client, stream, consumer), MAX_LISTED_DEAD_LETTERS);
    }),
  );

  RED.httpAdmin.post(
    path('/streams/:stream/dead-letters/retry'),
    write,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      const { consumer, ids } = letterSelectionFrom(request.body);
      return { retried: await retryDeadLetters(client, await consumerOf(client, stream, consumer), ids) };
    }),
  );

  RED.httpAdmin.post(
    path('/streams/:stream/dead-letters/discard'),
    write,
    endpoint(async ({ request, client }) => {
      const stream = streamParam(request);
      const { consumer, ids } = letterSelectionFrom(request.body);
      return { discarded: await discardDeadLetters(client, await consumerOf(client, stream, consumer), ids) };
    }),
  );
}
