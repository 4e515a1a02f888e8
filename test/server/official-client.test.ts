// The official JavaScript client (npm aws-greengrass-core-sdk 1.7.0) against our server: it must not be able to tell
// it from the real Stream Manager.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server';

// The SDK ships no types; this is the part of its surface the tests use. Its data classes are builders with a
// `with<Field>(value)` method per field.
type SdkObject = object;
interface SdkMessage {
  streamName: string;
  sequenceNumber: number;
  ingestTime: number;
  payload: Buffer;
}
interface SdkStreamInfo {
  definition: { name: string };
  storageStatus: { oldestSequenceNumber: number; newestSequenceNumber: number; totalBytes: number };
  exportStatuses: { exportConfigIdentifier: string }[];
}
interface SdkClient {
  onConnected(callback: () => void): void;
  onError(callback: (error: Error) => void): void;
  createMessageStream(definition: SdkObject): Promise<void>;
  updateMessageStream(definition: SdkObject): Promise<void>;
  deleteMessageStream(name: string): Promise<void>;
  describeMessageStream(name: string): Promise<SdkStreamInfo>;
  appendMessage(name: string, data: Buffer): Promise<number>;
  readMessages(name: string, options?: SdkObject | null): Promise<SdkMessage[]>;
  listStreams(): Promise<string[]>;
  close(): void;
}
type SdkClass = new () => SdkObject;
interface Sdk {
  StreamManagerClient: new (options: { port: number; logger?: object }) => SdkClient;
  MessageStreamDefinition: SdkClass;
  ReadMessagesOptions: SdkClass;
  ExportDefinition: SdkClass;
  KinesisConfig: SdkClass;
  StrategyOnFull: Record<string, SdkObject>;
  Persistence: Record<string, SdkObject>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('aws-greengrass-core-sdk/stream-manager') as Sdk;

/** An SDK data object with the given fields, set through its with<Field> builder methods. */
function build(Class: SdkClass, fields: Record<string, unknown>): SdkObject {
  let built = new Class() as Record<string, (value: unknown) => SdkObject>;
  for (const [field, value] of Object.entries(fields)) {
    built = built[`with${field[0].toUpperCase()}${field.slice(1)}`](value) as typeof built;
  }
  return built;
}

const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** The official client has no timeouts of its own: bound every call so that a failing test ends. */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the official client got no answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function connectOfficialClient(port: number): Promise<SdkClient> {
  const client = new sdk.StreamManagerClient({ port, logger: quietLogger });
  await within(
    new Promise<void>((resolve, reject) => {
      client.onConnected(resolve);
      client.onError(reject);
    }),
  );
  return client;
}

function definition(name: string, fields: Record<string, unknown> = {}): SdkObject {
  return build(sdk.MessageStreamDefinition, { name, strategyOnFull: sdk.StrategyOnFull.OverwriteOldestData, ...fields });
}

function readOptions(fields: { desiredStartSequenceNumber?: number; minMessageCount?: number; maxMessageCount?: number; readTimeoutMillis?: number }): SdkObject {
  return build(sdk.ReadMessagesOptions, fields);
}

describe('the official npm client against the local server', () => {
  let server: TestServer;
  let client: SdkClient;

  before(async () => {
    server = await startTestServer();
    client = await connectOfficialClient(server.port);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('creates, appends, reads, describes, lists, updates and deletes', async () => {
    await within(client.createMessageStream(definition('official', { persistence: sdk.Persistence.Memory })));
    assert.equal(await within(client.appendMessage('official', Buffer.from('one'))), 0);
    assert.equal(await within(client.appendMessage('official', Buffer.from('two'))), 1);

    const messages = await within(client.readMessages('official', readOptions({ desiredStartSequenceNumber: 0, minMessageCount: 2, maxMessageCount: 5 })));
    assert.deepEqual(messages.map((message) => [message.streamName, message.sequenceNumber, message.payload.toString()]), [
      ['official', 0, 'one'],
      ['official', 1, 'two'],
    ]);
    assert.ok(messages[0].ingestTime > 1_600_000_000_000);

    const info = await within(client.describeMessageStream('official'));
    assert.equal(info.definition.name, 'official');
    const storage = info.storageStatus;
    assert.deepEqual([storage.oldestSequenceNumber, storage.newestSequenceNumber, storage.totalBytes], [0, 1, 6]);

    assert.deepEqual(await within(client.listStreams()), ['official']);

    const kinesis = build(sdk.KinesisConfig, { identifier: 'to-kinesis', kinesisStreamName: 'cloud-stream' });
    const exportDefinition = build(sdk.ExportDefinition, { kinesis: [kinesis] });
    await within(client.updateMessageStream(definition('official', { persistence: sdk.Persistence.Memory, exportDefinition })));
    const updated = await within(client.describeMessageStream('official'));
    assert.equal(updated.exportStatuses.length, 1);
    assert.equal(updated.exportStatuses[0].exportConfigIdentifier, 'to-kinesis');

    await within(client.deleteMessageStream('official'));
    assert.deepEqual(await within(client.listStreams()), []);
  });

  it('gets the SDK exceptions for missing streams, duplicates, too few messages and forbidden updates', async () => {
    const missing = await within(client.readMessages('missing')).catch((error: Error) => error);
    assert.equal((missing as Error).constructor.name, 'ResourceNotFoundException');

    await within(client.createMessageStream(definition('errors')));
    const duplicate = await within(client.createMessageStream(definition('errors'))).catch((error: Error) => error);
    assert.equal((duplicate as Error).constructor.name, 'InvalidRequestException');
    assert.match((duplicate as Error).message, /already exists/);

    const notEnough = await within(client.readMessages('errors', readOptions({ minMessageCount: 1 }))).catch((error: Error) => error);
    assert.equal((notEnough as Error).constructor.name, 'NotEnoughMessagesException');

    const persistenceChange = await within(
      client.updateMessageStream(definition('errors', { persistence: sdk.Persistence.Memory })),
    ).catch((error: Error) => error);
    assert.equal((persistenceChange as Error).constructor.name, 'UpdateNotAllowedException');

    const deleteMissing = await within(client.deleteMessageStream('missing')).catch((error: Error) => error);
    assert.equal((deleteMissing as Error).constructor.name, 'ResourceNotFoundException');
  });

  it('long-polls: a read waits for appends and several reads wait at once while other calls are answered', async () => {
    await within(client.createMessageStream(definition('polled')));
    const waiting = [0, 1, 2].map(() => within(client.readMessages('polled', readOptions({ desiredStartSequenceNumber: 0, minMessageCount: 2, maxMessageCount: 2, readTimeoutMillis: 5_000 }))));
    assert.ok((await within(client.listStreams())).includes('polled'));
    await within(client.appendMessage('polled', Buffer.from('a')));
    await within(client.appendMessage('polled', Buffer.from('b')));
    for (const messages of await Promise.all(waiting)) {
      assert.deepEqual(messages.map((message) => message.payload.toString()), ['a', 'b']);
    }
    const expired = await within(client.readMessages('polled', readOptions({ desiredStartSequenceNumber: 2, minMessageCount: 1, readTimeoutMillis: 200 }))).catch((error: Error) => error);
    assert.equal((expired as Error).constructor.name, 'NotEnoughMessagesException');
  });

  it('keeps File streams and their data across a server restart', async () => {
    await within(client.createMessageStream(definition('kept')));
    await within(client.appendMessage('kept', Buffer.from('still here')));
    client.close();
    await server.restart();
    client = await connectOfficialClient(server.port);
    const [message] = await within(client.readMessages('kept', readOptions({ desiredStartSequenceNumber: 0, minMessageCount: 1, maxMessageCount: 1 })));
    assert.equal(message.payload.toString(), 'still here');
    assert.equal(await within(client.appendMessage('kept', Buffer.from('next'))), 1);
  });
});
