import type { Writable } from 'node:stream';

/** Writes frames so that all those written in one tick leave in a single writev, for client and server alike. */
export class TickBatchedWriter {
  private corked = false;

  constructor(private readonly socket: Writable) {}

  write(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }
}
