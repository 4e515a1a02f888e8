// Kinesis Data Streams: a PutRecords request, each record with a new random UUID as its partition key, as the
// device's exporter does (AWS docs).
import { randomUUID } from 'node:crypto';
import type { KinesisConfig } from '../../../protocol/model';
import type { Exporter } from '../exporter';
import { RecordingExporter, type RecordedRequestPlace } from './recorded-request';

export function kinesisExporter(config: KinesisConfig, place: RecordedRequestPlace): Exporter {
  return new RecordingExporter(place, (batch) => ({
    StreamName: config.kinesisStreamName,
    Records: batch.map((message) => ({ Data: message.payload.toString('base64'), PartitionKey: randomUUID() })),
  }));
}
