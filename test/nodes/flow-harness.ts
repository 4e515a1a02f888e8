// Loads our nodes into a real Node-RED runtime (node-red-node-test-helper) wired to a real local server.
import helper from 'node-red-node-test-helper';
import { after, afterEach, before } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, NodeMessage } from 'node-red';
import smConfig = require('../../nodes/sm-config');
import smOut = require('../../nodes/sm-out');
import smIn = require('../../nodes/sm-in');
import smAdmin = require('../../nodes/sm-admin');
import { StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';

/** NODE_RED_PATH runs the tests on another Node-RED installation (CI runs them on Node-RED 5 as well). */
const NODE_RED = process.env.NODE_RED_PATH ? require.resolve(process.env.NODE_RED_PATH) : require.resolve('node-red');
helper.init(NODE_RED);

/**
 * The helper hands nodes a RED._ that returns the key itself; the runtime gives them the text of their catalog.
 * Give them the English text, as the runtime would, so that statuses and messages read as a user sees them.
 */
const CATALOG_DIR = path.resolve(__dirname, '..', '..', 'nodes', 'locales', 'en-US');
const catalog: Record<string, unknown> = Object.assign(
  {},
  ...fs.readdirSync(CATALOG_DIR).filter((file) => file.endsWith('.json')).map((file) => JSON.parse(fs.readFileSync(path.join(CATALOG_DIR, file), 'utf8')) as object),
);
export function englishText(key: string, values: Record<string, unknown> = {}): string {
  const found = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalog);
  if (typeof found !== 'string') return key;
  return found.replace(/__(\w+)__/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
const registryUtil = (helper as unknown as { _registryUtil?: { createNodeApi(node: object): Record<string, unknown> } })._registryUtil;
if (registryUtil) {
  const createNodeApi = registryUtil.createNodeApi.bind(registryUtil);
  registryUtil.createNodeApi = (node) => {
    const api = createNodeApi(node);
    Object.defineProperty(api, '_', { get: () => englishText, set: () => undefined, configurable: true });
    return api;
  };
}

// Core nodes the test flows and the example flows use; the helper loads only the node modules it is given.
const CORE_NODES = ['common/20-inject', 'common/21-debug', 'common/25-catch', 'common/90-comment', 'function/10-function', 'network/21-httpin', 'network/21-httprequest', 'network/10-mqtt', 'storage/10-file'].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (file) => require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [NODE_RED] })) as unknown,
);

// The helper loads its own catch, status and complete modules once per node of those types in a flow, so a flow with
// two Catch nodes failed with "catch already registered": each registers once per load (the helper makes one RED per
// load), and the same wrapper stands in CORE_NODES, so that the helper sees it as loaded already.
type NodeModuleFunction = (red: object) => unknown;
const helperModules = (helper as unknown as { _nodeModules?: Record<string, NodeModuleFunction> })._nodeModules ?? {};
const onceWrappers = new Map<unknown, NodeModuleFunction>();
for (const [type, register] of Object.entries(helperModules)) {
  let registeredWith: object | undefined;
  const once: NodeModuleFunction = (red) => {
    if (red === registeredWith) return undefined;
    registeredWith = red;
    return register(red);
  };
  helperModules[type] = once;
  onceWrappers.set(register, once);
}

export const ALL_NODES = [smConfig, smOut, smIn, smAdmin, ...CORE_NODES.map((nodeModule) => onceWrappers.get(nodeModule) ?? nodeModule)];
export { helper };

export type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

export function startRuntime(): Promise<void> {
  return new Promise((resolve) => helper.startServer(resolve));
}

export function stopRuntime(): Promise<void> {
  return new Promise((resolve) => helper.stopServer(resolve));
}

/**
 * For the describe block it is called in: the runtime and a real local server before its tests, the flows unloaded
 * and every stream deleted after each test, all stopped after the last. `started` gets the server and a client of it.
 */
export function useRuntimeAndServer(started: (server: TestServer, client: StreamManagerClient) => void): void {
  let server: TestServer | undefined;
  let client: StreamManagerClient | undefined;
  before(async () => {
    await startRuntime();
    server = await startTestServer();
    client = new StreamManagerClient({ port: server.port });
    started(server, client);
  });
  afterEach(async () => {
    await helper.unload();
    if (client) for (const name of await client.listStreams()) await client.deleteMessageStream(name);
  });
  after(async () => {
    await client?.close();
    await server?.close();
    await stopRuntime();
  });
}

export async function loadFlow(flow: FlowNode[], credentials: Record<string, unknown> = {}): Promise<void> {
  await helper.load(ALL_NODES as never, flow, credentials);
}

/** The config node and a tab for a flow talking to the server on `port`. */
export function configNode(port: number, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'config', type: 'sm-config', host: '127.0.0.1', port: String(port), ...extra };
}

/** Collects msgs arriving at a helper node, and resolves once `count` have arrived. */
export function collect(nodeId: string): { messages: NodeMessage[]; wait(count: number, timeoutMs?: number): Promise<NodeMessage[]> } {
  const node = helper.getNode(nodeId) as Node;
  const messages: NodeMessage[] = [];
  const waiters: { count: number; resolve(): void }[] = [];
  node.on('input', (msg: NodeMessage) => {
    messages.push(msg);
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    messages,
    wait: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (messages.length >= count) return resolve(messages);
        const timer = setTimeout(() => reject(new Error(`${messages.length} of ${count} msgs arrived at ${nodeId} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(messages)) });
      }),
  };
}

/** Resolves once the config node's shared connection is in the given state. */
export async function connectionState(state: 'connected' | 'disconnected', reason?: RegExp, configId = 'config', timeoutMs = 5_000): Promise<void> {
  const config = helper.getNode(configId) as unknown as { connectionStatus: { state: string; reason?: string } };
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    const status = config.connectionStatus;
    if (status.state === state && (!reason || reason.test(status.reason ?? ''))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the connection of ${configId} was not ${state} ${reason ?? ''} within ${timeoutMs} ms (it is ${JSON.stringify(config.connectionStatus)})`);
}

/** Resolves once `condition` holds, checking every `intervalMs`; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}
