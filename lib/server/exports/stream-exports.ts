// The exports of one stream: their configuration, progress and status, and one attempt at a time per export.
// Exports are matched by identifier when the definition changes; those left out are removed.
import { EXPORT_KINDS, type ExportDefinition, type ExportKind, type ExportStatus } from '../../protocol/model';
import { batchIsDue, batchPolicy, type BatchPolicy } from './export-batching';
import { refusalOf, type ExportEnvironment } from './export-environment';
import { ExportFailedError, reasonOf } from './export-errors';
import { newProgress, ProgressFile, type ExportProgress } from './export-progress';
import type { ExportMessage, ExportSource } from './export-source';
import { createExporter, type AnyExportConfig } from './create-exporter';
import { wholeBatch, type Exporter, type SendResult } from './exporter';
import { RetryBackoff } from './retry-backoff';

/** Exports without a priority come last (priorities run from 1, highest, to 10). */
const UNSET_PRIORITY = 11;

export interface ExportState {
  readonly kind: ExportKind;
  readonly identifier: string;
  priority: number;
  disabled: boolean;
  policy: BatchPolicy;
  exporter: Exporter;
  progress: ExportProgress;
  errorMessage?: string;
  backoff: RetryBackoff;
  retryAt: number;
  busy: boolean;
  removed: boolean;
}

const optionalNumber = (value: number | bigint | undefined): number | undefined => (value === undefined ? undefined : Number(value));

export class StreamExports {
  private states = new Map<string, ExportState>();
  private readonly progressFile: ProgressFile;
  private readonly saved: Map<string, ExportProgress>;
  private closed = false;

  /**
   * @param folder the stream's folder, where its export progress is kept; undefined for a Memory stream.
   * @param folderName names the stream's records under the export folder (stream names never become paths).
   */
  constructor(
    readonly source: ExportSource,
    private readonly folderName: string,
    folder: string | undefined,
    private readonly environment: ExportEnvironment,
  ) {
    this.progressFile = new ProgressFile(folder);
    const loaded = this.progressFile.load();
    if (loaded.problem) environment.logger.warn(`stream ${source.streamName}: ${loaded.problem}`);
    this.saved = loaded.progress;
  }

  get active(): boolean {
    return this.states.size > 0 && !this.closed;
  }

  configure(definition: ExportDefinition | undefined): void {
    const next = new Map<string, ExportState>();
    for (const kind of EXPORT_KINDS) {
      for (const config of (definition?.[kind] ?? []) as AnyExportConfig[]) {
        next.set(config.identifier, this.stateFor(kind, config));
      }
    }
    for (const [identifier, state] of this.states) {
      if (next.has(identifier)) continue;
      state.removed = true;
      this.saved.delete(identifier);
    }
    this.states = next;
    this.save();
  }

  statuses(): ExportStatus[] {
    return [...this.states.values()].map((state) => ({
      exportConfigIdentifier: state.identifier,
      lastExportedSequenceNumber: state.progress.lastExportedSequenceNumber,
      lastExportTime: state.progress.lastExportTime,
      errorMessage: state.errorMessage,
      exportedBytesFromStream: state.progress.exportedBytes,
      exportedMessagesCount: state.progress.exportedMessages,
    }));
  }

  /** Exports that have a batch to send now, and may: not disabled, not busy, not waiting out a back-off. */
  dueExports(now: number): ExportState[] {
    if (this.closed) return [];
    const due: ExportState[] = [];
    const oldest = this.source.oldestSequenceNumber;
    const newest = this.source.newestSequenceNumber;
    for (const state of this.states.values()) {
      if (state.disabled || state.busy || now < state.retryAt) continue;
      const from = Math.max(state.progress.nextSequenceNumber, oldest);
      const waiting = newest - from + 1;
      if (waiting <= 0) continue;
      const needsAge = state.policy.batchIntervalMillis !== undefined && waiting < state.policy.batchSize;
      const oldestIngestTime = needsAge ? (this.source.readBatch(from, 1, Number.MAX_SAFE_INTEGER)[0]?.ingestTime ?? now) : now;
      if (batchIsDue(state.policy, waiting, oldestIngestTime, now)) due.push(state);
    }
    return due;
  }

