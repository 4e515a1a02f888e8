// The messages delivered in manual mode and not yet acknowledged, in delivery (= sequence) order. The committed
// position only moves over a contiguous acknowledged range: acknowledging a later message first leaves it acked in
// place until every message before it is acknowledged too.
import type { StoredMessage } from '../../protocol/stored-message';

export interface Outstanding {
  message: StoredMessage;
  deliveryCount: number;
  acked: boolean;
  /** When the current delivery's ack timeout runs out, ms since the epoch. */
  ackDeadline: number;
  /** Nacked (or given up) and waiting: a redelivery or a dead-letter append is under way or scheduled. */
  held: boolean;
  lastError: string;
  /** Deliveries cut short by a pause (the receiver went away): they do not count against the most deliveries. */
  interrupted?: number;
  redeliveryTimer?: ReturnType<typeof setTimeout>;
}

export class OutstandingMessages {
  private queue: Outstanding[] = [];
  private head = 0;
  private readonly bySequenceNumber = new Map<number, Outstanding>();
  private unacked = 0;

  /** Messages delivered and not acknowledged. */
  get size(): number {
    return this.unacked;
  }

  get(sequenceNumber: number): Outstanding | undefined {
    return this.bySequenceNumber.get(sequenceNumber);
  }

  add(message: StoredMessage, ackDeadline: number): Outstanding {
    const entry: Outstanding = { message, deliveryCount: 1, acked: false, ackDeadline, held: false, lastError: '' };
    this.queue.push(entry);
    this.bySequenceNumber.set(message.sequenceNumber, entry);
    this.unacked += 1;
    return entry;
  }

  /**
   * Marks the message acknowledged. Returns the messages the committed position moved over (oldest first), empty
   * when an earlier message is still outstanding.
   */
  acknowledge(entry: Outstanding): StoredMessage[] {
    if (entry.acked) return [];
    entry.acked = true;
    clearTimeout(entry.redeliveryTimer);
    this.unacked -= 1;
    const released: StoredMessage[] = [];
    while (this.head < this.queue.length && this.queue[this.head].acked) {
      const done = this.queue[this.head];
      this.bySequenceNumber.delete(done.message.sequenceNumber);
      released.push(done.message);
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return released;
  }

  /** The oldest message not yet acknowledged: the committed position while any is outstanding. */
  firstUnacknowledged(): number | undefined {
    return this.head < this.queue.length ? this.queue[this.head].message.sequenceNumber : undefined;
  }

  /** Delivered, not acknowledged, not held, and past their ack deadline. */
  expired(now: number): Outstanding[] {
    const late: Outstanding[] = [];
    for (let index = this.head; index < this.queue.length; index++) {
      const entry = this.queue[index];
      if (!entry.acked && !entry.held && entry.ackDeadline <= now) late.push(entry);
    }
    return late;
  }

  /** Delivered and not acknowledged, oldest first. */
  unacknowledged(): Outstanding[] {
    return this.queue.slice(this.head).filter((entry) => !entry.acked);
  }

  /** Acknowledged behind an unacknowledged one (so the position has not moved over them yet), oldest first. */
  ackedAhead(): Outstanding[] {
    return this.queue.slice(this.head).filter((entry) => entry.acked);
  }

  /** Forgets every message (after a seek or a re-created stream); pending redeliveries are cancelled. */
  clear(): void {
    for (let index = this.head; index < this.queue.length; index++) clearTimeout(this.queue[index].redeliveryTimer);
    this.queue = [];
    this.head = 0;
    this.bySequenceNumber.clear();
    this.unacked = 0;
  }
}
