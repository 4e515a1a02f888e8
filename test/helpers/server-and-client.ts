// One real server and one client for a describe block: started before its tests, every stream deleted after each
// test, both closed at the end. Read `server` and `client` inside the tests (they are set by `before`).
import { after, afterEach, before } from 'node:test';
import { StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from './server';

export interface ServerAndClient {
  server: TestServer;
  client: StreamManagerClient;
}

export function useServerAndClient(): ServerAndClient {
  const context = {} as ServerAndClient;
  before(async () => {
    context.server = await startTestServer();
    context.client = new StreamManagerClient({ port: context.server.port });
  });
  afterEach(async () => {
    for (const name of await context.client.listStreams()) await context.client.deleteMessageStream(name);
  });
  after(async () => {
    await context.client.close();
    await context.server.close();
  });
  return context;
}