  /**
   * Sends the next batch of one export. Never throws: a failure is kept as the export's error and retried after
   * its back-off; what the destination took is committed, so it is not sent again.
   * @param pace waits as long as the bandwidth limit asks for the batch's bytes
   */
  async attempt(state: ExportState, pace: (bytes: number) => Promise<void>): Promise<void> {
    state.busy = true;
    let batch: ExportMessage[] = [];
    try {
      this.skipRetentionLoss(state);
      batch = this.source.readBatch(state.progress.nextSequenceNumber, state.policy.batchSize, state.policy.maxBytes);
      if (batch.length === 0) return;
      await pace(wholeBatch(batch).exportedBytes);
      const refusal = refusalOf(this.environment, state.kind, state.identifier);
      if (refusal !== undefined) throw new ExportFailedError(refusal);
      const result = await state.exporter.send(batch);
      this.commit(state, batch, result);
      state.errorMessage = result.note;
      state.backoff.succeeded();
      state.retryAt = 0;
    } catch (error) {
      const delivered = error instanceof ExportFailedError ? Math.min(error.delivered, batch.length) : 0;
      if (delivered > 0) this.commit(state, batch.slice(0, delivered), wholeBatch(batch.slice(0, delivered)));
      const delay = state.backoff.failed();
      state.errorMessage = reasonOf(error);
      state.progress.lastExportTime = this.environment.clock();
      state.retryAt = this.environment.clock() + delay;
      const line = `export ${state.identifier} of stream ${this.source.streamName} failed (tried again in ${delay} ms): ${state.errorMessage}`;
      if (state.backoff.consecutiveFailures === 1) this.environment.logger.warn(line);
      else this.environment.logger.debug(line);
    } finally {
      state.busy = false;
    }
  }

  /** The stream is gone: its exports take no further batches (progress was saved after each one). */
  close(): void {
    this.closed = true;
  }

  save(): void {
    if (this.closed) return;
    const progress = new Map(this.saved);
    for (const [identifier, state] of this.states) progress.set(identifier, state.progress);
    if (progress.size === 0 && !this.progressFile.exists()) return;
    try {
      this.progressFile.save(progress);
    } catch (error) {
      this.environment.logger.error(`stream ${this.source.streamName}: could not save export progress: ${reasonOf(error)}`);
    }
  }

  private stateFor(kind: ExportKind, config: AnyExportConfig): ExportState {
    const batching = config as { batchSize?: number | bigint; batchIntervalMillis?: number | bigint; startSequenceNumber?: number | bigint };
    const previous = this.states.get(config.identifier);
    const exporter = createExporter(kind, config, { name: this.source.streamName, folderName: this.folderName }, this.environment);
    const settings = {
      priority: optionalNumber(config.priority) ?? UNSET_PRIORITY,
      disabled: config.disabled === true,
      policy: batchPolicy(kind, optionalNumber(batching.batchSize), optionalNumber(batching.batchIntervalMillis)),
      exporter,
    };
    if (previous && previous.kind === kind) {
      Object.assign(previous, settings);
      return previous;
    }
    return {
      kind,
      identifier: config.identifier,
      ...settings,
      progress: this.saved.get(config.identifier) ?? newProgress(optionalNumber(batching.startSequenceNumber) ?? 0),
      backoff: new RetryBackoff(this.environment.retry),
      retryAt: 0,
      busy: false,
      removed: false,
    };
  }

  /** Messages that retention removed before the export sent them cannot be sent: say so, and go on after them. */
  private skipRetentionLoss(state: ExportState): void {
    const oldest = this.source.oldestSequenceNumber;
    const next = state.progress.nextSequenceNumber;
    if (next >= oldest) return;
    const lost = `sequence numbers ${next} to ${oldest - 1} were removed by the stream's retention (size or time to live) before they were exported`;
    this.environment.logger.warn(`export ${state.identifier} of stream ${this.source.streamName}: ${lost}`);
    state.progress.nextSequenceNumber = oldest;
  }

  private commit(state: ExportState, batch: ExportMessage[], result: SendResult): void {
    if (state.removed) return;
    const last = batch[batch.length - 1].sequenceNumber;
    state.progress.nextSequenceNumber = last + 1;
    state.progress.lastExportedSequenceNumber = last;
    state.progress.exportedMessages += result.exportedMessages;
    state.progress.exportedBytes += result.exportedBytes;
    state.progress.lastExportTime = this.environment.clock();
    this.save();
  }
}
