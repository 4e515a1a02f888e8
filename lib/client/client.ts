// StreamManagerClient: the public client, with the official JavaScript SDK's method names.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { appendRequestFrameSize, encodeAppendRequestFrame } from '../protocol/append-fast-path';
import { encodeFrame, type DecodedFrame } from '../protocol/frame';
import { Operation, RESPONSE_OPERATION } from '../protocol/operation';
import { ResponseStatusCode } from '../protocol/status';
import {
  ConnectionError,
  errorFromStatus,
  FrameError,
  TimeoutError,
  UnknownFailureError,
  ValidationError,
} from '../protocol/errors';
import {
  DEFAULT_MAX_SIZE,
  DEFAULT_STREAM_SEGMENT_SIZE,
  type ConnectResponse,
  type Int64,
  type Message,
  type MessageStreamDefinition,
  type MessageStreamInfo,
  type ReadMessagesOptions,
} from '../protocol/model';
import {
  validateAppendPayload,
  validateMessageStreamDefinition,
  validateReadMessagesOptions,
  validateStreamName,
} from '../protocol/validation';
import { Backoff } from './backoff';
import { sleep, startLongTimer, type LongTimer } from './long-timer';
import { openConnection, type Connection } from './connection';
import { resolveClientOptions, type ResolvedClientOptions, type StreamManagerClientOptions } from './options';

export interface RequestControl {
  /** Aborting it gives up waiting for the answer. */
  signal?: AbortSignal;
}

export type ClientState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface StreamManagerClientEvents {
  connecting: [];
  connected: [response: ConnectResponse];
  disconnected: [reason: Error];
  closed: [];
}

interface PendingRequest {
  expectedOperation: Operation;
  /** Each also stops the request's timer. */
  resolve(body: Record<string, unknown>): void;
  reject(error: Error): void;
}

export class StreamManagerClient extends EventEmitter<StreamManagerClientEvents> {
  private readonly options: ResolvedClientOptions;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly backoff: Backoff;
  private connection?: Connection;
  private connecting?: Promise<Connection>;
  private retryAt = 0;
  private reconnectTimer?: LongTimer;
  private currentState: ClientState = 'idle';
  private closing?: Promise<void>;

  /** Throws a ValidationError for a bad option; does not connect until connect() or the first request. */
  constructor(options: StreamManagerClientOptions = {}) {
    super();
    this.options = resolveClientOptions(options);
    this.backoff = new Backoff(this.options.minReconnectDelayMs, this.options.maxReconnectDelayMs);
  }

  get state(): ClientState {
    return this.currentState;
  }

  /** Read through a getter so that checks after an await are not narrowed away by the compiler. */
  private get isClosed(): boolean {
    return this.currentState === 'closed';
  }

  /** Where this client connects, as `host:port`. */
  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Number of requests sent and not yet answered. */
  get pendingRequests(): number {
    return this.pending.size;
  }

  /** Opens the connection (waiting out the back-off after a failed attempt); a no-op when connected. */
  async connect(): Promise<void> {
    await this.openConnected();
  }

  /** Appends one message; resolves with its sequence number. */
  async appendMessage(streamName: string, data: Uint8Array): Promise<Int64> {
    validateStreamName(streamName);
    validateAppendPayload(data);
    if (data.length > this.options.maxFrameLength - 1024) {
      throw new ValidationError('payload', data, `must hold at most ${this.options.maxFrameLength - 1024} bytes to fit in one frame`);
    }
    const response = await this.request(Operation.AppendMessage, { name: streamName, payload: data });
    return response.sequenceNumber as Int64;
  }

  /**
   * Reads messages. Without options: one message from the oldest. With `readTimeoutMillis`, the server holds
   * the request until `minMessageCount` messages are there (a long-poll); this request's timeout grows by as much.
   * Aborting `control.signal` rejects the read at once with an AbortError; the server's late answer is ignored.
   */
  async readMessages(streamName: string, options?: ReadMessagesOptions, control: RequestControl = {}): Promise<Message[]> {
    validateStreamName(streamName);
    validateReadMessagesOptions(options);
    const longPollMs = Number(options?.readTimeoutMillis ?? 0);
    const response = await this.request(
      Operation.ReadMessages,
      { streamName, readMessagesOptions: options ? { ...options } : undefined },
      longPollMs,
      control.signal,
    );
    return Array.isArray(response.messages) ? (response.messages as Message[]) : [];
  }

  /** Creates a stream; maxSize and streamSegmentSize default to 256 MiB and 16 MiB, as in the SDKs. */
  async createMessageStream(definition: MessageStreamDefinition): Promise<void> {
    const complete = withSdkDefaults(definition);
    validateMessageStreamDefinition(complete);
    await this.request(Operation.CreateMessageStream, { definition: complete });
  }

