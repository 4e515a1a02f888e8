// One client connection: the handshake, then requests answered as they complete (long-polls do not block others).
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { decodeFrameBody, encodeFrame, FrameDecoder, type DecodedFrame } from '../protocol/frame';
import { CONNECT_VERSION, OTHER_SUPPORTED_PROTOCOL_VERSIONS, PROTOCOL_VERSION } from '../protocol/enums';
import { InvalidRequestError, StreamManagerError } from '../protocol/errors';
import { Operation, RESPONSE_OPERATION } from '../protocol/operation';
import { ResponseStatusCode } from '../protocol/status';
import { TickBatchedWriter } from '../protocol/tick-batched-writer';
import type { Logger } from '../client/options';
import type { StreamStore } from './stream-store';
import { parseDefinition, parsePayload, parseReadOptions, parseStreamName } from './request-parsing';

/** While a client does not read its answers and this much is queued for it, its requests are not read either. */
const MAX_QUEUED_RESPONSE_BYTES = 64 * 1024 * 1024;
const SUPPORTED_PROTOCOL_VERSIONS = [PROTOCOL_VERSION, ...OTHER_SUPPORTED_PROTOCOL_VERSIONS];
const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

export interface ConnectionContext {
  store: StreamStore;
  authToken?: string;
  serverVersion: string;
  maxFrameLength: number;
  logger: Logger;
  clock(): number;
}

type ResponseFields = Record<string, unknown>;

export class ServerConnection {
  private readonly decoder: FrameDecoder;
  private versionRead = false;
  private connected = false;
  private closed = false;
  private readonly writer: TickBatchedWriter;
  private readonly pendingReads = new Set<() => void>();
  readonly id = randomUUID();

