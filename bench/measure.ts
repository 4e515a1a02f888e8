// Small helpers for timing: rates, medians, percentiles.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** Operations per second of `run`, which performs `count` operations. */
export async function rate(count: number, run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/** Runs `operations` calls of `operation` with at most `concurrency` under way at once. */
export async function withConcurrency(operations: number, concurrency: number, operation: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < operations) await operation(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, operations) }, worker));
}

export function formatRate(value: number): string {
  return value >= 1000 ? `${Math.round(value).toLocaleString('en-US')}` : value.toFixed(1);
}
