// One exporter per export configuration, by kind.
import type { ExportDefinition, ExportKind, HTTPConfig, IoTAnalyticsConfig, KinesisConfig, S3ExportTaskExecutorConfig } from '../../protocol/model';
import { HttpExporter } from './destinations/http-exporter';
import { iotAnalyticsExporter } from './destinations/iot-analytics-exporter';
import { kinesisExporter } from './destinations/kinesis-exporter';
import type { RecordedRequestPlace } from './destinations/recorded-request';
import { S3TaskExecutor } from './destinations/s3-task-executor';
import { SiteWiseExporter } from './destinations/sitewise-exporter';
import type { ExportEnvironment } from './export-environment';
import type { Exporter } from './exporter';
import { LocalFolderUploader, S3EndpointUploader } from './s3/s3-uploader';
import { StatusReporter } from './status-reporter';

export type AnyExportConfig = NonNullable<ExportDefinition[ExportKind]>[number];

export function createExporter(
  kind: ExportKind,
  config: AnyExportConfig,
  stream: { name: string; folderName: string },
  environment: ExportEnvironment,
): Exporter {
  const place: RecordedRequestPlace = {
    exportDir: environment.exportDir,
    streamName: stream.name,
    streamFolderName: stream.folderName,
    kind,
    identifier: config.identifier,
  };
  switch (kind) {
    case 'kinesis':
      return kinesisExporter(config as KinesisConfig, place);
    case 'iotAnalytics':
      return iotAnalyticsExporter(config as IoTAnalyticsConfig, place);
    case 'IotSitewise':
      return new SiteWiseExporter(place, environment.clock);
    case 'http':
      return new HttpExporter(config as HTTPConfig, stream.name, environment.httpTimeoutMs);
    case 's3TaskExecutor': {
      const s3Config = config as S3ExportTaskExecutorConfig;
      const uploader = environment.s3Endpoint ? new S3EndpointUploader(environment.s3Endpoint) : new LocalFolderUploader(environment.exportDir);
      const status = new StatusReporter(s3Config.statusConfig, config.identifier, stream.name, environment.appendStatus, environment.clock, environment.logger);
      return new S3TaskExecutor(s3Config, uploader, status, environment.clock);
    }
  }
}
