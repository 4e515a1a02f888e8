// S3 export tasks: each message is an S3ExportTaskDefinition naming a local file. Tasks run one at a time in append
// order. The status stream gets InProgress when a task starts, then Success, or Failure with the reason (not a valid
// task, not a file: URL, a missing or unreadable file, a key that cannot be used, a bucket that refuses). A Failure
// is final, as on the device: fix the cause and append the task again. A destination that cannot be reached is not
// a Failure: the task is tried again with the export's back-off.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Status } from '../../../protocol/enums';
import type { S3ExportTaskDefinition, S3ExportTaskExecutorConfig } from '../../../protocol/model';
import type { ExportMessage } from '../export-source';
import type { Exporter, SendResult } from '../exporter';
import { S3TaskFailure, type S3Uploader } from '../s3/s3-uploader';
import { resolveKeyTemplate } from '../s3/s3-key-template';
import type { StatusReporter } from '../status-reporter';
import { readPayloadDocument } from './payload-document';

/** The documented default of sizeThresholdForMultipartUploadBytes. */
const DEFAULT_MULTIPART_THRESHOLD_BYTES = 5 * 1024 * 1024;

class TaskInputProblem extends Error {}

function inputFile(task: S3ExportTaskDefinition): string {
  let url: URL;
  try {
    url = new URL(task.inputUrl);
  } catch {
    throw new TaskInputProblem(`inputUrl ${task.inputUrl} is not a URL; expected a file: URL such as file:/var/data/f.csv`);
  }
  if (url.protocol !== 'file:') throw new TaskInputProblem(`inputUrl ${task.inputUrl} is not a file: URL; only local files can be exported`);
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw new TaskInputProblem(`inputUrl ${task.inputUrl} does not name a local file: ${(error as Error).message}`);
  }
}

async function inputSize(file: string): Promise<number> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TaskInputProblem(`input file ${file} does not exist`);
    throw new TaskInputProblem(`input file ${file} cannot be read: ${(error as Error).message}`);
  }
  if (!stat.isFile()) throw new TaskInputProblem(`input ${file} is not a regular file`);
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch (error) {
    throw new TaskInputProblem(`input file ${file} cannot be read: ${(error as Error).message}`);
  }
  return stat.size;
}

export class S3TaskExecutor implements Exporter {
  constructor(
    private readonly config: S3ExportTaskExecutorConfig,
    private readonly uploader: S3Uploader,
    private readonly status: StatusReporter,
    private readonly clock: () => number,
  ) {}

  async send(batch: ExportMessage[]): Promise<SendResult> {
    let exportedMessages = 0;
    let exportedBytes = 0;
    for (const message of batch) {
      if (await this.run(message)) {
        exportedMessages += 1;
        exportedBytes += message.payload.length;
      }
    }
    return { exportedMessages, exportedBytes };
  }

  /** True when the file was uploaded; false for a final Failure; throws ExportFailedError to be tried again. */
  private async run(message: ExportMessage): Promise<boolean> {
    const read = readPayloadDocument(message.payload, 'S3ExportTaskDefinition');
    if ('problem' in read) {
      await this.status.report(Status.Failure, message.sequenceNumber, undefined, read.problem);
      return false;
    }
    const task = read.document;
    await this.status.report(Status.InProgress, message.sequenceNumber, task, `uploading ${task.inputUrl} to s3://${task.bucket}/${task.key}`);
    try {
      const file = inputFile(task);
      const size = await inputSize(file);
      const key = resolveKeyTemplate(task.key, new Date(this.clock()));
      const threshold = this.config.sizeThresholdForMultipartUploadBytes;
      const where = await this.uploader.upload({
        file,
        size,
        bucket: task.bucket,
        key,
        userMetadata: task.userMetadata,
        multipartThresholdBytes: threshold === undefined ? DEFAULT_MULTIPART_THRESHOLD_BYTES : Number(threshold),
      });
      await this.status.report(Status.Success, message.sequenceNumber, task, `uploaded ${size} bytes to ${where}`);
      return true;
    } catch (error) {
      if (error instanceof TaskInputProblem || error instanceof S3TaskFailure) {
        await this.status.report(Status.Failure, message.sequenceNumber, task, error.message);
        return false;
      }
      throw error;
    }
  }
}
