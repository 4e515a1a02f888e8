// StatusMessage documents for an S3 export executor's status stream, in the JSON form the SDKs' Util helpers read
// (validateAndSerializeToJsonBytes('StatusMessage', ...)). A status is written when its level is at or above the
// configured statusLevel: Failure is ERROR, Warning WARN, InProgress and Success INFO (default level INFO).
import type { Logger } from '../../common/logger';
import { EventType, Status, StatusLevel } from '../../protocol/enums';
import { validateAndSerializeToJsonBytes } from '../../protocol/json-helpers';
import type { S3ExportTaskDefinition, StatusConfig, StatusMessage } from '../../protocol/model';
import { reasonOf } from './export-errors';
import type { StatusAppender } from './export-source';

const LEVEL_OF: Record<Status, StatusLevel> = {
  [Status.Success]: StatusLevel.INFO,
  [Status.InProgress]: StatusLevel.INFO,
  [Status.Failure]: StatusLevel.ERROR,
  [Status.Warning]: StatusLevel.WARN,
  [Status.Canceled]: StatusLevel.WARN,
};

export class StatusReporter {
  private warned = false;

  constructor(
    private readonly config: StatusConfig | undefined,
    private readonly exportIdentifier: string,
    private readonly streamName: string,
    private readonly append: StatusAppender,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {}

  async report(status: Status, sequenceNumber: number, task: S3ExportTaskDefinition | undefined, message: string): Promise<void> {
    const streamName = this.config?.statusStreamName;
    if (streamName === undefined) return;
    if (streamName === this.streamName) {
      // Status messages in the task stream would be read as tasks, fail, and report again without end.
      this.warnOnce(`its status stream is the task stream ${streamName} itself; no status is written`);
      return;
    }
    const level = LEVEL_OF[status];
    if (level > (this.config?.statusLevel ?? StatusLevel.INFO)) return;
    const document: StatusMessage = {
      eventType: EventType.S3Task,
      statusLevel: level,
      status,
      statusContext: {
        ...(task ? { s3ExportTaskDefinition: task } : {}),
        exportIdentifier: this.exportIdentifier,
        streamName: this.streamName,
        sequenceNumber,
      },
      message,
      timestampEpochMs: this.clock(),
    };
    try {
      await this.append(streamName, validateAndSerializeToJsonBytes('StatusMessage', document));
      this.warned = false;
    } catch (error) {
      this.warnOnce(`could not append its status to stream ${streamName}: ${reasonOf(error)}`);
    }
  }

  private warnOnce(problem: string): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(`export ${this.exportIdentifier} of stream ${this.streamName}: ${problem}`);
  }
}
