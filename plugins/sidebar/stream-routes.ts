// The admin endpoints' routes for streams: names for the dialogs' stream pickers, the sidebar's overview, one stream
// in detail, creating, updating and deleting one, forgetting one of its consumers, and a window of its messages.
import { listConsumers, isCheckpointStream, removeKnownConsumer } from '../../lib/client/consumer';
import type { StreamManagerClient } from '../../lib/client/client';
import { inBatches } from '../../lib/client/in-batches';
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import type { MessageStreamDefinition, MessageStreamInfo } from '../../lib/protocol/model';
import { jsonSafe } from '../../nodes/shared/json-safe';
import { buildDefinition, type DefinitionForm } from '../../nodes/shared/stream-definition';
import { formBody, streamParam, type AdminCall, type AdminAnswer } from './admin-call';
import { AdminRequestError } from './admin-error';
import { HANDLED_STREAM_PREFIX, pendingDeadLetterCount } from './dead-letter-desk';
import { readMessageWindow, windowRequestFrom } from './message-window';
import { consumerLag, exportProgress, summarizeStream } from './stream-summary';

/** Streams described for one overview; a server with more gets the first ones by name and `truncated`. */
const MAX_OVERVIEW_STREAMS = 500;
const DESCRIBE_CONCURRENCY = 8;
/** Streams that consumers and this sidebar keep for themselves. */
const isInternal = (name: string): boolean => isCheckpointStream(name) || name.startsWith(HANDLED_STREAM_PREFIX);

/** A stream's definition as the fields of the sidebar's definition form. */
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

async function describeForOverview(client: StreamManagerClient, name: string) {
  try {
    return { ...summarizeStream(name, await client.describeMessageStream(name)), internal: isInternal(name) };
  } catch (error) {
    if ((error as { code?: string }).code === 'ResourceNotFound') return undefined; // deleted in between
    throw error;
  }
}

/** Stream names, sorted: the stream pickers of the node dialogs. */
export async function streamNames({ client }: AdminCall): Promise<AdminAnswer> {
  return { streams: [...(await client.listStreams())].sort() };
}

/** Every stream with its size, count, range and settings: the sidebar's list. */
export async function streamOverview({ client, config }: AdminCall): Promise<AdminAnswer> {
  const names = [...(await client.listStreams())].sort();
  const shown = names.slice(0, MAX_OVERVIEW_STREAMS);
  const streams = await inBatches(shown, DESCRIBE_CONCURRENCY, (name) => describeForOverview(client, name));
  return { state: config.connectionStatus, streams: streams.filter((stream) => stream !== undefined), truncated: names.length > shown.length, total: names.length };
}

export async function createStream({ request, client }: AdminCall): Promise<AdminAnswer> {
  const form = formBody(request);
  const definition = buildDefinition(form.name, form);
  await client.createMessageStream(definition);
  return { status: 201, body: { definition: jsonSafe(definition) } };
}

/** One stream: definition, storage, exports with their lag, consumers with their position, lag and dead letters. */
export async function describeStream({ request, client }: AdminCall): Promise<AdminAnswer> {
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
}

export async function updateStream({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  const form = formBody(request);
  if (form.name !== undefined && form.name !== stream) {
    throw new AdminRequestError(`a stream cannot be renamed: the body names ${JSON.stringify(form.name)}, the path ${stream}`, 'Validation', 400);
  }
  const definition = buildDefinition(stream, form);
  await client.updateMessageStream(definition);
  return { definition: jsonSafe(definition) };
}

export async function deleteStream({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  await client.deleteMessageStream(stream);
  return { deleted: stream };
}

/** Forgets a consumer that is gone for good (its position and delivery counts); a name the stream does not know is a 404. */
export async function forgetStreamConsumer({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  const consumer = String(request.params.consumer);
  await removeKnownConsumer(client, stream, consumer);
  return { removed: consumer };
}

/** A bounded window of messages: ?newest=N, or ?from=S&count=N. */
export async function streamMessages({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  const window = windowRequestFrom(request.query as Record<string, unknown>);
  return readMessageWindow(client, stream, await client.describeMessageStream(stream), window);
}
