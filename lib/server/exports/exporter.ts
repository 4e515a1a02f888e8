// What every destination offers the scheduler: send one batch, in order.
import type { ExportMessage } from './export-source';

export interface SendResult {
  /** Messages the destination took (an invalid entry it skips is not counted, but is not sent again either). */
  exportedMessages: number;
  exportedBytes: number;
  /** Something the user should see in the export status although the batch went (e.g. a skipped entry). */
  note?: string;
}

export interface Exporter {
  /**
   * Sends the batch. Resolves when the whole batch is done with; rejects with ExportFailedError when the destination
   * did not take it, and then the batch (less the messages counted as delivered) is tried again later.
   */
  send(batch: ExportMessage[]): Promise<SendResult>;
}

export function wholeBatch(batch: ExportMessage[]): SendResult {
  return { exportedMessages: batch.length, exportedBytes: batch.reduce((sum, message) => sum + message.payload.length, 0) };
}
