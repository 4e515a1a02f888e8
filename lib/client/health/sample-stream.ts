// Takes a StreamSample through public operations only, so that it sees on a core device what it sees here: the
// stream's description, one read per distinct waiting position for the age of the oldest unexported message, the
// consumers' checkpoint stream and their dead-letter streams.
import { errorCodeOf } from '../../protocol/errors';
import { DEFAULT_MAX_SIZE } from '../../protocol/model';
import type { StreamManagerClient } from '../client';
import { listConsumers } from '../consumer/list-consumers';
import { pendingDeadLetterCount } from '../consumer/pending-dead-letters';
import { exportsOfStream } from './exports-of-stream';
import type { ConsumerSample, ExportSample, StreamSample } from './stream-sample';

interface SampleOptions {
  /** Also read the oldest and newest messages' ingest times, for an append rate without an earlier sample. */
  withIngestSpan?: boolean;
  /** Read the consumers' positions; false when the stream is known to have no checkpoint stream. Default true. */
  withConsumers?: boolean;
  /** Default Date.now. */
  clock?: () => number;
}

type IngestTimeAt = (sequenceNumber: number) => Promise<number | undefined>;

/** Ingest times by sequence number, each read at most once per sample; undefined when nothing is stored from there. */
function ingestTimeReader(client: StreamManagerClient, stream: string): IngestTimeAt {
  const reads = new Map<number, Promise<number | undefined>>();
  const read = async (sequenceNumber: number): Promise<number | undefined> => {
    try {
      const [message] = await client.readMessages(stream, { desiredStartSequenceNumber: sequenceNumber, minMessageCount: 1, maxMessageCount: 1, readTimeoutMillis: 0 });
      return message?.ingestTime === undefined ? undefined : Number(message.ingestTime);
    } catch (error) {
      // Removed by retention or the stream since it was described: nothing waits there any more.
      if (errorCodeOf(error) === 'NotEnoughMessages') return undefined;
      throw error;
    }
  };
  return (sequenceNumber) => {
    let pending = reads.get(sequenceNumber);
    if (pending === undefined) reads.set(sequenceNumber, (pending = read(sequenceNumber)));
    return pending;
  };
}

function optionalNumber(value: number | bigint | undefined): number | undefined {
  return value === undefined || value === null ? undefined : Number(value);
}

async function consumerSamples(client: StreamManagerClient, stream: string): Promise<ConsumerSample[]> {
  const listings = await listConsumers(client, stream);
  return Promise.all(
    listings.map(async (listing) => ({
      consumer: listing.consumer,
      nextSequenceNumber: listing.nextSequenceNumber,
      committedAt: listing.committedAt,
      ...(listing.deadLetterStream ? { deadLetterStream: listing.deadLetterStream } : {}),
      deadLetters: await pendingDeadLetterCount(client, listing),
    })),
  );
}

/** Looks at one stream; rejects as describeMessageStream does (ResourceNotFound when it is not there). */
export async function sampleStream(client: StreamManagerClient, stream: string, options: SampleOptions = {}): Promise<StreamSample> {
  const info = await client.describeMessageStream(stream);
  const takenAt = (options.clock ?? Date.now)();
  const oldest = optionalNumber(info.storageStatus?.oldestSequenceNumber) ?? 0;
  const newest = optionalNumber(info.storageStatus?.newestSequenceNumber) ?? oldest - 1;
  const ingestTimeAt = ingestTimeReader(client, stream);
  const exports = exportsOfStream(info).map(async ({ identifier, kind, disabled, status }): Promise<ExportSample> => {
    const lastExported = optionalNumber(status?.lastExportedSequenceNumber) ?? -1;
    const firstWaiting = Math.max(lastExported + 1, oldest);
    return {
      identifier,
      ...(kind === undefined ? {} : { kind }),
      disabled,
      lastExportedSequenceNumber: lastExported,
      ...(status?.lastExportTime === undefined ? {} : { lastExportTime: Number(status.lastExportTime) }),
      ...(status?.errorMessage ? { errorMessage: status.errorMessage } : {}),
      oldestUnexportedIngestTime: firstWaiting <= newest ? await ingestTimeAt(firstWaiting) : undefined,
    };
  });
  const span = options.withIngestSpan === true && newest >= oldest ? [ingestTimeAt(oldest), ingestTimeAt(newest)] : [];
  const [exportSamples, consumers, [oldestIngestTime, newestIngestTime]] = await Promise.all([
    Promise.all(exports),
    options.withConsumers === false ? [] : consumerSamples(client, stream),
    Promise.all(span),
  ]);
  return {
    stream,
    takenAt,
    maxSize: optionalNumber(info.definition?.maxSize) ?? DEFAULT_MAX_SIZE,
    totalBytes: optionalNumber(info.storageStatus?.totalBytes) ?? 0,
    oldestSequenceNumber: oldest,
    newestSequenceNumber: newest,
    ...(oldestIngestTime === undefined ? {} : { oldestIngestTime }),
    ...(newestIngestTime === undefined ? {} : { newestIngestTime }),
    exports: exportSamples,
    consumers,
  };
}
