// Writes a component's ZIP artifact with yazl. Greengrass unpacks artifacts with Java's ZipFile, which turns a
// symbolic link into a file holding its target's name, so a folder with a link in it is refused rather than packed
// into something that breaks on the device. Fixed timestamps: the same input gives the same bytes.
import { createWriteStream, lstatSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ZipFile } from 'yazl';

class ArchiveInputError extends Error {
  readonly code = 'ArchiveInput';
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveInputError';
  }
}

interface ArchiveEntry {
  /** Path inside the archive, with forward slashes. */
  name: string;
  /** The file it is read from. */
  source: string;
  /** Unix mode kept for `unzip` users; Greengrass ignores it and applies the recipe's artifact permissions. */
  mode: number;
}

const FIXED_TIME = new Date(1980, 0, 1);

/** Every regular file under `folder`, sorted, as archive entries under `prefix`. */
export function filesUnder(folder: string, prefix = ''): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(folder, relative)).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      const source = path.join(folder, child);
      const stat = lstatSync(source);
      if (stat.isSymbolicLink()) {
        throw new ArchiveInputError(`${child} is a symbolic link: Greengrass would unpack it as a plain file, so it cannot be packed`);
      }
      if (stat.isDirectory()) walk(child);
      else if (stat.isFile()) entries.push({ name: `${prefix}${child}`, source, mode: stat.mode & 0o777 });
    }
  };
  walk('');
  return entries;
}

export function writeArchive(file: string, entries: ArchiveEntry[]): Promise<void> {
  const zip = new ZipFile();
  for (const entry of entries) zip.addFile(entry.source, entry.name, { mtime: FIXED_TIME, mode: 0o100000 | entry.mode });
  return new Promise((resolve, reject) => {
    const output = createWriteStream(file);
    output.once('error', reject);
    output.once('close', () => resolve());
    zip.outputStream.once('error', reject).pipe(output);
    zip.end();
  });
}
