// One TCP connection to Stream Manager: the handshake, then frames in both directions.
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { decodeAppendReply } from '../protocol/append-fast-path';
import { decodeFrameBody, encodeFrame, FrameDecoder, type DecodedFrame } from '../protocol/frame';
import { Operation } from '../protocol/operation';
import { ResponseStatusCode } from '../protocol/status';
import { CONNECT_VERSION, OTHER_SUPPORTED_PROTOCOL_VERSIONS, PROTOCOL_VERSION } from '../protocol/enums';
import { ConnectionError, errorFromStatus, TimeoutError, FrameError } from '../protocol/errors';
import { TickBatchedWriter } from '../protocol/tick-batched-writer';
import type { ConnectRequest, ConnectResponse } from '../protocol/model';
import { startLongTimer } from './long-timer';
import type { Logger } from '../common/logger';

const SDK_VERSION = '1.1.0';

interface ConnectionHandlers {
  /** A decoded frame arrived after the handshake. */
  onFrame(frame: DecodedFrame): void;
  /** A frame arrived whose CBOR could not be decoded; the framing is intact, so reading goes on. */
  onUndecodableFrame(operation: number, error: Error): void;
  /** The connection is gone; called once, after a successful handshake only. */
  onClose(reason: Error): void;
}

interface ConnectionSettings {
  host: string;
  port: number;
  authToken?: string;
  connectTimeoutMs: number;
  maxFrameLength: number;
  logger?: Logger;
}

/**
 * Opens a socket and completes the handshake (protocol.md §1.2) within the connect timeout.
 * Resolves with the open connection and the server's ConnectResponse; rejects with ConnectionError,
 * TimeoutError or the error for the status the server refused with (UnauthorizedError for a bad token).
 */
export function openConnection(
  settings: ConnectionSettings,
  handlers: ConnectionHandlers,
): Promise<{ connection: Connection; response: ConnectResponse }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: settings.host, port: settings.port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(settings.maxFrameLength);
    const where = `${settings.host}:${settings.port}`;
    let versionSeen = false;
    let settled = false;

    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      socket.destroy();
      reject(error);
    };
    const timer = startLongTimer(settings.connectTimeoutMs, () =>
      fail(new TimeoutError(`connecting to Stream Manager at ${where} took longer than ${settings.connectTimeoutMs} ms`)),
    );

    socket.once('connect', () => {
      const request: ConnectRequest = {
        requestId: randomUUID(),
        protocolVersion: PROTOCOL_VERSION,
        otherSupportedProtocolVersions: [...OTHER_SUPPORTED_PROTOCOL_VERSIONS],
        sdkVersion: SDK_VERSION,
        authToken: settings.authToken,
      };
      socket.write(Buffer.concat([Buffer.of(CONNECT_VERSION), encodeFrame(Operation.Connect, request)]));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      fail(new ConnectionError(`cannot connect to Stream Manager at ${where}: ${error.code ?? error.message}`, 'socketError', { cause: error }));
    });
    socket.on('close', () => fail(new ConnectionError(`Stream Manager at ${where} closed the connection during the handshake`, 'notStreamManager')));

    const onHandshakeData = (chunk: Buffer): void => {
      try {
        if (!versionSeen) {
          if (chunk.length === 0) return;
          const version = chunk[0];
          if (version !== CONNECT_VERSION) {
            throw new ConnectionError(`Stream Manager at ${where} answered with connect version ${version}, expected ${CONNECT_VERSION}`, 'notStreamManager');
          }
          versionSeen = true;
          chunk = chunk.subarray(1);
        }
        const [first, ...rest] = decoder.push(chunk);
        if (!first) return;
        if (first.operation !== Operation.ConnectResponse) {
          throw new ConnectionError(`Stream Manager at ${where} answered the handshake with op ${first.operation}, expected ConnectResponse (6)`, 'notStreamManager');
        }
        const response = decodeFrameBody(first).body as unknown as ConnectResponse;
        if (response.status !== ResponseStatusCode.Success) {
          throw errorFromStatus(response.status, response.errorMessage, response.requestId);
        }
        if (response.protocolVersion !== PROTOCOL_VERSION) {
          settings.logger?.warn(
            `Stream Manager at ${where} speaks protocol ${String(response.protocolVersion)}, this client ${PROTOCOL_VERSION}: continuing in compatibility mode`,
          );
        }
        settled = true;
        timer.cancel();
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        socket.off('data', onHandshakeData);
        const connection = new Connection(socket, decoder, where, settings, handlers);
        resolve({ connection, response });
        connection.deliver(rest);
      } catch (error) {
        fail(error instanceof FrameError ? new ConnectionError(`bad handshake from ${where}: ${error.message}`, 'notStreamManager') : (error as Error));
      }
    };
    socket.on('data', onHandshakeData);
  });
}

/** An open, handshaken connection. Frames written in one tick go out in a single writev. */
export class Connection {
  private closed = false;
  private draining?: Promise<void>;
  private readonly writer: TickBatchedWriter;

  constructor(
    private readonly socket: net.Socket,
    private readonly decoder: FrameDecoder,
    readonly where: string,
    private readonly settings: ConnectionSettings,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.writer = new TickBatchedWriter(socket);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.shutDown(new ConnectionError(`connection to Stream Manager at ${where} failed: ${error.code ?? error.message}`, 'socketError', { cause: error })));
    socket.on('close', () => this.shutDown(new ConnectionError(`Stream Manager at ${where} closed the connection`, 'closedByServer')));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** True while the socket's buffer is above its high-water mark: the caller should wait for drained(). */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Resolves when the socket has drained (or closed); every waiting request shares one pair of listeners. */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closed) return Promise.resolve();
    this.draining ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        this.draining = undefined;
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
    return this.draining;
  }

  write(frame: Buffer): void {
    this.writer.write(frame);
  }

  close(reason: Error): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.shutDown(reason);
    });
  }

  deliver(frames: { operation: number; payload: Buffer }[]): void {
    for (const frame of frames) {
      if (this.closed) return;
      if (frame.operation === Operation.AppendMessageResponse) {
        const reply = decodeAppendReply(frame.payload);
        if (reply) {
          this.handlers.onFrame({ operation: frame.operation, body: reply as unknown as Record<string, unknown> });
          continue;
        }
      }
      let decoded: DecodedFrame;
      try {
        decoded = decodeFrameBody(frame);
      } catch (error) {
        this.handlers.onUndecodableFrame(frame.operation, error as Error);
        continue;
      }
      this.handlers.onFrame(decoded);
    }
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.settings.logger?.error(`closing the connection to ${this.where}: ${(error as Error).message}`);
      this.shutDown(new ConnectionError(`Stream Manager at ${this.where} sent a frame this client cannot read: ${(error as Error).message}`, 'notStreamManager'));
      return;
    }
    this.deliver(frames);
  }

  private shutDown(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose(reason);
  }
}
