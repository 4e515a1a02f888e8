// A segment of a Memory stream: its payloads back to back in one buffer, where each record starts and its ingest
// time in typed arrays. No object per message is kept; a read builds the messages it returns, payloads as views.
import type { StoredMessage } from '../../protocol/stored-message';
import type { ReplyBudget, Segment } from './segment';

const FIRST_CAPACITY = 16 * 1024;
const FIRST_RECORDS = 64;

export class MemorySegment implements Segment {
  private bytes: Buffer;
  private starts = new Float64Array(FIRST_RECORDS + 1);
  private ingestTimes = new Float64Array(FIRST_RECORDS);
  count = 0;
  payloadBytes = 0;

  constructor(
    readonly baseSequenceNumber: number,
    private readonly capacityLimit: number,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(Math.min(FIRST_CAPACITY, capacityLimit));
  }

  get storedPayloadBytes(): number {
    return this.payloadBytes;
  }

  get newestIngestTime(): number {
    return this.count > 0 ? this.ingestTimes[this.count - 1] : 0;
  }

  /** Copies the payload in (it may be a view of a larger receive buffer, which must not be pinned). */
  append(payload: Uint8Array, ingestTime: number): void {
    const end = this.payloadBytes + payload.length;
    if (end > this.bytes.length) {
      // Doubling, but not far past the segment size, since a segment is closed once it reaches that.
      const grown = Buffer.allocUnsafeSlow(Math.max(end, Math.min(this.bytes.length * 2, this.capacityLimit)));
      this.bytes.copy(grown, 0, 0, this.payloadBytes);
      this.bytes = grown;
    }
    if (this.count === this.ingestTimes.length) {
      this.ingestTimes = grown64(this.ingestTimes, this.ingestTimes.length * 2);
      this.starts = grown64(this.starts, this.ingestTimes.length + 1);
    }
    this.bytes.set(payload, this.payloadBytes);
    this.ingestTimes[this.count] = ingestTime;
    this.count += 1;
    this.payloadBytes = end;
    this.starts[this.count] = end;
  }

  read(start: number, maxCount: number, budget: ReplyBudget): StoredMessage<Buffer>[] {
    const messages: StoredMessage<Buffer>[] = [];
    for (let index = start - this.baseSequenceNumber; index < this.count && messages.length < maxCount; index++) {
      const from = this.starts[index];
      const to = this.starts[index + 1];
      if (!budget.take(to - from)) break;
      messages.push({ sequenceNumber: this.baseSequenceNumber + index, ingestTime: this.ingestTimes[index], payload: this.bytes.subarray(from, to) });
    }
    return messages;
  }
}

function grown64(array: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(length);
  grown.set(array);
  return grown;
}
