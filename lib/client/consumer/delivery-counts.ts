// Manual mode: how often each message was handed over, kept with the position so that it survives restarts and
// crashes. Before messages are handed over beyond what was recorded, or handed over again, the consumer writes its
// position with `handedOutThrough` and the counts of the messages handed over more than once; on resume every message
// from the position to `handedOutThrough` counts what was recorded for it (one when nothing more was).
import type { ConsumerPosition, DeliveryCountRange, SequenceRange } from './consumer-position';
import type { StoredMessage } from '../../protocol/stored-message';
import type { Outstanding } from './outstanding-messages';

/** Most counts taken over from a saved position: more than any consumer has outstanding; a record claiming more is not ours. */
const MAX_RESUMED_COUNTS = 100_000;

interface RecordedDeliveries {
  handedOutThrough?: number;
  deliveryCounts?: DeliveryCountRange[];
  acked?: SequenceRange[];
  stoppedCleanly?: true;
}

export class DeliveryCounts {
  /** The highest sequence number recorded as handed over; -1 when none is. */
  private through = -1;
  /** Taken from the saved position: messages from `resumedFrom` to `resumedThrough` were handed over before the restart. */
  private resumedFrom = 0;
  private resumedThrough = -1;
  private readonly resumed = new Map<number, number>();
  /** Taken from the saved position: messages after it acknowledged before the restart. */
  private readonly resumedAcked = new Set<number>();
  /** Resumed after a crash: messages up to this one go one at a time (see careful). */
  private carefulThrough = -1;
  /** Set for the last write of a clean stop. */
  stopping = false;
  /** A hand-over being recorded: written with the position, kept only once the write succeeded. */
  private pending?: { through: number; counts: Map<number, number> };

  resume(own: ConsumerPosition): void {
    this.forget();
    if (own.handedOutThrough === undefined) return;
    this.through = own.handedOutThrough;
    this.resumedFrom = own.nextSequenceNumber;
    this.resumedThrough = own.handedOutThrough;
    this.carefulThrough = own.stoppedCleanly ? -1 : own.handedOutThrough;
    for (const [from, to, count] of own.deliveryCounts ?? []) {
      for (let sequenceNumber = Math.max(from, this.resumedFrom); sequenceNumber <= Math.min(to, this.resumedThrough) && this.resumed.size < MAX_RESUMED_COUNTS; sequenceNumber++) {
        this.resumed.set(sequenceNumber, count);
      }
    }
    for (const [from, to] of own.acked ?? []) {
      for (let sequenceNumber = Math.max(from, this.resumedFrom); sequenceNumber <= Math.min(to, this.resumedThrough) && this.resumedAcked.size < MAX_RESUMED_COUNTS; sequenceNumber++) {
        this.resumedAcked.add(sequenceNumber);
      }
    }
  }

  /** Acknowledged before the restart (behind one that was not): taken as acknowledged, not handed over again. */
  wasAcked(sequenceNumber: number): boolean {
    return this.resumedAcked.has(sequenceNumber);
  }

  /** After a seek or a stream created anew: counting starts again. */
  forget(): void {
    this.through = -1;
    this.resumedThrough = -1;
    this.carefulThrough = -1;
    this.resumed.clear();
    this.resumedAcked.clear();
    this.pending = undefined;
  }

  /**
   * True while the next message to read was handed over before a crash: such messages go one at a time, each once
   * every earlier one is acknowledged and committed, so that one which ends the process is the only one counted again
   * (acks of the last moments before a crash may not have been written).
   */
  careful(next: number | undefined): boolean {
    return next !== undefined && next >= this.resumedFrom && next <= this.carefulThrough;
  }

  /** How often the message was handed over before it was read in this run. */
  before(sequenceNumber: number): number {
    if (sequenceNumber < this.resumedFrom || sequenceNumber > this.resumedThrough) return 0;
    return this.resumed.get(sequenceNumber) ?? 1;
  }

  /** True when handing these over needs a record first: one goes beyond what was recorded, or comes again. */
  mustRecord(read: StoredMessage[], before: number[], maxDeliveries: number): boolean {
    return read.some((message, index) => before[index] < maxDeliveries && (message.sequenceNumber > this.through || before[index] > 0));
  }

  handingOver(read: StoredMessage[], before: number[], maxDeliveries: number): void {
    const counts = new Map<number, number>();
    let through = this.through;
    read.forEach((message, index) => {
      if (before[index] >= maxDeliveries) return;
      through = Math.max(through, message.sequenceNumber);
      if (before[index] > 0) counts.set(message.sequenceNumber, before[index] + 1);
    });
    this.pending = { through, counts };
  }

  handedOver(written: boolean): void {
    if (written && this.pending) this.through = this.pending.through;
    this.pending = undefined;
  }

  /** What to write with the position: the outstanding messages' counts, the resumed ones not read again yet, a hand-over under way. */
  record(unacknowledged: Iterable<Outstanding>, ackedAhead: Iterable<Outstanding>, next: number | undefined): RecordedDeliveries {
    const counts = new Map<number, number>();
    for (const [sequenceNumber, count] of this.resumed) if (next === undefined || sequenceNumber >= next) counts.set(sequenceNumber, count);
    for (const entry of unacknowledged) {
      // Deliveries a pause cut short do not count against Give up after, across a restart neither.
      const counted = entry.deliveryCount - (entry.interrupted ?? 0);
      if (counted >= 2) counts.set(entry.message.sequenceNumber, counted);
    }
    for (const [sequenceNumber, count] of this.pending?.counts ?? []) counts.set(sequenceNumber, count);
    const through = Math.max(this.through, this.pending?.through ?? -1);
    const ranges: DeliveryCountRange[] = [];
    for (const sequenceNumber of [...counts.keys()].sort((a, b) => a - b)) {
      const count = counts.get(sequenceNumber) as number;
      const last = ranges[ranges.length - 1];
      if (last && last[1] === sequenceNumber - 1 && last[2] === count) last[1] = sequenceNumber;
      else ranges.push([sequenceNumber, sequenceNumber, count]);
    }
    const acked = new Set<number>();
    for (const sequenceNumber of this.resumedAcked) if (next === undefined || sequenceNumber >= next) acked.add(sequenceNumber);
    for (const entry of ackedAhead) acked.add(entry.message.sequenceNumber);
    const ackedRanges = rangesOf(acked);
    return {
      ...(through >= 0 ? { handedOutThrough: through } : {}),
      ...(ranges.length > 0 ? { deliveryCounts: ranges } : {}),
      ...(ackedRanges.length > 0 ? { acked: ackedRanges } : {}),
      ...(this.stopping ? { stoppedCleanly: true as const } : {}),
    };
  }
}

function rangesOf(numbers: Set<number>): SequenceRange[] {
  const ranges: SequenceRange[] = [];
  for (const sequenceNumber of [...numbers].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === sequenceNumber - 1) last[1] = sequenceNumber;
    else ranges.push([sequenceNumber, sequenceNumber]);
  }
  return ranges;
}
