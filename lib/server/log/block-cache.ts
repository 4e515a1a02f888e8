// The small blocks of segment files read most recently, shared by every stream of a store and bounded in bytes:
// readers of the same few new records (long-polls woken together, an export beside a consumer) share one read.
// Blocks only ever hold stored records, which never change; a file's blocks are dropped when the file goes away.
// Large blocks (a replay's batches) are not kept: held a while, they would outlive the young generation and pile
// up as old garbage, which costs far more memory than the page cache saves them.

const DEFAULT_CAPACITY_BYTES = 2 * 1024 * 1024;
const LARGEST_CACHED_BLOCK = 64 * 1024;

interface CachedBlock {
  start: number;
  bytes: Buffer;
  length: number;
}

export class BlockCache {
  /** Oldest use first. */
  private readonly blocks: (CachedBlock & { file: string })[] = [];
  private bytes = 0;

  constructor(private readonly capacityBytes = DEFAULT_CAPACITY_BYTES) {}

  /** A cached block of `file` holding the bytes from `position` to `position + length`. */
  find(file: string, position: number, length: number): CachedBlock | undefined {
    for (let index = this.blocks.length - 1; index >= 0; index--) {
      const block = this.blocks[index];
      if (block.file !== file || position < block.start || position + length > block.start + block.length) continue;
      this.blocks.splice(index, 1);
      this.blocks.push(block);
      return block;
    }
    return undefined;
  }

  add(file: string, block: CachedBlock): void {
    if (block.length > LARGEST_CACHED_BLOCK) return;
    this.blocks.push({ file, ...block });
    this.bytes += block.length;
    while (this.bytes > this.capacityBytes) this.bytes -= (this.blocks.shift() as CachedBlock).length;
  }

  forget(file: string): void {
    for (let index = this.blocks.length - 1; index >= 0; index--) {
      if (this.blocks[index].file !== file) continue;
      this.bytes -= this.blocks[index].length;
      this.blocks.splice(index, 1);
    }
  }
}
