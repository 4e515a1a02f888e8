// Waits that end by themselves: a promise given a deadline, and a condition polled until it holds, each failing with
// what it waited for, so a test that cannot finish says why instead of hanging.

/** The promise's value, or an error naming `what` once `ms` have passed without one. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it gives a value (not undefined); fails after `ms` with `what` and the state `seen` describes. */
export async function until<T>(ms: number, what: string, probe: () => Promise<T | undefined> | T | undefined, seen: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const state = seen();
      throw new Error(`not within ${ms} ms: ${what}${state ? ` (seen: ${state})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
