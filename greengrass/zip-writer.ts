// Writes a ZIP archive of regular files (deflated, fixed timestamps so that the same input gives the same bytes).
// No symbolic links and no ZIP64: Greengrass unpacks artifacts with Java's ZipFile, which turns a link into a file
// holding its target's name; a folder with a link in it is refused rather than packed into something that breaks.
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../lib/server/crc32';

export class ZipInputError extends Error {
  readonly code = 'ZipInput';
  constructor(message: string) {
    super(message);
    this.name = 'ZipInputError';
  }
}

export interface ZipEntry {
  /** Path inside the archive, with forward slashes. */
  name: string;
  data: Buffer;
  /** Unix mode kept for `unzip` users; Greengrass ignores it and applies the recipe's artifact permissions. */
  mode: number;
}

const MAX_ENTRIES = 0xffff;
const MAX_SIZE = 0xffffffff;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 1 << 11;

/** Every regular file under `folder`, sorted, as archive entries under `prefix`. */
export function filesUnder(folder: string, prefix = ''): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(folder, relative)).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      const stat = lstatSync(path.join(folder, child));
      if (stat.isSymbolicLink()) {
        throw new ZipInputError(`${child} is a symbolic link: Greengrass would unpack it as a plain file, so it cannot be packed`);
      }
      if (stat.isDirectory()) walk(child);
      else if (stat.isFile()) entries.push({ name: `${prefix}${child}`, data: readFileSync(path.join(folder, child)), mode: stat.mode & 0o777 });
    }
  };
  walk('');
  return entries;
}

interface SharedFields {
  method: number;
  checksum: number;
  compressedSize: number;
  size: number;
  nameLength: number;
}

/** The fields a local header and its central directory record share, in the same order, from `at`. */
function writeSharedFields(header: Buffer, at: number, fields: SharedFields): void {
  header.writeUInt16LE(20, at); // version needed: 2.0, deflate
  header.writeUInt16LE(UTF8_NAMES, at + 2);
  header.writeUInt16LE(fields.method, at + 4);
  header.writeUInt16LE(0, at + 6);
  header.writeUInt16LE(DOS_DATE_1980_01_01, at + 8);
  header.writeUInt32LE(fields.checksum, at + 10);
  header.writeUInt32LE(fields.compressedSize, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(fields.nameLength, at + 22);
}

export function writeZip(file: string, entries: ZipEntry[]): void {
  if (entries.length > MAX_ENTRIES) throw new ZipInputError(`${entries.length} files are more than a ZIP without ZIP64 holds (${MAX_ENTRIES})`);
  const descriptor = openSync(file, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const write = (bytes: Buffer): void => {
    writeSync(descriptor, bytes);
    offset += bytes.length;
  };
  try {
    for (const entry of entries) {
      const name = Buffer.from(entry.name, 'utf8');
      const compressed = deflateRawSync(entry.data);
      const stored = compressed.length >= entry.data.length;
      const body = stored ? entry.data : compressed;
      if (offset > MAX_SIZE || body.length > MAX_SIZE || entry.data.length > MAX_SIZE) {
        throw new ZipInputError(`${entry.name}: the archive passes 4 GiB, more than a ZIP without ZIP64 holds`);
      }
      const checksum = crc32(entry.data);
      const fields = { method: stored ? 0 : 8, checksum, compressedSize: body.length, size: entry.data.length, nameLength: name.length };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      writeSharedFields(local, 4, fields);
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so that `unzip` reads the mode below
      writeSharedFields(record, 6, fields);
      record.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
      record.writeUInt32LE(offset, 42);
      central.push(record, name);
      write(local);
      write(name);
      write(body);
    }
    const directory = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    write(directory);
    write(end);
  } finally {
    closeSync(descriptor);
  }
}
