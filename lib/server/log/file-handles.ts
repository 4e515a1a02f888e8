// Read handles of segment files, shared by every stream of a store: at most `capacity` open at once, the least
// recently used closed first, so the number of open files does not grow with the number of segments.
import * as fs from 'node:fs';
import { BlockCache } from './block-cache';

const DEFAULT_OPEN_READ_HANDLES = 16;

export class FileHandles {
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly open = new Map<string, number>();
  /** Recently read blocks of the same files, dropped with them. */
  readonly blocks = new BlockCache();

  constructor(private readonly capacity = DEFAULT_OPEN_READ_HANDLES) {}

  /** An open read-only descriptor of `file`. */
  get(file: string): number {
    const fd = this.open.get(file);
    if (fd !== undefined) {
      this.open.delete(file);
      this.open.set(file, fd);
      return fd;
    }
    while (this.open.size >= this.capacity) this.closeLeastRecentlyUsed();
    const opened = fs.openSync(file, 'r');
    this.open.set(file, opened);
    return opened;
  }

  /** Closes the handle of a file that is going away (deleted, set aside, renamed) and drops its cached blocks. */
  forget(file: string): void {
    this.blocks.forget(file);
    this.closeHandle(file);
  }

  private closeHandle(file: string): void {
    const fd = this.open.get(file);
    if (fd === undefined) return;
    this.open.delete(file);
    fs.closeSync(fd);
  }

  closeAll(): void {
    for (const file of [...this.open.keys()]) this.forget(file);
  }

  private closeLeastRecentlyUsed(): void {
    const [file] = this.open.keys();
    this.closeHandle(file);
  }
}
