// The tests' waits: on a condition, bounded, naming what did not happen; and the one kind of wait that only time can
// answer, a window in which nothing is supposed to happen.

/** Polls `probe` until it gives a value (anything but undefined), at most `timeoutMs`; fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 8000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves once `condition` holds, checking every `intervalMs`; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  await waitFor(what, async () => ((await condition()) ? true : undefined), timeoutMs, intervalMs);
}

/**
 * Gives the system under test `ms` in which nothing is supposed to happen. Only time can show that something does
 * not arrive; everything a test waits for to happen goes through `waitFor` or `waitUntil`.
 */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
