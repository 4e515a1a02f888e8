// The admin endpoints' routes for a consumer's dead letters: listing them, retrying and discarding a selection.
import { listConsumers, type ConsumerListing } from '../../lib/client/consumer';
import type { StreamManagerClient } from '../../lib/client/client';
import { streamParam, type AdminCall, type AdminAnswer } from './admin-call';
import { AdminRequestError } from './admin-error';
import { discardDeadLetters, letterSelectionFrom, listDeadLetters, retryDeadLetters } from './dead-letter-desk';

const MAX_LISTED_DEAD_LETTERS = 200;

async function consumerOf(client: StreamManagerClient, stream: string, consumer: string): Promise<ConsumerListing> {
  const found = (await listConsumers(client, stream)).find((position) => position.consumer === consumer);
  if (!found) throw new AdminRequestError(`stream ${stream} has no consumer named ${consumer}`, 'ResourceNotFound', 404);
  return found;
}

export async function deadLetters({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  const consumer = typeof request.query.consumer === 'string' ? request.query.consumer : '';
  return listDeadLetters(client, await consumerOf(client, stream, consumer), MAX_LISTED_DEAD_LETTERS);
}

export async function retrySelectedDeadLetters({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  const { consumer, ids } = letterSelectionFrom(request.body);
  return { retried: await retryDeadLetters(client, await consumerOf(client, stream, consumer), ids) };
}

export async function discardSelectedDeadLetters({ request, client }: AdminCall): Promise<AdminAnswer> {
  const stream = streamParam(request);
  const { consumer, ids } = letterSelectionFrom(request.body);
  return { discarded: await discardDeadLetters(client, await consumerOf(client, stream, consumer), ids) };
}
