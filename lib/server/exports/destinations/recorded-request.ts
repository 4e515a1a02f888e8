// The cloud exporters (Kinesis, IoT Analytics, IoT SiteWise) end here: each batch is written under the export folder
// as the request the device would send, in one JSON file per batch named by its sequence numbers. Written to a
// temporary file and renamed, so a reader never sees half a request; a batch sent again replaces its own file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExportFailedError } from '../export-errors';
import type { ExportMessage } from '../export-source';
import { wholeBatch, type Exporter, type SendResult } from '../exporter';

export interface RecordedRequestPlace {
  exportDir: string;
  streamName: string;
  streamFolderName: string;
  kind: string;
  identifier: string;
}

/** Identifiers keep to letters, digits, space, comma, period, hyphen and underscore; anything else becomes _. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9 ,._-]/g, '_');
}

function recordedRequestFolder(place: RecordedRequestPlace): string {
  return path.join(place.exportDir, 'requests', place.streamFolderName, `${place.kind}-${safeName(place.identifier)}`);
}

const pad = (sequenceNumber: number): string => String(sequenceNumber).padStart(19, '0');

export function writeRecordedRequest(
  place: RecordedRequestPlace,
  firstSequenceNumber: number,
  lastSequenceNumber: number,
  request: unknown,
  extra: Record<string, unknown> = {},
): void {
  const folder = recordedRequestFolder(place);
  const file = path.join(folder, `${pad(firstSequenceNumber)}-${pad(lastSequenceNumber)}.json`);
  const document = {
    streamName: place.streamName,
    exportIdentifier: place.identifier,
    kind: place.kind,
    firstSequenceNumber,
    lastSequenceNumber,
    recordedAt: new Date().toISOString(),
    ...extra,
    request,
  };
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(document, null, 1)}\n`);
    fs.renameSync(`${file}.tmp`, file);
  } catch (error) {
    throw new ExportFailedError(`could not record the request in ${folder}: ${(error as Error).message}`);
  }
}

/** An exporter whose request is recorded, not sent: each kind gives how it turns a batch into its request. */
export class RecordingExporter implements Exporter {
  constructor(
    private readonly place: RecordedRequestPlace,
    private readonly toRequest: (batch: ExportMessage[]) => unknown,
  ) {}

  send(batch: ExportMessage[]): Promise<SendResult> {
    writeRecordedRequest(this.place, batch[0].sequenceNumber, batch[batch.length - 1].sequenceNumber, this.toRequest(batch));
    return Promise.resolve(wholeBatch(batch));
  }
}
