// The editor's HTTP API under /greengrass-stream-manager/: streams, messages, exports, consumers and dead letters of
// a deployed sm-config node's server, for the Stream Manager sidebar and the stream pickers of the node dialogs.
// Reads need greengrass-stream-manager.read, changes greengrass-stream-manager.write; errors are JSON { error, code }.
// Registered by the sm-config node, whose shared clients the routes borrow (editor-client-leases.ts).
import type { NodeAPI } from 'node-red';
import type { Request, RequestHandler, Response } from 'express';
import type { AdminRoute } from './admin-call';
import { adminErrorAnswer } from './admin-error';
import { deadLetters, discardSelectedDeadLetters, retrySelectedDeadLetters } from './dead-letter-routes';
import { EditorClientLeases } from './editor-client-leases';
import { streamHealth } from './health-routes';
import { createStream, deleteStream, describeStream, forgetStreamConsumer, streamMessages, streamNames, streamOverview, updateStream } from './stream-routes';

const ADMIN_PATH = '/greengrass-stream-manager';
const READ_PERMISSION = 'greengrass-stream-manager.read';
const WRITE_PERMISSION = 'greengrass-stream-manager.write';

type Method = 'get' | 'post' | 'put' | 'delete';

/** Method, path under /:id, whether it changes anything, and the route. */
const ROUTES: [Method, string, 'read' | 'write', AdminRoute][] = [
  ['get', '/streams', 'read', streamNames],
  ['get', '/overview', 'read', streamOverview],
  ['get', '/health', 'read', streamHealth],
  ['post', '/streams', 'write', createStream],
  ['get', '/streams/:stream', 'read', describeStream],
  ['put', '/streams/:stream', 'write', updateStream],
  ['delete', '/streams/:stream', 'write', deleteStream],
  ['get', '/streams/:stream/messages', 'read', streamMessages],
  ['delete', '/streams/:stream/consumers/:consumer', 'write', forgetStreamConsumer],
  ['get', '/streams/:stream/dead-letters', 'read', deadLetters],
  ['post', '/streams/:stream/dead-letters/retry', 'write', retrySelectedDeadLetters],
  ['post', '/streams/:stream/dead-letters/discard', 'write', discardSelectedDeadLetters],
];

function answer(response: Response, body: unknown): void {
  if (typeof body === 'object' && body !== null && 'status' in body && 'body' in body) response.status(body.status as number).json(body.body);
  else response.json(body);
}

export function registerAdminEndpoints(RED: NodeAPI): void {
  const leases = new EditorClientLeases(RED);
  const permission = { read: RED.auth.needsPermission(READ_PERMISSION), write: RED.auth.needsPermission(WRITE_PERMISSION) };
  const path = (tail: string) => `${ADMIN_PATH}/:id${tail}`;

  const deployedConfig = (request: Request, response: Response) => {
    const config = leases.configNode(String(request.params.id));
    if (!config) response.status(404).json({ error: RED._('sm-config.errors.notDeployed'), code: 'UnknownConfig' });
    return config;
  };

  const handler =
    (route: AdminRoute): RequestHandler =>
    (request: Request, response: Response) => {
      const config = deployedConfig(request, response);
      if (!config) return;
      Promise.resolve()
        .then(() => route({ request, config, client: leases.client(config) }))
        .then(
          (body) => answer(response, body),
          (error: unknown) => {
            const { status, body } = adminErrorAnswer(error);
            response.status(status).json(body);
          },
        );
    };

  // The connection state, without opening a connection for it.
  RED.httpAdmin.get(path('/state'), permission.read, (request: Request, response: Response) => {
    const config = deployedConfig(request, response);
    if (config) response.json(config.connectionStatus);
  });
  for (const [method, tail, access, route] of ROUTES) RED.httpAdmin[method](path(tail), permission[access], handler(route));
}
