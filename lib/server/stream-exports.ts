// Export bookkeeping for one stream. The local server has no cloud: with an export folder it writes each batch that
// would be exported as JSON lines (one file per export), so a user sees what would go out; without one it reports
// honestly that nothing was exported.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXPORT_KINDS, type ExportDefinition, type ExportKind, type ExportStatus } from '../protocol/model';
import type { StoredMessage } from './stored-message';

interface ExportState {
  kind: ExportKind;
  identifier: string;
  batchSize?: number;
  batchIntervalMillis?: number;
  disabled: boolean;
  nextSequenceNumber: number;
  lastExportedSequenceNumber: number;
  lastExportTime?: number;
  exportedBytes: number;
  exportedMessages: number;
  errorMessage?: string;
}

const NO_DESTINATION = 'not exported: the local server has no cloud connection; start it with --export-dir to record what would be exported';

export interface ExportSource {
  readonly oldestSequenceNumber: number;
  readonly newestSequenceNumber: number;
  read(request: { desiredStartSequenceNumber: number; minMessageCount: number; maxMessageCount: number }): StoredMessage[] | undefined;
}

export class StreamExports {
  private states = new Map<string, ExportState>();

  constructor(private readonly folder: string | undefined) {}

  get active(): boolean {
    return this.states.size > 0;
  }

  /** Takes a (new) export definition: exports are matched by identifier; those left out are removed. */
  configure(definition: ExportDefinition | undefined): void {
    const next = new Map<string, ExportState>();
    for (const kind of EXPORT_KINDS) {
      for (const config of definition?.[kind] ?? []) {
        const previous = this.states.get(config.identifier);
        const batching = 'batchSize' in config || 'batchIntervalMillis' in config ? (config as { batchSize?: number | bigint; batchIntervalMillis?: number | bigint }) : {};
        const start = 'startSequenceNumber' in config && config.startSequenceNumber !== undefined ? Number(config.startSequenceNumber) : 0;
        next.set(config.identifier, {
          kind,
          identifier: config.identifier,
          batchSize: batching.batchSize === undefined ? undefined : Number(batching.batchSize),
          batchIntervalMillis: batching.batchIntervalMillis === undefined ? undefined : Number(batching.batchIntervalMillis),
          disabled: config.disabled === true,
          nextSequenceNumber: previous?.nextSequenceNumber ?? start,
          lastExportedSequenceNumber: previous?.lastExportedSequenceNumber ?? -1,
          lastExportTime: previous?.lastExportTime,
          exportedBytes: previous?.exportedBytes ?? 0,
          exportedMessages: previous?.exportedMessages ?? 0,
          errorMessage: this.folder ? previous?.errorMessage : NO_DESTINATION,
        });
      }
    }
    this.states = next;
  }

  statuses(): ExportStatus[] {
    return [...this.states.values()].map((state) => ({
      exportConfigIdentifier: state.identifier,
      lastExportedSequenceNumber: state.lastExportedSequenceNumber,
      lastExportTime: state.lastExportTime,
      errorMessage: state.errorMessage,
      exportedBytesFromStream: state.exportedBytes,
      exportedMessagesCount: state.exportedMessages,
    }));
  }

  /** Exports what is due: a full batch, or everything once the oldest waiting message is older than the interval. */
  run(source: ExportSource, streamFolderName: string, now: number): void {
    if (!this.folder) return;
    for (const state of this.states.values()) {
      if (state.disabled) continue;
      state.nextSequenceNumber = Math.max(state.nextSequenceNumber, source.oldestSequenceNumber);
      for (;;) {
        const waiting = source.newestSequenceNumber - state.nextSequenceNumber + 1;
        if (waiting <= 0) break;
        const batchSize = state.batchSize ?? Number.MAX_SAFE_INTEGER;
        const unbatched = state.batchSize === undefined && state.batchIntervalMillis === undefined;
        const messages = source.read({ desiredStartSequenceNumber: state.nextSequenceNumber, minMessageCount: 1, maxMessageCount: Math.min(batchSize, 10_000) });
        if (!messages || messages.length === 0) break;
        const intervalPassed = state.batchIntervalMillis !== undefined && now - messages[0].ingestTime >= state.batchIntervalMillis;
        if (!unbatched && messages.length < batchSize && !intervalPassed) break;
        if (!this.write(state, streamFolderName, messages, now)) break;
      }
    }
  }

  /** Returns false when the batch could not be written; it is tried again on the next run. */
  private write(state: ExportState, streamFolderName: string, messages: StoredMessage[], now: number): boolean {
    const folder = path.join(this.folder as string, streamFolderName);
    const file = path.join(folder, `${state.kind}-${Buffer.from(state.identifier).toString('hex')}.jsonl`);
    const lines = messages
      .map((message) =>
        JSON.stringify({ exportIdentifier: state.identifier, kind: state.kind, sequenceNumber: message.sequenceNumber, ingestTime: message.ingestTime, payloadBase64: message.payload.toString('base64') }),
      )
      .join('\n');
    try {
      fs.mkdirSync(folder, { recursive: true });
      fs.appendFileSync(file, `${JSON.stringify({ batch: messages.length, exportedAt: now })}\n${lines}\n`);
      const last = messages[messages.length - 1];
      state.nextSequenceNumber = last.sequenceNumber + 1;
      state.lastExportedSequenceNumber = last.sequenceNumber;
      state.exportedMessages += messages.length;
      state.exportedBytes += messages.reduce((sum, message) => sum + message.payload.length, 0);
      state.errorMessage = undefined;
      state.lastExportTime = now;
      return true;
    } catch (error) {
      state.errorMessage = `could not write export file ${file}: ${(error as Error).message}`;
      state.lastExportTime = now;
      return false;
    }
  }
}
