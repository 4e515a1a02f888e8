// Node-RED gives a node 15 s to close; whatever a node waits for while closing is waited for at most a bounded time.

/** Resolves when `work` settles (either way) or after `limitMs`, whichever comes first. */
export async function settleWithin(work: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  try {
    await Promise.race([work.then(() => undefined, () => undefined), limit]);
  } finally {
    clearTimeout(timer);
  }
}
