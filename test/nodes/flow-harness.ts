// Loads our nodes into a real Node-RED runtime (node-red-node-test-helper) wired to a real local server.
import helper from 'node-red-node-test-helper';
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, NodeAPI, NodeInitializer, NodeMessage, NodeStatus } from 'node-red';
import type { SinonSpy } from 'sinon';
import smConfig = require('../../nodes/sm-config');
import smOut = require('../../nodes/sm-out');
import smIn = require('../../nodes/sm-in');
import smAdmin = require('../../nodes/sm-admin');
import { StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { waitUntil } from '../helpers/wait';

export { quietFor, waitFor, waitUntil } from '../helpers/wait';

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
  const lookUp = (dotted: string): unknown => dotted.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalog);
  // A count picks the plural form, as i18next does (key_one, key_other).
  const plural = typeof values.count === 'number' ? lookUp(`${key}_${new Intl.PluralRules('en-US').select(values.count)}`) ?? lookUp(`${key}_other`) : undefined;
  const found = plural ?? lookUp(key);
  if (typeof found !== 'string') return key;
  return found.replace(/__(\w+)__/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
/**
 * The parts of node-red-node-test-helper's own state that the harness needs and its API does not offer: its table of
 * core modules it loads itself (see the once wrappers below), the runtime's flows (to see what a deploy stored) and the
 * nodes it started.
 */
interface TestHelperInternals {
  _nodeModules?: Record<string, NodeInitializer>;
  /** The spy on the runtime's log: a test that makes many thousands of log calls restores it, so they are not all kept. */
  _logSpy?: { restore(): void };
  _redNodes: { getFlows(): { flows: FlowNode[] } | null; eachNode(visit: (node: FlowNode) => void): void };
}
export function helperInternals(): TestHelperInternals {
  return helper as object as TestHelperInternals;
}

// Core nodes the test flows and the example flows use; the helper loads only the node modules it is given.
const CORE_NODES = ['common/20-inject', 'common/21-debug', 'common/25-catch', 'common/90-comment', 'function/10-function', 'function/10-switch', 'function/15-change', 'network/21-httpin', 'network/21-httprequest', 'network/10-mqtt', 'storage/10-file'].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (file) => require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [NODE_RED] })) as NodeInitializer,
);

// The helper loads its own catch, status and complete modules once per node of those types in a flow, so a flow with
// two Catch nodes failed with "catch already registered": each registers once per load (the helper makes one RED per
// load), and the same wrapper stands in CORE_NODES, so that the helper sees it as loaded already.
const helperModules = helperInternals()._nodeModules ?? {};
const onceWrappers = new Map<unknown, NodeInitializer>();
for (const [type, register] of Object.entries(helperModules)) {
  let registeredWith: object | undefined;
  const once: NodeInitializer = (red) => {
    if (red === registeredWith) return undefined;
    registeredWith = red;
    return register(red);
  };
  helperModules[type] = once;
  onceWrappers.set(register, once);
}

/**
 * The helper hands nodes a RED whose `_` returns the key itself; the runtime gives them the text of their catalog.
 * Our modules get a RED that answers with the English text, as the runtime would, so that statuses and messages read
 * as a user sees them.
 */
const inEnglish =
  (register: NodeInitializer): NodeInitializer =>
  (red) =>
    register(Object.create(red, { _: { value: englishText } }) as NodeAPI);

export const ALL_NODES: NodeInitializer[] = [
  ...[smConfig, smOut, smIn, smAdmin].map(inEnglish),
  ...CORE_NODES.map((nodeModule) => onceWrappers.get(nodeModule) ?? nodeModule),
];
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
  await helper.load(ALL_NODES, flow, credentials);
}

/** The config node and a tab for a flow talking to the server on `port`. */
export function configNode(port: number, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'config', type: 'sm-config', host: '127.0.0.1', port: String(port), ...extra };
}

/** Collects msgs arriving at a helper node, and resolves once `count` have arrived. */
export function collect<Msg extends object = NodeMessage>(nodeId: string): { messages: Msg[]; wait(count: number, timeoutMs?: number): Promise<Msg[]> } {
  const node = helper.getNode(nodeId);
  const messages: Msg[] = [];
  const waiters: { count: number; resolve(): void }[] = [];
  // What a node sends is only known to the test that wired it: `Msg` says what that test expects to arrive.
  node.on('input', (msg) => {
    messages.push(msg as Msg);
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
  const config = helper.getNode(configId) as Node & { connectionStatus: { state: string; reason?: string } };
  const reached = (): boolean => config.connectionStatus.state === state && (!reason || reason.test(config.connectionStatus.reason ?? ''));
  await waitUntil(reached, `the connection of ${configId} ${state} ${reason ?? ''}`, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message} (it is ${JSON.stringify(config.connectionStatus)})`);
  });
}

/** A msg as sm out acknowledges it and sm in delivers it (payload as text). */
export interface StoredMsg extends NodeMessage {
  payload: string;
  sequenceNumber: number;
}

/** What a Catch node sends on: the failed msg's properties, with the error the node reported. */
export interface CaughtMsg extends NodeMessage {
  error: { code: string; message: string; source?: { id: string; type: string } };
}

/**
 * The helper replaces Node's status, warn and error with sinon spies shared by every node. `observe` reads the calls
 * one node made, so a test sees that node's statuses, warnings and errors only.
 */
type SpiedNode = Node & { status: SinonSpy<[NodeStatus | string]>; warn: SinonSpy<[unknown]>; error: SinonSpy<[unknown, unknown?]> };
export function observe(nodeId: string): { statuses(): NodeStatus[]; statusTexts(): string[]; lastStatus(): NodeStatus | undefined; warnings(): string[]; errors(): string[] } {
  const node = helper.getNode(nodeId) as SpiedNode;
  const callsOf = <Args extends unknown[]>(spy: SinonSpy<Args>): Args[] =>
    spy.getCalls().filter((call) => call.thisValue === node).map((call) => call.args);
  const statuses = (): NodeStatus[] => callsOf(node.status).map(([status]) => (typeof status === 'string' ? { text: status } : status));
  return {
    statuses,
    statusTexts: () => statuses().map((status) => String(status.text ?? '')),
    lastStatus: () => statuses().at(-1),
    warnings: () => callsOf(node.warn).map(([text]) => String(text)),
    errors: () => callsOf(node.error).map(([error]) => (error instanceof Error ? error.message : String(error))),
  };
}

/** Resolves once the node's latest status text matches `shown`. */
export async function statusShows(nodeId: string, shown: RegExp, timeoutMs = 5_000): Promise<void> {
  const node = observe(nodeId);
  await waitUntil(() => shown.test(String(node.lastStatus()?.text ?? '')), `${nodeId} showing ${shown}`, timeoutMs).catch((error: Error) =>
    assert.fail(`${error.message}; it shows "${node.lastStatus()?.text}"`),
  );
}
