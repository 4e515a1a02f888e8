// Unpacks a ZIP artifact the way the Greengrass nucleus does (componentmanager/Unarchiver.java with java.util.zip.
// ZipFile), then applies the recipe's artifact permissions the way util/Permissions.setArtifactPermission does:
// - entries are written as plain files: no Unix modes, and a symbolic link becomes a file holding its target's name;
// - an existing file of the same size is left as it is; an entry that points outside the folder is refused;
// - afterwards folders get rwxr-xr-x and every file the permission's read and execute bits (plus owner write when
//   the nucleus does not run as root), whatever the archive said.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';

export type PermissionLevel = 'NONE' | 'OWNER' | 'ALL';
export interface ArtifactPermission {
  Read?: PermissionLevel;
  Execute?: PermissionLevel;
}

interface CentralEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function centralDirectory(zip: Buffer): CentralEntry[] {
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP file: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: CentralEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`damaged central directory at ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function entryData(zip: Buffer, entry: CentralEntry): Buffer {
  const local = entry.localHeaderOffset;
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const body = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(body);
  if (entry.method === 8) return inflateRawSync(body);
  throw new Error(`${entry.name}: compression method ${entry.method} is not one ZipFile reads`);
}

export function unzipLikeJava(zipFile: string, destination: string): void {
  const zip = readFileSync(zipFile);
  const root = path.resolve(destination);
  for (const entry of centralDirectory(zip)) {
    const target = path.resolve(root, entry.name);
    if (!target.startsWith(root + path.sep)) throw new Error(`Entry is outside of the target dir: ${entry.name}`);
    if (entry.name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    if (existsSync(target) && statSync(target).size === entry.size) continue;
    writeFileSync(target, entryData(zip, entry)); // FileChannel.open(CREATE, WRITE): 0666 less the umask
  }
}

function bits(level: PermissionLevel | undefined, owner: number, all: number): number {
  return level === 'ALL' ? all : level === 'OWNER' ? owner : 0;
}

export function applyArtifactPermission(location: string, permission: ArtifactPermission = {}): void {
  const stat = statSync(location);
  if (stat.isDirectory()) {
    chmodSync(location, 0o755);
    for (const child of readdirSync(location)) applyArtifactPermission(path.join(location, child), permission);
    return;
  }
  const read = permission.Read ?? 'OWNER';
  let mode = bits(read, 0o400, 0o444) | bits(permission.Execute ?? 'NONE', 0o100, 0o111);
  if (process.getuid?.() !== 0) mode |= 0o200;
  chmodSync(location, mode);
}