  /** Replaces a stream's definition; fields left out go back to their defaults, exports left out are removed. */
  async updateMessageStream(definition: MessageStreamDefinition): Promise<void> {
    const complete = withSdkDefaults(definition);
    validateMessageStreamDefinition(complete);
    await this.request(Operation.UpdateMessageStream, { definition: complete });
  }

  async deleteMessageStream(streamName: string): Promise<void> {
    validateStreamName(streamName);
    await this.request(Operation.DeleteMessageStream, { name: streamName });
  }

  async describeMessageStream(streamName: string): Promise<MessageStreamInfo> {
    validateStreamName(streamName);
    const response = await this.request(Operation.DescribeMessageStream, { name: streamName });
    return (response.messageStreamInfo ?? {}) as MessageStreamInfo;
  }

  async listStreams(): Promise<string[]> {
    const response = await this.request(Operation.ListStreams, {});
    return Array.isArray(response.streams) ? (response.streams as string[]) : [];
  }

  /** Closes the connection and rejects every pending request with a Connection error. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.setState('closed');
    this.reconnectTimer?.cancel();
    const reason = new ConnectionError(`client for ${this.address} was closed`, 'clientClosed');
    this.rejectAllPending(reason);
    const connection = this.connection;
    this.connection = undefined;
    this.closing = connection ? connection.close(reason) : Promise.resolve();
    return this.closing;
  }

  /**
   * Sends one request and waits for its answer. Its timeout runs from the call: connecting, waiting for the socket
   * to drain and waiting for the answer all count, so every request ends, by its answer, its timeout, its signal
   * or the connection closing.
   */
  private request(operation: Operation, body: object, extraTimeoutMs = 0, signal?: AbortSignal): Promise<Record<string, unknown>> {
    signal?.throwIfAborted();
    const requestId = randomUUID();
    let frame: Buffer;
    try {
      frame = this.encodeRequest(operation, requestId, body);
    } catch (error) {
      if (error instanceof FrameError) return Promise.reject(new ValidationError('request', body, `must fit in one frame (${error.message})`));
      return Promise.reject(error);
    }
    const expectedOperation = RESPONSE_OPERATION[operation] as Operation;
    const timeoutMs = this.options.requestTimeoutMs + extraTimeoutMs;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, answer?: Record<string, unknown>): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(requestId);
        if (error) reject(error);
        else resolve(answer as Record<string, unknown>);
      };
      const timer = startLongTimer(timeoutMs, () =>
        finish(new TimeoutError(`${Operation[operation]} got no answer from ${this.address} within ${timeoutMs} ms`, requestId)),
      );
      const onAbort = (): void => finish(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const entry: PendingRequest = {
        expectedOperation,
        resolve: (answer) => finish(undefined, answer),
        reject: (error) => finish(error),
      };
      const connection = this.connection;
      if (connection?.isOpen && !connection.needsDrain) {
        this.pending.set(requestId, entry);
        connection.write(frame);
      } else {
        this.sendWhenWritable(requestId, frame, entry, () => settled).catch((error: unknown) => finish(error as Error));
      }
    });
  }

  private encodeRequest(operation: Operation, requestId: string, body: object): Buffer {
    if (operation === Operation.AppendMessage) {
      const { name, payload } = body as { name: string; payload: Uint8Array };
      const size = appendRequestFrameSize(requestId, name, payload.length);
      if (size > 0 && size - 4 <= this.options.maxFrameLength) return encodeAppendRequestFrame(size, requestId, name, payload);
    }
    return encodeFrame(operation, { requestId, ...body }, this.options.maxFrameLength);
  }

  /** The slow way of sending: connects if needed, waits while the socket is full, then registers and writes. */
  private async sendWhenWritable(requestId: string, frame: Buffer, entry: PendingRequest, isSettled: () => boolean): Promise<void> {
    let connection = this.connection;
    if (!connection?.isOpen) connection = await this.openConnected();
    if (connection.needsDrain) {
      await connection.drained();
      if (!connection.isOpen) {
        throw new ConnectionError(`the connection to ${this.address} closed while the request waited to be sent`, this.isClosed ? 'clientClosed' : 'closedByServer', { requestId });
      }
    }
    // The request may have timed out or been aborted while it waited: then it is not sent at all.
    if (isSettled()) return;
    if (this.isClosed) throw new ConnectionError(`client for ${this.address} is closed`, 'clientClosed', { requestId });
    this.pending.set(requestId, entry);
    connection.write(frame);
  }

  private openConnected(): Promise<Connection> {
    if (this.isClosed) {
      return Promise.reject(new ConnectionError(`client for ${this.address} is closed`, 'clientClosed'));
    }
    if (this.connection?.isOpen) return Promise.resolve(this.connection);
    this.connecting ??= this.attemptConnect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async attemptConnect(): Promise<Connection> {
    this.reconnectTimer?.cancel();
    const wait = this.retryAt - Date.now();
    if (wait > 0) await sleep(wait);
    if (this.isClosed) throw new ConnectionError(`client for ${this.address} is closed`, 'clientClosed');
    this.setState('connecting');
    try {
      const { connection, response } = await openConnection(
        this.options,
        {
          onFrame: (frame) => this.onFrame(frame),
          onUndecodableFrame: (operation, error) =>
            this.options.logger?.warn(`skipped a frame with op ${operation} from ${this.address} that could not be decoded: ${error.message}`),
          onClose: (reason) => this.onConnectionLost(reason),
        },
      );
      if (this.isClosed) {
        await connection.close(new ConnectionError(`client for ${this.address} was closed`, 'clientClosed'));
        throw new ConnectionError(`client for ${this.address} is closed`, 'clientClosed');
      }
      this.connection = connection;
      this.backoff.succeeded();
      this.retryAt = 0;
      this.setState('connected', response);
      return connection;
    } catch (error) {
      if (!this.isClosed) {
        this.backoff.failed();
        this.retryAt = Date.now() + this.backoff.nextDelayMs;
        this.setState('disconnected', error as Error);
        this.scheduleReconnect();
      }
      throw error;
    }
  }

  private onConnectionLost(reason: Error): void {
    this.connection = undefined;
    this.rejectAllPending(reason);
    if (this.isClosed) return;
    this.setState('disconnected', reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.options.autoReconnect || this.isClosed) return;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = startLongTimer(Math.max(0, this.retryAt - Date.now()), () => {
      this.openConnected().catch(() => undefined);
    });
  }

  private onFrame({ operation, body }: DecodedFrame): void {
    const requestId = body.requestId;
    const entry = typeof requestId === 'string' ? this.pending.get(requestId) : undefined;
    if (!entry) {
      // Most often the answer to a request that already timed out.
      this.options.logger?.debug(`skipped a frame with op ${operation} for unknown request ${String(requestId)}`);
      return;
    }
    this.pending.delete(requestId as string);
    const status = body.status;
    if (operation === Operation.UnknownOperationError || (typeof status === 'number' && status !== ResponseStatusCode.Success)) {
      entry.reject(errorFromStatus(Number(status), stringOrUndefined(body.errorMessage), requestId as string));
    } else if (operation !== entry.expectedOperation) {
      entry.reject(
        new UnknownFailureError(
          `expected a ${Operation[entry.expectedOperation]} (op ${entry.expectedOperation}) answer, got op ${operation}`,
          requestId as string,
        ),
      );
    } else if (typeof status !== 'number') {
      entry.reject(new UnknownFailureError(`${Operation[operation]} answer carries no status`, requestId as string));
    } else {
      entry.resolve(body);
    }
  }

  private rejectAllPending(reason: Error): void {
    const entries = [...this.pending.entries()];
    this.pending.clear();
    for (const [requestId, entry] of entries) {
      entry.reject(
        reason instanceof ConnectionError ? new ConnectionError(reason.message, reason.failure, { requestId, cause: reason }) : reason,
      );
    }
  }

  private setState(state: 'connected', response: ConnectResponse): void;
  private setState(state: 'disconnected', reason: Error): void;
  private setState(state: 'connecting' | 'closed'): void;
  private setState(state: ClientState, detail?: ConnectResponse | Error): void {
    this.currentState = state;
    try {
      if (state === 'connected') this.emit('connected', detail as ConnectResponse);
      else if (state === 'disconnected') this.emit('disconnected', detail as Error);
      else if (state === 'connecting') this.emit('connecting');
      else if (state === 'closed') this.emit('closed');
    } catch (error) {
      // A listener that throws must not break the client's own bookkeeping.
      this.options.logger?.error(`a '${state}' listener threw: ${(error as Error).message}`);
    }
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function withSdkDefaults(definition: MessageStreamDefinition): MessageStreamDefinition {
  if (typeof definition !== 'object' || definition === null) return definition;
  return {
    ...definition,
    maxSize: definition.maxSize ?? DEFAULT_MAX_SIZE,
    streamSegmentSize: definition.streamSegmentSize ?? DEFAULT_STREAM_SEGMENT_SIZE,
  };
}
