// IoT SiteWise: a BatchPutAssetPropertyValue request whose entries are the messages' PutAssetPropertyValueEntry
// documents. A message that is not a valid entry cannot be sent; like the device, the exporter skips it (it is not
// counted as exported) and names it in the recorded file and in the export status.
import type { ExportMessage } from '../export-source';
import type { Exporter, SendResult } from '../exporter';
import { readPayloadDocument } from './payload-document';
import { writeRecordedRequest, type RecordedRequestPlace } from './recorded-request';

export class SiteWiseExporter implements Exporter {
  constructor(private readonly place: RecordedRequestPlace) {}

  send(batch: ExportMessage[]): Promise<SendResult> {
    const entries: unknown[] = [];
    const skipped: { sequenceNumber: number; reason: string }[] = [];
    let exportedBytes = 0;
    for (const message of batch) {
      const read = readPayloadDocument(message.payload, 'PutAssetPropertyValueEntry');
      if ('problem' in read) {
        skipped.push({ sequenceNumber: message.sequenceNumber, reason: read.problem });
        continue;
      }
      entries.push(read.document);
      exportedBytes += message.payload.length;
    }
    const first = batch[0].sequenceNumber;
    const last = batch[batch.length - 1].sequenceNumber;
    writeRecordedRequest(this.place, first, last, entries.length > 0 ? { entries } : null, skipped.length > 0 ? { skipped } : {});
    const note = skipped.length > 0 ? `skipped sequence number ${skipped[0].sequenceNumber}: ${skipped[0].reason}` : undefined;
    return Promise.resolve({ exportedMessages: entries.length, exportedBytes, note });
  }
}
