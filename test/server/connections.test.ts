import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamManagerClient } from '../../lib/client';
import { CONNECT_VERSION, encodeCbor, encodeFrame, Operation, PROTOCOL_VERSION } from '../../lib/protocol';
import { startTestServer, type TestServer } from '../helpers/server';
import { openRaw } from '../helpers/raw-connection';

describe('server connections and the handshake', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  before(async () => {
    server = await startTestServer({ authToken: 'token-1' });
    client = new StreamManagerClient({ port: server.port, authToken: 'token-1' });
    await client.connect();
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('refuses a wrong or missing token with Unauthorized and closes that connection', async () => {
    for (const authToken of ['wrong', undefined]) {
      const raw = await openRaw(server.port, { handshake: false });
      raw.send(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.Connect, { requestId: 'c1', protocolVersion: PROTOCOL_VERSION, authToken })]));
      const response = await raw.nextFrame();
      assert.equal(response?.operation, Operation.ConnectResponse);
      assert.equal(response?.body.status, 2);
      await raw.closed;
    }
  });

  it('answers an unsupported connect version with status 8 and a first frame other than Connect with status 9', async () => {
    const badVersion = await openRaw(server.port, { handshake: false });
    badVersion.send(Buffer.concat([Buffer.of(7), encodeFrame(Operation.Connect, { requestId: 'c', protocolVersion: PROTOCOL_VERSION })]));
    assert.equal((await badVersion.nextFrame())?.body.status, 8);
    await badVersion.closed;

    const notConnect = await openRaw(server.port, { handshake: false });
    notConnect.send(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.ListStreams, { requestId: 'l' })]));
    assert.equal((await notConnect.nextFrame())?.body.status, 9);
    await notConnect.closed;
  });

  it('refuses protocol versions it does not speak (10) and malformed ones (11)', async () => {
    for (const [protocolVersion, status] of [['9.0.0', 10], ['banana', 11]] as const) {
      const raw = await openRaw(server.port, { handshake: false });
      raw.send(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.Connect, { requestId: 'c', protocolVersion, authToken: 'token-1' })]));
      assert.equal((await raw.nextFrame())?.body.status, status);
      await raw.closed;
    }
  });

  async function authenticated() {
    const raw = await openRaw(server.port, { handshake: false });
    raw.send(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.Connect, { requestId: 'c', protocolVersion: PROTOCOL_VERSION, authToken: 'token-1' })]));
    const response = await raw.nextFrame();
    assert.equal(response?.body.status, 0);
    assert.equal(response?.body.protocolVersion, PROTOCOL_VERSION);
    assert.equal(typeof response?.body.clientIdentifier, 'string');
    return raw;
  }

  it('answers an unknown operation with op 17, status 18 and the request id, and keeps the connection', async () => {
    const raw = await authenticated();
    raw.send(encodeFrame(42, { requestId: 'mystery' }));
    const answer = await raw.nextFrame();
    assert.deepEqual([answer?.operation, answer?.body.status, answer?.body.requestId], [Operation.UnknownOperationError, 18, 'mystery']);
    raw.send(encodeFrame(Operation.ListStreams, { requestId: 'after' }));
    assert.equal((await raw.nextFrame())?.body.requestId, 'after');
    raw.close();
  });

  it('answers a request with bad fields with InvalidRequest naming the field', async () => {
    const raw = await authenticated();
    raw.send(encodeFrame(Operation.AppendMessage, { requestId: 'bad-append', name: '../escape', payload: Buffer.from('x') }));
    const answer = await raw.nextFrame();
    assert.equal(answer?.body.status, 3);
    assert.match(String(answer?.body.errorMessage), /name must match/);
    raw.close();
  });

  it('closes only the connection that sends an oversized frame, bad CBOR or a request without id; others keep working', async () => {
    const hostile = [
      Buffer.from([0x40, 0, 0, 1, Operation.ListStreams]),
      Buffer.from([0, 0, 0, 0, Operation.ListStreams]),
      Buffer.concat([Buffer.from([0, 0, 0, 4, Operation.ListStreams]), Buffer.from([0xbf, 0x61, 0x61, 0x1c])]),
      encodeFrame(Operation.ListStreams, { notAnId: 1 }),
      Buffer.concat([Buffer.from([0, 0, 0, 3, Operation.ListStreams]), encodeCbor([1, 2]).subarray(0, 2)]),
    ];
    for (const bytes of hostile) {
      const raw = await authenticated();
      raw.send(bytes);
      await raw.closed;
      assert.ok(Array.isArray(await client.listStreams()), 'the well-behaved client is still served');
    }
  });
});
