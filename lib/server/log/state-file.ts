// A File stream's `state.json`: the sequence numbers reserved ahead of use. Before a number at or past the mark is
// handed out, a new mark RESERVE_AHEAD further on is written (write, fsync, rename), so every number ever given out
// lies below the mark on disk. When the newest records are lost (damage) or gone (retention) a restart goes on from
// the mark, never below it.
import * as fs from 'node:fs';
import * as path from 'node:path';

const STATE_FILE = 'state.json';
const RESERVE_AHEAD = 65_536;

interface StreamStateJson {
  reservedSequenceNumbers: number;
}

export class StateFile {
  private constructor(
    private readonly file: string,
    private reserved: number,
  ) {}

  /** The state of the stream in `directory`; a missing or unreadable file reserves nothing (0). */
  static open(directory: string): StateFile {
    const file = path.join(directory, STATE_FILE);
    let reserved = 0;
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as StreamStateJson;
      if (Number.isSafeInteger(parsed.reservedSequenceNumbers) && parsed.reservedSequenceNumbers > 0) reserved = parsed.reservedSequenceNumbers;
    } catch {
      // A fresh stream, or a state file lost with the disk's damage: the segments then say where numbering stands.
    }
    return new StateFile(file, reserved);
  }

  /** Every sequence number below this may have been handed out. */
  get reservedUpTo(): number {
    return this.reserved;
  }

  /** Makes sure `sequenceNumber` is reserved on disk before it is handed out; throws when the disk refuses. */
  reserve(sequenceNumber: number): void {
    if (sequenceNumber < this.reserved) return;
    this.write(sequenceNumber + RESERVE_AHEAD);
  }

  private write(reserved: number): void {
    const temporary = `${this.file}.tmp`;
    const body: StreamStateJson = { reservedSequenceNumbers: reserved };
    const fd = fs.openSync(temporary, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(body));
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, this.file);
    this.reserved = reserved;
  }
}
