// One call of the editor's admin endpoints as a route handler sees it: the request, the deployed sm-config node it
// names and that node's shared client; and the checks every route makes of its path and body.
import type { Request } from 'express';
import type { StreamManagerClient } from '../../lib/client/client';
import { validateStreamName } from '../../lib/protocol/validation';
import type { SmConfigNode } from '../../nodes/shared/config-contract';
import type { DefinitionForm } from '../../nodes/shared/stream-definition';
import { AdminRequestError } from './admin-error';

export interface AdminCall {
  request: Request;
  config: SmConfigNode;
  client: StreamManagerClient;
}

/** What a route answers: a JSON body (status 200), or a status with its body. */
export type AdminAnswer = { status: number; body: unknown } | unknown;

export type AdminRoute = (call: AdminCall) => Promise<AdminAnswer>;

export function streamParam(request: Request): string {
  const name: unknown = request.params.stream;
  validateStreamName(name, 'stream');
  return name;
}

export function formBody(request: Request): DefinitionForm & { name?: unknown } {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AdminRequestError('the body must be a JSON object of stream definition fields', 'Validation', 400);
  }
  return body as DefinitionForm & { name?: unknown };
}
