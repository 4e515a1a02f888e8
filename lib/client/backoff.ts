/** Capped exponential back-off with jitter, so many clients that lost one server do not retry in step. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly minDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  /** The delay before the next attempt: 0 before the first failure. */
  get nextDelayMs(): number {
    if (this.failures === 0) return 0;
    const exponential = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(exponential * (0.8 + Math.random() * 0.2));
  }

  failed(): void {
    this.failures += 1;
  }

  succeeded(): void {
    this.failures = 0;
  }
}
