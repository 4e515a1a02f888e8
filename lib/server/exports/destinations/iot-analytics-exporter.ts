// IoT Analytics: a BatchPutMessage request to the channel; each message ID is the configured prefix followed by the
// sequence number, unique within the stream as the service requires within a batch.
import type { IoTAnalyticsConfig } from '../../../protocol/model';
import type { Exporter } from '../exporter';
import { RecordingExporter, type RecordedRequestPlace } from './recorded-request';

export function iotAnalyticsExporter(config: IoTAnalyticsConfig, place: RecordedRequestPlace): Exporter {
  return new RecordingExporter(place, (batch) => ({
    channelName: config.iotChannel,
    messages: batch.map((message) => ({ messageId: `${config.iotMsgIdPrefix ?? ''}${message.sequenceNumber}`, payload: message.payload.toString('base64') })),
  }));
}
