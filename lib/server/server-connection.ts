// One client connection: the handshake within a deadline, then requests answered as they complete (long-polls do
// not block others), with a bound on what may wait to be written to a client that does not read its answers.
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { appendReplyFrameSize, decodeAppendRequest, writeAppendReplyFrame } from '../protocol/append-fast-path';
import { decodeFrameBody, encodeFrame, FrameDecoder, type DecodedFrame, type Frame } from '../protocol/frame';
import { CONNECT_VERSION, OTHER_SUPPORTED_PROTOCOL_VERSIONS, PROTOCOL_VERSION } from '../protocol/enums';
import { FrameError, InvalidRequestError, ResponsePayloadTooLargeError, StreamManagerError } from '../protocol/errors';
import { Operation, RESPONSE_OPERATION } from '../protocol/operation';
import type { BufferPool } from '../protocol/buffer-pool';
import { planReadReply, writeReadReply } from '../protocol/read-reply-encoder';
import type { StoredMessage } from '../protocol/stored-message';
import { ResponseStatusCode } from '../protocol/status';
import { TickBatchedWriter } from '../protocol/tick-batched-writer';
import type { Logger } from '../common/logger';
import type { StreamStore } from './stream-store';
import { parseDefinition, parsePayload, parseReadOptions, parseStreamName } from './request-parsing';

/** Before its Connect is accepted a client may send no larger frame: a Connect is a few hundred bytes. */
export const MAX_FRAME_BEFORE_CONNECT = 8 * 1024;
/** How long a refused connection is left to read its answer before it is closed from this side. */
const REFUSED_CONNECTION_LINGER_MS = 2_000;
/** A read answer's bytes besides its messages and request id: header, keys, status, array head. */
const READ_REPLY_ENVELOPE_BYTES = 64;
const SUPPORTED_PROTOCOL_VERSIONS = [PROTOCOL_VERSION, ...OTHER_SUPPORTED_PROTOCOL_VERSIONS];
const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

export interface ConnectionLimits {
  /** Time from accepting the socket to an accepted Connect; then the connection is closed. */
  handshakeTimeoutMs: number;
  /** Time a partly received frame may wait for its next bytes (while the server reads); then the connection is closed. */
  incompleteFrameTimeoutMs: number;
  /** Largest frame a client may send once connected. */
  maxFrameLength: number;
  /** Largest frame the server sends: a read answers with as many whole messages as fit in it. */
  maxReplyFrameLength: number;
  /** Bytes of answers waiting for a client, beyond which its requests are not read and new answers wait unbuilt. */
  maxQueuedBytes: number;
}

interface ConnectionContext {
  store: StreamStore;
  authToken?: string;
  serverVersion: string;
  limits: ConnectionLimits;
  logger: Logger;
  clock(): number;
  /** Buffers for large answers, shared by the server's connections and reused once each write is done. */
  largeFrames?: BufferPool;
}

type ResponseFields = Record<string, unknown>;

export class ServerConnection {
  private readonly decoder = new FrameDecoder(MAX_FRAME_BEFORE_CONNECT);
  private versionRead = false;
  private connected = false;
  private closed = false;
  private readonly writer: TickBatchedWriter;
  private readonly pendingReads = new Set<() => void>();
  /** Frames received and not yet handled, while too much is queued for this client. */
  private waitingFrames: Frame[] = [];
  private nextWaitingFrame = 0;
  /** Answers to build once the client has read enough of what is queued for it. */
  private deferredReplies: (() => void)[] = [];
  private readingPaused = false;
  private handshakeTimer?: NodeJS.Timeout;
  private incompleteFrameTimer?: NodeJS.Timeout;
  /** The last stream name that passed the checks, so that a run of appends checks it once. */
  private checkedStreamName?: string;
  readonly id = randomUUID();