  constructor(
    private readonly socket: Socket,
    private readonly context: ConnectionContext,
    private readonly onClosed: (connection: ServerConnection) => void,
  ) {
    this.decoder = new FrameDecoder(context.maxFrameLength);
    this.writer = new TickBatchedWriter(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', (error) => this.context.logger.debug(`connection ${this.id}: ${error.message}`));
    socket.on('close', () => this.cleanUp());
    this.context.logger.debug(`connection ${this.id} opened from ${socket.remoteAddress}:${socket.remotePort}`);
  }

  /** Closes the connection, e.g. when the server stops. */
  close(): void {
    this.socket.destroy();
    this.cleanUp();
  }

  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of this.pendingReads) cancel();
    this.pendingReads.clear();
    this.context.logger.debug(`connection ${this.id} closed`);
    this.onClosed(this);
  }

  private abort(reason: string): void {
    this.context.logger.warn(`closing connection ${this.id}: ${reason}`);
    this.close();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (!this.versionRead) {
      this.versionRead = true;
      const version = chunk[0];
      chunk = chunk.subarray(1);
      if (version !== CONNECT_VERSION) {
        this.refuseHandshake(ResponseStatusCode.UnsupportedConnectVersion, `connect version ${version} is not supported; expected ${CONNECT_VERSION}`);
        return;
      }
    }
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.abort((error as Error).message);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      let decoded: DecodedFrame;
      try {
        decoded = decodeFrameBody(frame);
      } catch (error) {
        this.abort(`undecodable frame with op ${frame.operation}: ${(error as Error).message}`);
        return;
      }
      if (this.connected) this.handleRequest(decoded);
      else this.handleConnect(decoded);
    }
    if (this.socket.writableLength > MAX_QUEUED_RESPONSE_BYTES) this.socket.pause();
  }

  private send(operation: Operation, fields: ResponseFields): void {
    if (this.closed) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(operation, fields);
    } catch (error) {
      frame = encodeFrame(operation, {
        requestId: fields.requestId,
        status: ResponseStatusCode.ResponsePayloadTooLarge,
        errorMessage: (error as Error).message,
      });
    }
    this.writer.write(frame);
  }

  private refuseHandshake(status: ResponseStatusCode, message: string, requestId?: unknown): void {
    this.context.logger.warn(`refusing connection ${this.id}: ${message}`);
    const response = encodeFrame(Operation.ConnectResponse, {
      requestId: typeof requestId === 'string' ? requestId : undefined,
      status,
      errorMessage: message,
    });
    this.socket.end(Buffer.concat([Buffer.of(CONNECT_VERSION), response]));
    this.cleanUp();
  }

  private handleConnect({ operation, body }: DecodedFrame): void {
    if (operation !== Operation.Connect) {
      this.refuseHandshake(ResponseStatusCode.UnexpectedOperation, `the first frame must be Connect (op 1), got op ${operation}`, body.requestId);
      return;
    }
    const offered = [body.protocolVersion, ...(Array.isArray(body.otherSupportedProtocolVersions) ? body.otherSupportedProtocolVersions : [])];
    if (typeof body.protocolVersion !== 'string' || !VERSION_PATTERN.test(body.protocolVersion)) {
      this.refuseHandshake(ResponseStatusCode.InvalidProtocolVersion, `protocolVersion ${String(body.protocolVersion)} is not a version like ${PROTOCOL_VERSION}`, body.requestId);
      return;
    }
    const chosen = offered.find((version): version is string => typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version));
    if (!chosen) {
      this.refuseHandshake(ResponseStatusCode.UnsupportedProtocolVersion, `none of the protocol versions ${offered.join(', ')} is supported; this server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`, body.requestId);
      return;
    }
    const expectedToken = this.context.authToken;
    if (expectedToken && body.authToken !== expectedToken) {
      this.refuseHandshake(ResponseStatusCode.Unauthorized, body.authToken ? 'the auth token is not valid' : 'an auth token is required', body.requestId);
      return;
    }
    this.connected = true;
    this.socket.write(Buffer.of(CONNECT_VERSION));
    this.send(Operation.ConnectResponse, {
      requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
      status: ResponseStatusCode.Success,
      protocolVersion: chosen,
      supportedProtocolVersions: SUPPORTED_PROTOCOL_VERSIONS,
      serverVersion: this.context.serverVersion,
      clientIdentifier: this.id,
    });
  }

  private handleRequest({ operation, body }: DecodedFrame): void {
    const requestId = body.requestId;
    if (typeof requestId !== 'string' || requestId.length === 0) {
      this.abort(`request with op ${operation} has no requestId`);
      return;
    }
    const responseOperation = RESPONSE_OPERATION[operation as Operation];
    if (responseOperation === undefined || operation === Operation.Connect) {
      this.send(Operation.UnknownOperationError, {
        requestId,
        status: ResponseStatusCode.UnknownOperation,
        errorMessage: `operation ${operation} is not known to this server`,
      });
      return;
    }
    const answer = (fields: ResponseFields): void => this.send(responseOperation, { requestId, status: ResponseStatusCode.Success, ...fields });
    const fail = (error: unknown): void => this.send(responseOperation, { requestId, ...statusOf(error, this.context.logger) });
    try {
      const result = this.execute(operation as Operation, body);
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    } catch (error) {
      fail(error);
    }
  }

  private execute(operation: Operation, body: Record<string, unknown>): ResponseFields | Promise<ResponseFields> {
    const store = this.context.store;
    switch (operation) {
      case Operation.AppendMessage: {
        const stream = store.get(parseStreamName(body, 'name'));
        const message = stream.append(parsePayload(body), this.context.clock());
        const fields = { sequenceNumber: message.sequenceNumber };
        return stream.isFile ? stream.whenStored(message.sequenceNumber).then(() => fields) : fields;
      }
      case Operation.ReadMessages:
        return this.read(body);
      case Operation.CreateMessageStream:
        store.create(parseDefinition(body));
        return {};
      case Operation.UpdateMessageStream:
        store.update(parseDefinition(body), this.context.clock());
        return {};
      case Operation.DeleteMessageStream:
        store.delete(parseStreamName(body, 'name'));
        return {};
      case Operation.DescribeMessageStream:
        return { messageStreamInfo: store.describe(parseStreamName(body, 'name')) };
      case Operation.ListStreams:
        return { streams: store.names() };
      default:
        throw new InvalidRequestError(`operation ${operation} cannot be requested`);
    }
  }

  private read(body: Record<string, unknown>): ResponseFields | Promise<ResponseFields> {
    const stream = this.context.store.get(parseStreamName(body, 'streamName'));
    const request = parseReadOptions(body);
    const messages = stream.read(request);
    if (messages) return { messages: messages.map((message) => ({ streamName: stream.name, ...message })) };
    if (request.readTimeoutMillis === 0) throw stream.notEnoughMessages(request);
    const wait = stream.waitForMessages(request, request.readTimeoutMillis);
    this.pendingReads.add(wait.cancel);
    return wait.promise.then(
      (found) => {
        this.pendingReads.delete(wait.cancel);
        return { messages: found.map((message) => ({ streamName: stream.name, ...message })) };
      },
      (error: unknown) => {
        this.pendingReads.delete(wait.cancel);
        throw error;
      },
    );
  }
}

function statusOf(error: unknown, logger: Logger): ResponseFields {
  if (error instanceof StreamManagerError && error.status !== undefined) {
    return { status: error.status, errorMessage: error.message };
  }
  logger.error(`request failed unexpectedly: ${(error as Error).stack ?? String(error)}`);
  return { status: ResponseStatusCode.UnknownFailure, errorMessage: `the server failed: ${(error as Error).message}` };
}
