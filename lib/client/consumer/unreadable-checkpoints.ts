// What a checkpoint store could not read when it first read its stream: records that are not checkpoint records, and
// sequence numbers between the stream's oldest and newest with no record (a damaged segment set aside, a lost tail).
// A consumer whose newest copy is older than the newest of these cannot be sure its position is the one it committed.

/** Records of a checkpoint stream that could not be read. */
export interface UnreadableCheckpoints {
  /** Records that are not checkpoint records (damaged, or written by someone else). */
  notRecords: number;
  /** Sequence numbers within the stream with no record. */
  missing: number;
  /** The newest sequence number among them. */
  newest: number;
}

/** A jump of the first read over numbers with no record: `from` to `to - 1`. */
interface Jump {
  from: number;
  to: number;
}

export class UnreadableCheckpointTally {
  private notRecords = 0;
  private newestNotRecord = -1;
  private readonly jumps: Jump[] = [];
  private missingTail?: Jump;

  notARecord(sequenceNumber: number): void {
    this.notRecords += 1;
    this.newestNotRecord = Math.max(this.newestNotRecord, sequenceNumber);
  }

  /** A read that asked for `from` got `to` first: those between were overwritten or are missing, as `settle` tells. */
  jumped(from: number, to: number): void {
    this.jumps.push({ from, to });
  }

  /** The stream says its newest is beyond the last record there is to read. */
  tailMissing(from: number, newest: number): void {
    this.missingTail = { from, to: newest + 1 };
  }

  /**
   * Overwriting removes the oldest records only: numbers at or above the stream's oldest once the first read is done
   * were not overwritten, they have no record.
   */
  settle(oldestAfterRead: number): UnreadableCheckpoints | undefined {
    let missing = 0;
    let newest = this.newestNotRecord;
    for (const { from, to } of [...this.jumps, ...(this.missingTail ? [this.missingTail] : [])]) {
      const lost = to - Math.max(from, oldestAfterRead);
      if (lost <= 0) continue;
      missing += lost;
      newest = Math.max(newest, to - 1);
    }
    this.jumps.length = 0;
    this.missingTail = undefined;
    if (missing === 0 && this.notRecords === 0) return undefined;
    return { notRecords: this.notRecords, missing, newest };
  }
}