  constructor(
    private readonly socket: Socket,
    private readonly context: ConnectionContext,
    private readonly onClosed: (connection: ServerConnection) => void,
  ) {
    this.writer = new TickBatchedWriter(socket, 'turn', () => this.catchUp(), context.largeFrames);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.catchUp());
    socket.on('error', (error) => this.context.logger.debug(`connection ${this.id}: ${error.message}`));
    socket.on('close', () => this.cleanUp());
    const { handshakeTimeoutMs } = context.limits;
    this.handshakeTimer = setTimeout(() => this.abort(`no accepted Connect within ${handshakeTimeoutMs} ms`), handshakeTimeoutMs);
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
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.incompleteFrameTimer);
    for (const cancel of this.pendingReads) cancel();
    this.pendingReads.clear();
    this.waitingFrames = [];
    this.deferredReplies = [];
    this.context.logger.debug(`connection ${this.id} closed`);
    this.onClosed(this);
  }

  private abort(reason: string): void {
    if (this.closed) return;
    this.context.logger.warn(`closing connection ${this.id}: ${reason}`);
    this.close();
  }

  private get queuedBytes(): number {
    return this.socket.writableLength + this.writer.pendingBytes;
  }

  private get overQueueBound(): boolean {
    return this.queuedBytes >= this.context.limits.maxQueuedBytes;
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
    if (!this.receive(chunk)) return;
    this.handleWaitingFrames();
    this.watchIncompleteFrame();
  }

  /** Cuts frames out of the bytes; false when the connection had to be closed. */
  private receive(chunk: Buffer): boolean {
    let frames: Frame[];
    try {
      // Before the Connect is accepted, only that one frame is cut, under the small limit.
      frames = this.decoder.push(chunk, this.connected ? Number.POSITIVE_INFINITY : 1);
    } catch (error) {
      if (this.connected) this.abort((error as Error).message);
      else this.refuseHandshake(ResponseStatusCode.RequestPayloadTooLarge, `before the handshake only a Connect frame of at most ${MAX_FRAME_BEFORE_CONNECT} bytes is accepted: ${(error as Error).message}`);
      return false;
    }
    if (this.nextWaitingFrame === this.waitingFrames.length) {
      this.waitingFrames = frames;
      this.nextWaitingFrame = 0;
    } else {
      for (const frame of frames) this.waitingFrames.push(frame);
    }
    return true;
  }

  /** Handles the frames received, one by one, until too much is queued for the client; then stops reading it. */
  private handleWaitingFrames(): void {
    while (!this.closed) {
      if (this.nextWaitingFrame === this.waitingFrames.length) {
        // Frames that followed the Connect in the same bytes were left in the decoder.
        if (!this.connected || this.decoder.bufferedBytes < 5 || !this.receive(Buffer.alloc(0))) return;
        if (this.nextWaitingFrame === this.waitingFrames.length) return;
      }
      if (this.overQueueBound) {
        this.pauseReading();
        return;
      }
      this.handleFrame(this.waitingFrames[this.nextWaitingFrame++]);
    }
  }

  private pauseReading(): void {
    if (this.readingPaused) return;
    this.readingPaused = true;
    this.socket.pause();
    // The client is not to blame for a frame left incomplete while the server does not read.
    this.stopIncompleteFrameTimer();
    this.context.logger.debug(`connection ${this.id}: ${this.queuedBytes} bytes wait for the client; its requests wait too`);
  }

  /** After a write or a drain: builds the answers that waited, then reads requests again, while the bound allows. */
  private catchUp(): void {
    if (this.closed) return;
    while (this.deferredReplies.length > 0 && !this.overQueueBound) {
      const build = this.deferredReplies.shift() as () => void;
      build();
    }
    if (!this.readingPaused || this.overQueueBound) return;
    this.handleWaitingFrames();
    if (this.closed || this.overQueueBound) return;
    this.readingPaused = false;
    this.socket.resume();
    this.watchIncompleteFrame();
  }

  /**
   * A frame begun and not finished holds its bytes: the client must send more of it before the deadline. The timer
   * is pushed back by each chunk that leaves a frame incomplete, and simply lapses when it finds none (so that a
   * stream of frames split across chunks costs no timer churn).
   */
  private watchIncompleteFrame(): void {
    if (this.closed || this.readingPaused || this.decoder.bufferedBytes === 0) return;
    if (this.incompleteFrameTimer) {
      this.incompleteFrameTimer.refresh();
      return;
    }
    const timeoutMs = this.context.limits.incompleteFrameTimeoutMs;
    this.incompleteFrameTimer = setTimeout(() => {
      this.incompleteFrameTimer = undefined;
      if (this.closed || this.readingPaused || this.decoder.bufferedBytes === 0) return;
      this.abort(`an incomplete frame (${this.decoder.bufferedBytes} bytes so far) got no more bytes for ${timeoutMs} ms`);
    }, timeoutMs);
  }

  private stopIncompleteFrameTimer(): void {
    clearTimeout(this.incompleteFrameTimer);
    this.incompleteFrameTimer = undefined;
  }

  private handleFrame(frame: Frame): void {
    if (this.connected && frame.operation === Operation.AppendMessage) {
      const append = decodeAppendRequest(frame.payload);
      if (append) {
        this.append(append.requestId, append.name, append.payload);
        return;
      }
    }
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

  /** Whether an answer goes to the writer at once: nothing waits before it and the client has read enough. */
  private get canAnswerNow(): boolean {
    return this.deferredReplies.length === 0 && !this.overQueueBound;
  }

  /** Writes the answer now, or once the client has read enough when too much already waits for it. */
  private deliver(build: () => void): void {
    if (this.closed) return;
    if (this.canAnswerNow) build();
    else this.deferredReplies.push(build);
  }

  private send(operation: Operation, fields: ResponseFields): void {
    this.deliver(() => this.writer.write(this.encodeReply(operation, fields)));
  }

  private encodeReply(operation: Operation, fields: ResponseFields): Buffer {
    try {
      return encodeFrame(operation, fields, this.context.limits.maxReplyFrameLength);
    } catch (error) {
      return encodeFrame(operation, {
        requestId: fields.requestId,
        status: ResponseStatusCode.ResponsePayloadTooLarge,
        errorMessage: `the answer does not fit in one frame: ${(error as Error).message}`,
      });
    }
  }

  private refuseHandshake(status: ResponseStatusCode, message: string, requestId?: unknown): void {
    this.context.logger.warn(`refusing connection ${this.id}: ${message}`);
    const response = encodeFrame(Operation.ConnectResponse, {
      requestId: typeof requestId === 'string' ? requestId : undefined,
      status,
      errorMessage: message,
    });
    this.socket.end(Buffer.concat([Buffer.of(CONNECT_VERSION), response]));
    // end() waits for the client to close its side too; one that never does must not keep the socket.
    setTimeout(() => this.socket.destroy(), REFUSED_CONNECTION_LINGER_MS).unref();
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
    clearTimeout(this.handshakeTimer);
    this.decoder.maxFrameLength = this.context.limits.maxFrameLength;
    this.writer.write(Buffer.of(CONNECT_VERSION));
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
    if (operation === Operation.AppendMessage) {
      this.append(requestId, body.name, body.payload);
      return;
    }
    if (operation === Operation.ReadMessages) {
      this.read(requestId, body);
      return;
    }
    const answer = (fields: ResponseFields): void => this.send(responseOperation, { requestId, status: ResponseStatusCode.Success, ...fields });
    try {
      answer(this.execute(operation as Operation, body));
    } catch (error) {
      this.fail(responseOperation, requestId, error);
    }
  }

  private fail(operation: Operation, requestId: string, error: unknown): void {
    this.send(operation, { requestId, ...statusOf(error, this.context.logger) });
  }

  private append(requestId: string, name: unknown, payload: unknown): void {
    let sequenceNumber: number;
    let stored: Promise<void> | undefined;
    try {
      const streamName = name === this.checkedStreamName ? (name as string) : parseStreamName({ name }, 'name');
      this.checkedStreamName = streamName;
      const stream = this.context.store.get(streamName);
      sequenceNumber = stream.append(parsePayload({ payload }), this.context.clock()).sequenceNumber;
      if (stream.isFile) stored = stream.whenStored(sequenceNumber);
    } catch (error) {
      this.fail(Operation.AppendMessageResponse, requestId, error);
      return;
    }
    if (stored) {
      stored.then(
        () => this.answerAppend(requestId, sequenceNumber),
        (error: unknown) => this.fail(Operation.AppendMessageResponse, requestId, error),
      );
    } else {
      this.answerAppend(requestId, sequenceNumber);
    }
  }

  /** deliver(), without a closure for the common case of an answer that can go at once. */
  private answerAppend(requestId: string, sequenceNumber: number): void {
    if (this.closed) return;
    if (this.canAnswerNow) this.writeAppendReply(requestId, sequenceNumber);
    else this.deferredReplies.push(() => this.writeAppendReply(requestId, sequenceNumber));
  }

  private writeAppendReply(requestId: string, sequenceNumber: number): void {
    const size = appendReplyFrameSize(requestId, sequenceNumber);
    if (size < 0) {
      this.writer.write(this.encodeReply(Operation.AppendMessageResponse, { requestId, status: ResponseStatusCode.Success, sequenceNumber }));
      return;
    }
    const target = this.writer.reserve(size);
    writeAppendReplyFrame(target, this.writer.reservedOffset, size, requestId, sequenceNumber);
  }

  private execute(operation: Operation, body: Record<string, unknown>): ResponseFields {
    const store = this.context.store;
    switch (operation) {
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

  private read(requestId: string, body: Record<string, unknown>): void {
    const failRead = (error: unknown): void => this.fail(Operation.ReadMessagesResponse, requestId, error);
    try {
      const streamName = parseStreamName(body, 'streamName');
      const stream = this.context.store.get(streamName);
      const request = parseReadOptions(body);
      // The store fills the reply up to the frame limit, less the reply's own fields; writeReadReply checks it again.
      const budget = this.context.limits.maxReplyFrameLength - READ_REPLY_ENVELOPE_BYTES - Buffer.byteLength(requestId);
      if (this.canAnswerNow) {
        // The answer is built before anything else runs, so the read may use the store's reused blocks: the reply
        // copies the payloads out of them, and they are given back right after.
        const blocks = this.context.store.readBlocks;
        try {
          const messages = stream.read(request, budget, blocks);
          if (messages) {
            this.writeReadReply(requestId, streamName, messages);
            return;
          }
        } finally {
          blocks.giveBack();
        }
      } else {
        const messages = stream.read(request, budget);
        if (messages) {
          this.deliver(() => this.writeReadReply(requestId, streamName, messages));
          return;
        }
      }
      if (request.readTimeoutMillis === 0) throw stream.notEnoughMessages(request);
      const wait = stream.waitForMessages(request, request.readTimeoutMillis, budget);
      this.pendingReads.add(wait.cancel);
      wait.promise.then(
        (found) => {
          this.pendingReads.delete(wait.cancel);
          this.deliver(() => this.writeReadReply(requestId, streamName, found));
        },
        (error: unknown) => {
          this.pendingReads.delete(wait.cancel);
          failRead(error);
        },
      );
    } catch (error) {
      failRead(error);
    }
  }

  /**
   * As many of the messages as fit in one frame (which may be fewer than minMessageCount); ResponsePayloadTooLarge
   * when not even the first one fits.
   */
  private writeReadReply(requestId: string, streamName: string, messages: readonly StoredMessage[]): void {
    const limit = this.context.limits.maxReplyFrameLength;
    const plan = planReadReply(requestId, streamName, messages, limit);
    if (!plan) {
      const fields = messages.map((message) => ({ streamName, sequenceNumber: message.sequenceNumber, ingestTime: message.ingestTime, payload: message.payload }));
      this.writer.write(this.encodeReply(Operation.ReadMessagesResponse, { requestId, status: ResponseStatusCode.Success, messages: fields }));
      return;
    }
    if (plan.count === 0 && messages.length > 0) {
      const first = messages[0];
      const error = new ResponsePayloadTooLargeError(
        `message ${first.sequenceNumber} of stream ${streamName} holds ${first.payload.length} bytes, more than an answer of at most ${limit} bytes can carry; read from ${first.sequenceNumber + 1} to go past it`,
      );
      this.writer.write(this.encodeReply(Operation.ReadMessagesResponse, { requestId, ...statusOf(error, this.context.logger) }));
      return;
    }
    const frame = this.writer.reserve(plan.frameSize);
    writeReadReply(frame, this.writer.reservedOffset, requestId, streamName, messages, plan);
  }
}

function statusOf(error: unknown, logger: Logger): ResponseFields {
  if (error instanceof StreamManagerError && error.status !== undefined) {
    return { status: error.status, errorMessage: error.message };
  }
  if (error instanceof FrameError) {
    return { status: ResponseStatusCode.ResponsePayloadTooLarge, errorMessage: error.message };
  }
  logger.error(`request failed unexpectedly: ${(error as Error).stack ?? String(error)}`);
  return { status: ResponseStatusCode.UnknownFailure, errorMessage: `the server failed: ${(error as Error).message}` };
}
