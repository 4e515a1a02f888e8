// How long a failed export waits before it is tried again: doubling from a first delay up to a cap. The documented
// device behaviour is "retries at intervals of up to five minutes, with no limit on the number of attempts".
export const DEFAULT_FIRST_RETRY_MS = 1000;
export const DEFAULT_MAX_RETRY_MS = 5 * 60 * 1000;

export interface RetryTiming {
  firstRetryMs: number;
  maxRetryMs: number;
}

export class RetryBackoff {
  private failures = 0;

  constructor(private readonly timing: RetryTiming) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Counts a failure and returns the delay before the next attempt. */
  failed(): number {
    const delay = Math.min(this.timing.maxRetryMs, this.timing.firstRetryMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return delay;
  }

  succeeded(): void {
    this.failures = 0;
  }
}
