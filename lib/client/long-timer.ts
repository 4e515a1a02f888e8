// setTimeout fires at once for a delay of 2^31 ms (24.8 days) or more. A long timer chains shorter ones, so that
// any timeout the options accept waits as long as it says.
import { performance } from 'node:perf_hooks';

/** The longest delay setTimeout honours. */
const LONGEST_NATIVE_DELAY_MS = 2 ** 31 - 1;

export interface LongTimer {
  cancel(): void;
}

export function startLongTimer(delayMs: number, fire: () => void): LongTimer {
  if (delayMs <= LONGEST_NATIVE_DELAY_MS) {
    const timer = setTimeout(fire, delayMs);
    return { cancel: () => clearTimeout(timer) };
  }
  const due = performance.now() + delayMs;
  let handle: NodeJS.Timeout;
  const arm = (): void => {
    const left = due - performance.now();
    handle = left > LONGEST_NATIVE_DELAY_MS ? setTimeout(arm, LONGEST_NATIVE_DELAY_MS) : setTimeout(fire, Math.max(0, left));
  };
  arm();
  return { cancel: () => clearTimeout(handle) };
}

/** Resolves after `delayMs`, however long. */
export function sleep(delayMs: number): Promise<void> {
  return new Promise((resolve) => startLongTimer(delayMs, resolve));
}
