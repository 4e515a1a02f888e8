// IoT SiteWise: a BatchPutAssetPropertyValue request whose entries are the messages' PutAssetPropertyValueEntry
// documents. A message that is not a valid entry, or an entry SiteWise would reject (a timestamp outside its window
// at the time of the export, an integer out of range, ...), cannot be sent; like the device, the exporter skips it
// (it is not counted as exported) and names it, with its entry id and the rule, in the recorded file and in the
// export status.
import { checkSiteWiseEntry } from '../../../protocol/sitewise-rules';
import type { ExportMessage } from '../export-source';
import type { Exporter, SendResult } from '../exporter';
import { readPayloadDocument } from './payload-document';
import { writeRecordedRequest, type RecordedRequestPlace } from './recorded-request';

interface SkippedEntry {
  sequenceNumber: number;
  entryId?: string;
  reason: string;
}

export class SiteWiseExporter implements Exporter {
  constructor(
    private readonly place: RecordedRequestPlace,
    private readonly clock: () => number = Date.now,
  ) {}

  send(batch: ExportMessage[]): Promise<SendResult> {
    const entries: unknown[] = [];
    const skipped: SkippedEntry[] = [];
    let exportedBytes = 0;
    const now = this.clock();
    for (const message of batch) {
      const read = readPayloadDocument(message.payload, 'PutAssetPropertyValueEntry');
      if ('problem' in read) {
        skipped.push({ sequenceNumber: message.sequenceNumber, reason: read.problem });
        continue;
      }
      try {
        checkSiteWiseEntry(read.document, now);
      } catch (error) {
        const entryId = typeof read.document.entryId === 'string' ? read.document.entryId : undefined;
        skipped.push({ sequenceNumber: message.sequenceNumber, entryId, reason: `IoT SiteWise would reject entry ${entryId ?? '(no id)'}: ${(error as Error).message}` });
        continue;
      }
      entries.push(read.document);
      exportedBytes += message.payload.length;
    }
    const first = batch[0].sequenceNumber;
    const last = batch[batch.length - 1].sequenceNumber;
    writeRecordedRequest(this.place, first, last, entries.length > 0 ? { entries } : null, skipped.length > 0 ? { skipped } : {});
    const note = skipped.length > 0 ? skippedNote(skipped) : undefined;
    return Promise.resolve({ exportedMessages: entries.length, exportedBytes, note });
  }
}

/** Every skipped entry by sequence number (and entry id), with the first one's reason. */
function skippedNote(skipped: SkippedEntry[]): string {
  const names = skipped.map((skip) => (skip.entryId ? `${skip.sequenceNumber} (entry ${skip.entryId})` : String(skip.sequenceNumber)));
  const list = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  return `skipped sequence number${skipped.length > 1 ? 's' : ''} ${list}: ${skipped[0].reason}`;
}
