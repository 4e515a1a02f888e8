// Export progress of one stream, kept in its folder as a small JSON file replaced atomically (write, then rename),
// after every batch the destination took. A clean stop lets running batches finish first, so nothing is sent twice;
// after a kill at the worst moment, the batch in flight is sent again, nothing more. Memory streams keep progress
// in memory only: their messages do not survive a restart either.
import * as fs from 'node:fs';
import * as path from 'node:path';

const PROGRESS_FILE = 'export-progress.json';

export interface ExportProgress {
  /** The next sequence number to send. */
  nextSequenceNumber: number;
  lastExportedSequenceNumber: number;
  lastExportTime?: number;
  exportedBytes: number;
  exportedMessages: number;
}

export function newProgress(startSequenceNumber: number): ExportProgress {
  return { nextSequenceNumber: startSequenceNumber, lastExportedSequenceNumber: -1, exportedBytes: 0, exportedMessages: 0 };
}

function isProgress(value: unknown): value is ExportProgress {
  const record = value as Record<string, unknown> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    Number.isSafeInteger(record.nextSequenceNumber) &&
    Number.isSafeInteger(record.lastExportedSequenceNumber) &&
    Number.isSafeInteger(record.exportedBytes) &&
    Number.isSafeInteger(record.exportedMessages)
  );
}

export class ProgressFile {
  private readonly file: string | undefined;

  /** @param folder the stream's folder; undefined for Memory streams. */
  constructor(folder: string | undefined) {
    this.file = folder === undefined ? undefined : path.join(folder, PROGRESS_FILE);
  }

  /** Progress by export identifier; an unreadable or damaged file reads as no progress, with the reason. */
  load(): { progress: Map<string, ExportProgress>; problem?: string } {
    const progress = new Map<string, ExportProgress>();
    if (this.file === undefined) return { progress };
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { progress };
      return { progress, problem: `could not read ${this.file}: ${(error as Error).message}` };
    }
    try {
      const parsed = JSON.parse(text) as { exports?: Record<string, unknown> };
      for (const [identifier, value] of Object.entries(parsed.exports ?? {})) {
        if (isProgress(value)) progress.set(identifier, { ...value });
      }
      return { progress };
    } catch (error) {
      return { progress, problem: `${this.file} is damaged (${(error as Error).message}); exports start again from their startSequenceNumber` };
    }
  }

  exists(): boolean {
    return this.file !== undefined && fs.existsSync(this.file);
  }

  save(progress: Map<string, ExportProgress>): void {
    if (this.file === undefined) return;
    const temporary = `${this.file}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ version: 1, exports: Object.fromEntries(progress) })}\n`);
    fs.renameSync(temporary, this.file);
  }
}
