// HTTP exports POST to their URI: one request per message (RAW_NOT_BATCHED) or a JSON array per batch
// (JSON_BATCHED). A refused connection or a non-2xx answer fails the export; it is retried with back-off, nothing is
// skipped or sent twice, and it resumes when the destination is back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExportFormat, Persistence, StrategyOnFull, StreamManagerClient, type MessageStreamDefinition } from '../../../lib/client';
import { startTestServer, type TestServer } from '../../helpers/server';
import { exportStatus, startHttpSink, unusedPort, waitFor, type HttpSink } from './export-test-kit';

const stream = (name: string, fields: Partial<MessageStreamDefinition>): MessageStreamDefinition => ({
  name,
  strategyOnFull: StrategyOnFull.RejectNewData,
  persistence: Persistence.Memory,
  ...fields,
});

describe('HTTP exports', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  let sink: HttpSink;

  before(async () => {
    server = await startTestServer({ exportRetry: { firstRetryMs: 40, maxRetryMs: 150 } });
    client = new StreamManagerClient({ port: server.port });
    sink = await startHttpSink();
  });
  after(async () => {
    await client.close();
    await server.close();
    await sink.close();
  });

  it('POSTs each message as its raw body by default', async () => {
    await client.createMessageStream(stream('raw', { exportDefinition: { http: [{ identifier: 'raw-http', uri: `${sink.url}/raw`, batchSize: 3 }] } }));
    for (let index = 0; index < 5; index++) await client.appendMessage('raw', Buffer.from(`raw ${index}`));
    await waitFor('5 raw posts', () => (sink.requests.filter((request) => request.path.endsWith('/raw')).length === 5 ? true : undefined));
    const posts = sink.requests.filter((request) => request.path.endsWith('/raw'));
    assert.deepEqual(posts.map((post) => post.body.toString()), ['raw 0', 'raw 1', 'raw 2', 'raw 3', 'raw 4']);
    assert.equal(posts[0].contentType, 'application/octet-stream');
    const status = await waitFor('status', async () => {
      const current = await exportStatus(client, 'raw', 'raw-http');
      return Number(current.lastExportedSequenceNumber) === 4 ? current : undefined;
    });
    assert.equal(Number(status.exportedMessagesCount), 5);
    assert.equal(Number(status.exportedBytesFromStream), 25);
    assert.equal(status.errorMessage, undefined);
  });

  it('POSTs JSON_BATCHED batches as JSON arrays of messages, at most batchSize each', async () => {
    await client.createMessageStream(
      stream('json', { exportDefinition: { http: [{ identifier: 'json-http', uri: `${sink.url}/json`, batchSize: 2, exportFormat: ExportFormat.JSON_BATCHED }] } }),
    );
    await Promise.all(Array.from({ length: 5 }, (_, index) => client.appendMessage('json', Buffer.from(`json ${index}`))));
    const batches = await waitFor('every message in JSON batches', () => {
      const posts = sink.requests.filter((request) => request.path.endsWith('/json'));
      const parsed = posts.map((post) => JSON.parse(post.body.toString()) as { streamName: string; sequenceNumber: number; payload: string }[]);
      return parsed.flat().length === 5 ? parsed : undefined;
    });
    assert.ok(batches.every((batch) => batch.length >= 1 && batch.length <= 2), `batch sizes ${batches.map((batch) => batch.length).join(', ')}`);
    const messages = batches.flat();
    assert.deepEqual(messages.map((message) => message.sequenceNumber), [0, 1, 2, 3, 4]);
    assert.deepEqual(messages.map((message) => Buffer.from(message.payload, 'base64').toString()), ['json 0', 'json 1', 'json 2', 'json 3', 'json 4']);
    assert.equal(messages[0].streamName, 'json');
  });

  it('fails while the connection is refused, shows why, retries, and resumes where it stopped once the server is up', async () => {
    const port = await unusedPort();
    await client.createMessageStream(stream('later', { exportDefinition: { http: [{ identifier: 'later-http', uri: `http://127.0.0.1:${port}/later` }] } }));
    for (let index = 0; index < 4; index++) await client.appendMessage('later', Buffer.from(`later ${index}`));
    const failing = await waitFor('a refused export', async () => {
      const status = await exportStatus(client, 'later', 'later-http');
      return status.errorMessage ? status : undefined;
    });
    assert.match(String(failing.errorMessage), /ECONNREFUSED/);
    assert.equal(Number(failing.lastExportedSequenceNumber), -1);
    assert.ok(Number(failing.lastExportTime) > 0, 'the failed attempt has a time');

    const late = await startHttpSink(port);
    try {
      await waitFor('4 posts after recovery', () => (late.requests.length >= 4 ? true : undefined));
      await client.appendMessage('later', Buffer.from('later 4'));
      await waitFor('the fifth', () => (late.requests.length >= 5 ? true : undefined));
      assert.deepEqual(late.requests.map((request) => request.body.toString()), ['later 0', 'later 1', 'later 2', 'later 3', 'later 4']);
      const status = await waitFor('a clean status', async () => {
        const current = await exportStatus(client, 'later', 'later-http');
        return Number(current.lastExportedSequenceNumber) === 4 ? current : undefined;
      });
      assert.equal(status.errorMessage, undefined);
    } finally {
      await late.close();
    }
  });

  it('takes a non-2xx answer as a failure and sends the same message again until it is taken', async () => {
    sink.answer = 503;
    try {
      await client.createMessageStream(stream('busy', { exportDefinition: { http: [{ identifier: 'busy-http', uri: `${sink.url}/busy` }] } }));
      await client.appendMessage('busy', Buffer.from('busy 0'));
      const failing = await waitFor('a 503', async () => {
        const status = await exportStatus(client, 'busy', 'busy-http');
        return status.errorMessage ? status : undefined;
      });
      assert.match(String(failing.errorMessage), /503/);
    } finally {
      sink.answer = 200;
    }
    await waitFor('the post after recovery', () => (sink.requests.some((request) => request.path.endsWith('/busy')) ? true : undefined));
    assert.deepEqual(sink.requests.filter((request) => request.path.endsWith('/busy')).map((request) => request.body.toString()), ['busy 0']);
  });
});
