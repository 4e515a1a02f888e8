// What one look at a stream sees, through public operations only (describe, reads, the consumers' checkpoint
// stream): the raw facts that assessStreamHealth turns into states. Plain numbers: sequence numbers and sizes of a
// real stream stay far below 2^53.
import type { ExportKind } from '../../protocol/model';

export interface ExportSample {
  identifier: string;
  /** Undefined for a status whose export is no longer in the definition. */
  kind?: ExportKind;
  disabled: boolean;
  /** -1 or undefined: nothing exported yet. */
  lastExportedSequenceNumber?: number;
  /** When the export last tried (succeeded or failed), ms since the epoch. */
  lastExportTime?: number;
  /** The error of the last attempt, if it failed. */
  errorMessage?: string;
  /** Ingest time of the oldest stored message the export has not exported; undefined when none waits. */
  oldestUnexportedIngestTime?: number;
}

export interface ConsumerSample {
  consumer: string;
  /** Every message before this one is acknowledged. */
  nextSequenceNumber: number;
  committedAt: number;
  deadLetterStream?: string;
  /** Dead letters in its dead-letter stream that nobody has retried or discarded. */
  deadLetters: number;
}

export interface StreamSample {
  stream: string;
  /** When the sample was taken, ms since the epoch. */
  takenAt: number;
  maxSize: number;
  totalBytes: number;
  oldestSequenceNumber: number;
  /** Below oldestSequenceNumber when the stream holds no message (-1 when nothing was ever appended). */
  newestSequenceNumber: number;
  /** Ingest times of the oldest and newest stored messages: the append rate when there is no earlier sample. */
  oldestIngestTime?: number;
  newestIngestTime?: number;
  exports: ExportSample[];
  consumers: ConsumerSample[];
}
