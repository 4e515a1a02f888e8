import type { Writable } from 'node:stream';
import type { BufferPool } from './buffer-pool';

/** Frames up to this size are copied into the tick's batch buffer; larger ones go out as they are. */
const SMALL_FRAME = 8 * 1024;
const BATCH_BUFFER_SIZE = 32 * 1024;
/** Batch buffers kept for reuse once the socket is done with them (per connection: a server may have many). */
const SPARE_BUFFERS = 1;

/**
 * Writes frames so that all those written in one tick leave in a single socket write, for client and server alike.
 * Small frames are copied (or encoded in place) into a batch buffer that is reused once the socket has written it.
 */
export class TickBatchedWriter {
  private batch?: Buffer;
  private batchStart = 0;
  private batchUsed = 0;
  /** Buffers of this tick's batch besides the current one, to reuse when the write is done. */
  private readonly batchBuffers: Buffer[] = [];
  private readonly pieces: Buffer[] = [];
  /** Buffers of this tick's large reserved frames, for the pool once the socket has written them. */
  private readonly pooledFrames: Buffer[] = [];
  private pending = 0;
  private scheduled = false;
  private readonly spare: Buffer[] = [];
  /** Where the frame of the last reserve() starts in the buffer it returned. */
  reservedOffset = 0;

  /**
   * @param flushEach `tick`: the frames leave once the current callback's work is done (a client: its requests go
   * out at once). `turn`: once per turn of the event loop, so that the answers to every read of one poll phase
   * share a write (a server: fewer system calls under load).
   * @param afterFlush called after each flush, e.g. to check the socket's backlog.
   * @param largeFrames where large reserved frames come from (a server's read answers); they go back from the
   * callback of their write, never sooner.
   */
  constructor(
    private readonly socket: Writable,
    private readonly flushEach: 'tick' | 'turn' = 'tick',
    private readonly afterFlush?: () => void,
    private readonly largeFrames?: BufferPool,
  ) {}

  /** Bytes written in this tick and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.pending;
  }

  write(frame: Buffer): void {
    if (frame.length > SMALL_FRAME) {
      this.sealBatch();
      this.pieces.push(frame);
      this.added(frame.length);
      return;
    }
    const target = this.room(frame.length);
    frame.copy(target, this.batchUsed);
    this.batchUsed += frame.length;
    this.added(frame.length);
  }

  /**
   * Takes `size` bytes for a frame the caller encodes in place, at `reservedOffset` of the buffer returned, before
   * it yields to the event loop.
   */
  reserve(size: number): Buffer {
    if (size > SMALL_FRAME) {
      let frame: Buffer;
      if (this.largeFrames) {
        frame = this.largeFrames.take(size);
        this.pooledFrames.push(frame);
      } else {
        frame = Buffer.allocUnsafe(size);
      }
      this.sealBatch();
      this.pieces.push(frame.length === size ? frame : frame.subarray(0, size));
      this.added(size);
      this.reservedOffset = 0;
      return frame;
    }
    const target = this.room(size);
    this.reservedOffset = this.batchUsed;
    this.batchUsed += size;
    this.added(size);
    return target;
  }

  private room(size: number): Buffer {
    if (this.batch && this.batchUsed + size <= this.batch.length) return this.batch;
    this.sealBatch();
    if (this.batch) this.batchBuffers.push(this.batch);
    this.batch = this.spare.pop() ?? Buffer.allocUnsafe(BATCH_BUFFER_SIZE);
    this.batchStart = 0;
    this.batchUsed = 0;
    return this.batch;
  }

  /** Ends the batch's current run of frames, so that a large frame can follow it in order. */
  private sealBatch(): void {
    if (this.batch && this.batchUsed > this.batchStart) {
      this.pieces.push(this.batch.subarray(this.batchStart, this.batchUsed));
      this.batchStart = this.batchUsed;
    }
  }

  private added(size: number): void {
    this.pending += size;
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.flushEach === 'turn') setImmediate(() => this.flush());
    else process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    this.sealBatch();
    const pieces = this.pieces.splice(0);
    const used = this.batch ? [...this.batchBuffers.splice(0), this.batch] : this.batchBuffers.splice(0);
    const pooled = this.pooledFrames.length > 0 ? this.pooledFrames.splice(0) : undefined;
    this.batch = undefined;
    this.pending = 0;
    if (this.socket.destroyed) return;
    // Called once the socket has written every piece: only then may their buffers be written again. After a failed
    // write they are simply dropped.
    const release = (error?: Error | null): void => {
      if (error) return;
      for (const buffer of used) if (this.spare.length < SPARE_BUFFERS) this.spare.push(buffer);
      if (pooled) for (const buffer of pooled) this.largeFrames?.giveBack(buffer);
    };
    if (pieces.length === 1) {
      this.socket.write(pieces[0], release);
    } else if (pieces.length > 1) {
      this.socket.cork();
      for (let index = 0; index < pieces.length - 1; index++) this.socket.write(pieces[index]);
      this.socket.write(pieces[pieces.length - 1], release);
      this.socket.uncork();
    }
    this.afterFlush?.();
  }
}
