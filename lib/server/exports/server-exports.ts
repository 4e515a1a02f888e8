// The exports of a whole server, as the stream store sees them: one StreamExports per stream, created from the
// storage's MessageStream through the adapters of export-source.ts, all run by one scheduler.
import type { MessageStream } from '../message-stream';
import type { ExportEnvironment } from './export-environment';
import { ExportScheduler, type SchedulerSettings } from './export-scheduler';
import { messageStreamSource } from './export-source';
import { StreamExports } from './stream-exports';

export class ServerExports {
  private readonly scheduler: ExportScheduler;

  constructor(
    private readonly environment: ExportEnvironment,
    settings: SchedulerSettings,
  ) {
    this.scheduler = new ExportScheduler(environment, settings);
  }

  /**
   * @param folderName the stream's folder name in the store, also used for its records under the export folder
   * @param directory the stream's folder (File streams), where its export progress is kept
   */
  forStream(stream: MessageStream, folderName: string, directory: string | undefined): StreamExports {
    const exports = new StreamExports(messageStreamSource(stream), folderName, directory, this.environment);
    exports.configure(stream.definition.exportDefinition);
    this.scheduler.add(exports);
    return exports;
  }

  /** The stream is gone (deleted): its exports stop. */
  release(exports: StreamExports): void {
    this.scheduler.remove(exports);
    exports.close();
  }

  /** Lets batches under way finish (up to timeoutMs) and saves every stream's progress. */
  async stop(timeoutMs: number): Promise<void> {
    await this.scheduler.stop(timeoutMs);
  }
}
