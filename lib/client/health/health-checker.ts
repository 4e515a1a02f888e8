// Checks the health of chosen streams, or of every stream but the internal `_` ones, again and again: each check
// samples the streams through public operations and assesses them against the previous check, so rates and how long
// an error has lasted carry over. A check asked for while one runs gets that one's result.
import { errorCodeOf } from '../../protocol/errors';
import type { StreamManagerClient } from '../client';
import { checkpointStreamName } from '../consumer/checkpoint-stream-name';
import { inBatches } from '../in-batches';
import { assessStreamHealth, missingStreamHealth } from './assess-stream-health';
import type { HealthReport, StreamHealth, StreamHealthChange } from './health-report';
import { healthChanges, healthReport } from './health-summary';
import { healthThresholds, type HealthThresholds } from './health-thresholds';
import { sampleStream } from './sample-stream';

/** Streams sampled at once: enough to check a hundred streams quickly, few enough to leave the server for others. */
const SAMPLE_CONCURRENCY = 8;

export interface HealthCheckerOptions {
  /** The streams to check; undefined or empty: every stream whose name does not start with `_`. */
  streams?: string[];
  /** Defaults for those left out: DEFAULT_HEALTH_THRESHOLDS. */
  thresholds?: Partial<HealthThresholds>;
  /** Default Date.now. */
  clock?: () => number;
}

export interface HealthCheckResult {
  report: HealthReport;
  /** Streams whose state differs from the previous check's (at the first check: those with a problem). */
  changes: StreamHealthChange[];
}

/** True for the streams Stream Manager tools keep for themselves (consumer checkpoints, handled dead-letter marks). */
function isInternalStream(name: string): boolean {
  return name.startsWith('_');
}

export class HealthChecker {
  readonly thresholds: HealthThresholds;
  private readonly streams: string[];
  private readonly clock: () => number;
  private previous = new Map<string, StreamHealth>();
  private lastReport?: HealthReport;
  private running?: Promise<HealthCheckResult>;

  /** Throws a ValidationError for a threshold out of range. */
  constructor(
    private readonly client: StreamManagerClient,
    options: HealthCheckerOptions = {},
  ) {
    this.thresholds = healthThresholds(options.thresholds);
    this.streams = [...new Set(options.streams ?? [])];
    this.clock = options.clock ?? Date.now;
  }

  /** The report of the last check that finished. */
  get last(): HealthReport | undefined {
    return this.lastReport;
  }

  /** Checks every chosen stream; rejects when the server cannot be asked (a missing chosen stream is `missing`). */
  check(): Promise<HealthCheckResult> {
    this.running ??= this.checkNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkNow(): Promise<HealthCheckResult> {
    const present = new Set(await this.client.listStreams());
    const chosen = this.streams.length > 0 ? this.streams : [...present].filter((name) => !isInternalStream(name)).sort();
    const streams = await inBatches(chosen, SAMPLE_CONCURRENCY, (name) => this.checkStream(name, present));
    const report = healthReport(streams, this.clock());
    const changes = healthChanges(this.lastReport, report);
    this.previous = new Map(streams.map((health) => [health.stream, health]));
    this.lastReport = report;
    return { report, changes };
  }

  private async checkStream(name: string, present: Set<string>): Promise<StreamHealth> {
    if (!present.has(name)) return missingStreamHealth(name, this.clock());
    const previous = this.previous.get(name);
    const live = previous?.state === 'missing' ? undefined : previous;
    try {
      const sample = await sampleStream(this.client, name, { withIngestSpan: live === undefined, withConsumers: present.has(checkpointStreamName(name)), clock: this.clock });
      return assessStreamHealth(sample, live, this.thresholds);
    } catch (error) {
      // Deleted between the listing and the look at it.
      if (errorCodeOf(error) === 'ResourceNotFound') return missingStreamHealth(name, this.clock());
      throw error;
    }
  }
}

/** One check of the chosen streams (or every stream but the internal ones), with nothing carried from before. */
export async function checkHealth(client: StreamManagerClient, options: HealthCheckerOptions = {}): Promise<HealthReport> {
  return (await new HealthChecker(client, options).check()).report;
}
