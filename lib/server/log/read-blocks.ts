// Where a read of a segment file puts the bytes it reads. Fresh blocks belong to whoever holds the messages read
// (a long-poll's answer, a deferred reply, an export's batch) for as long as they like. A ReadBlockPool lends the
// same few blocks again and again instead, so that a drain of a backlog touches memory the process already holds
// rather than new pages: its borrower must be done with every message read (have copied their bytes into the
// reply) before it gives the blocks back.
import { BufferPool } from '../../protocol/buffer-pool';

export interface ReadBlocks {
  /** A buffer of at least `size` bytes to read into. */
  take(size: number): Buffer;
  /** Whether its blocks may be kept by the block cache: only fresh ones, which nothing writes again. */
  readonly lasting: boolean;
}

export const FRESH_BLOCKS: ReadBlocks = {
  take: (size) => Buffer.allocUnsafe(size),
  lasting: true,
};

export class ReadBlockPool implements ReadBlocks {
  readonly lasting = false;
  private readonly lent: Buffer[] = [];

  constructor(private readonly pool = new BufferPool()) {}

  take(size: number): Buffer {
    const block = this.pool.take(size);
    this.lent.push(block);
    return block;
  }

  /** Every block lent since the last call is free again: nothing may read the messages read into them any more. */
  giveBack(): void {
    for (const block of this.lent) this.pool.giveBack(block);
    this.lent.length = 0;
  }

  get lentBlocks(): number {
    return this.lent.length;
  }
}
