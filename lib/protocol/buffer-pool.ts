// Large buffers used again and again instead of allocated anew: a read's block of a segment file, a read's answer of
// hundreds of KiB. Memory the process already holds costs no first-touch page faults, which on the virtual machines
// gateways run on cost more than filling the buffer. Bounded in what it keeps; whoever takes a buffer gives it back
// only once nothing reads it any more (for a frame: from its write's callback), or simply drops it.

/** Buffers are kept in sizes that are powers of two from this on, so that requests of similar size share them. */
const SMALLEST_POOLED = 64 * 1024;
/** Larger requests (a huge record, a frame near the cap) get a buffer of their own, never kept. */
const LARGEST_POOLED = 8 * 1024 * 1024;
const DEFAULT_KEPT_BYTES = 8 * 1024 * 1024;

export class BufferPool {
  private readonly spare: Buffer[] = [];
  private spareBytes = 0;

  constructor(private readonly keptBytes = DEFAULT_KEPT_BYTES) {}

  /** A buffer of at least `size` bytes (its contents are whatever was there). */
  take(size: number): Buffer {
    if (size > LARGEST_POOLED) return Buffer.allocUnsafeSlow(size);
    let best = -1;
    for (let index = 0; index < this.spare.length; index++) {
      const length = this.spare[index].length;
      if (length >= size && (best < 0 || length < this.spare[best].length)) best = index;
    }
    if (best < 0) return Buffer.allocUnsafeSlow(pooledSize(size));
    const buffer = this.spare[best];
    this.spare.splice(best, 1);
    this.spareBytes -= buffer.length;
    return buffer;
  }

  /** A buffer from take() that nothing reads or writes any more. Kept while the pool is within its bound. */
  giveBack(buffer: Buffer): void {
    if (buffer.length > LARGEST_POOLED || this.spareBytes + buffer.length > this.keptBytes) return;
    this.spare.push(buffer);
    this.spareBytes += buffer.length;
  }

  /** Bytes kept for reuse now. */
  get keptSpareBytes(): number {
    return this.spareBytes;
  }
}

function pooledSize(size: number): number {
  let pooled = SMALLEST_POOLED;
  while (pooled < size) pooled *= 2;
  return pooled;
}
