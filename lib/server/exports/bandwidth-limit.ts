// STREAM_MANAGER_EXPORTER_MAX_BANDWIDTH: the average rate, in kilobits per second, that all exports together may
// send. Each batch reserves its bytes; when the budget is spent, the next batch waits until the average allows it.
export class BandwidthLimit {
  private nextFreeAt = 0;

  /** @param kilobitsPerSecond undefined means unlimited. */
  constructor(private readonly kilobitsPerSecond: number | undefined) {}

  /** Reserves the bytes and returns how long the sender must wait first (0 when unlimited or within budget). */
  reserve(bytes: number, now: number): number {
    if (this.kilobitsPerSecond === undefined) return 0;
    const start = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = start + (bytes * 8) / this.kilobitsPerSecond;
    return start - now;
  }
}
