// Runs the exports of every stream of a server: polls for due batches, starts the highest-priority ones first, at
// most threadPoolSize at a time across the server (STREAM_MANAGER_EXPORTER_THREAD_POOL_SIZE), within the bandwidth
// limit. Nothing here throws out of a timer: a fault becomes an export's error, or a log line.
import { BandwidthLimit } from './bandwidth-limit';
import type { ExportEnvironment } from './export-environment';
import { reasonOf } from './export-errors';
import type { ExportState, StreamExports } from './stream-exports';

export const DEFAULT_THREAD_POOL_SIZE = 5;
export const DEFAULT_EXPORT_POLL_MS = 100;

export interface SchedulerSettings {
  threadPoolSize: number;
  /** kbit/s for all exports together; undefined is unlimited. */
  maxBandwidthKbps?: number;
  pollIntervalMs: number;
}

export class ExportScheduler {
  private readonly streams = new Set<StreamExports>();
  private readonly running = new Set<Promise<void>>();
  private readonly bandwidth: BandwidthLimit;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly environment: ExportEnvironment,
    private readonly settings: SchedulerSettings,
  ) {
    this.bandwidth = new BandwidthLimit(settings.maxBandwidthKbps);
    this.timer = setInterval(() => this.tick(), settings.pollIntervalMs);
    this.timer.unref();
  }

  add(exports: StreamExports): void {
    this.streams.add(exports);
  }

  remove(exports: StreamExports): void {
    this.streams.delete(exports);
  }

  tick(): void {
    if (this.stopped) return;
    try {
      const free = this.settings.threadPoolSize - this.running.size;
      if (free <= 0) return;
      const now = this.environment.clock();
      const due: { exports: StreamExports; state: ExportState }[] = [];
      for (const exports of this.streams) {
        if (!exports.active) continue;
        try {
          for (const state of exports.dueExports(now)) due.push({ exports, state });
        } catch (error) {
          this.environment.logger.error(`exports of stream ${exports.source.streamName}: ${reasonOf(error)}`);
        }
      }
      due.sort((a, b) => a.state.priority - b.state.priority);
      for (const { exports, state } of due.slice(0, free)) this.start(exports, state);
    } catch (error) {
      this.environment.logger.error(`export scheduler: ${reasonOf(error)}`);
    }
  }

  /** Stops starting batches and waits (up to timeoutMs) for those under way, so that their progress is saved. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
    if (this.running.size > 0) this.environment.logger.warn(`${this.running.size} export batch(es) still under way at stop; they will be sent again at the next start`);
  }

  private start(exports: StreamExports, state: ExportState): void {
    const pace = async (bytes: number): Promise<void> => {
      const wait = this.bandwidth.reserve(bytes, Date.now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    };
    const attempt = exports.attempt(state, pace).catch((error) => this.environment.logger.error(`export ${state.identifier}: ${reasonOf(error)}`));
    this.running.add(attempt);
    void attempt.finally(() => {
      this.running.delete(attempt);
      if (!this.stopped) setImmediate(() => this.tick());
    });
  }
}
