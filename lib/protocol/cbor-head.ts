// The few CBOR pieces the fast paths write and read by hand (RFC 8949 §3): a data item's head (major type and
// argument, in the shortest form, as cbor-x writes it), ASCII text and byte strings. Anything else is left to cbor-x.

export const MAJOR_UNSIGNED = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
export const MAJOR_ARRAY = 4;
export const MAJOR_MAP = 5;

const TWO_TO_THE_32 = 0x1_0000_0000;

/** Bytes the shortest head for `argument` takes. */
export function headSize(argument: number): number {
  if (argument < 24) return 1;
  if (argument < 0x100) return 2;
  if (argument < 0x1_0000) return 3;
  if (argument < TWO_TO_THE_32) return 5;
  return 9;
}

/** Writes the shortest head; `argument` is a safe, non-negative integer. Returns the offset after it. */
export function writeHead(target: Buffer, offset: number, major: number, argument: number): number {
  const type = major << 5;
  if (argument < 24) {
    target[offset] = type | argument;
    return offset + 1;
  }
  if (argument < 0x100) {
    target[offset] = type | 24;
    target[offset + 1] = argument;
    return offset + 2;
  }
  if (argument < 0x1_0000) {
    target[offset] = type | 25;
    target.writeUInt16BE(argument, offset + 1);
    return offset + 3;
  }
  if (argument < TWO_TO_THE_32) {
    target[offset] = type | 26;
    target.writeUInt32BE(argument, offset + 1);
    return offset + 5;
  }
  target[offset] = type | 27;
  target.writeUInt32BE(Math.floor(argument / TWO_TO_THE_32), offset + 1);
  target.writeUInt32BE(argument % TWO_TO_THE_32, offset + 5);
  return offset + 9;
}

/** Bytes an ASCII text string takes with its head; -1 when it holds anything beyond ASCII (left to cbor-x). */
export function asciiTextSize(text: string): number {
  const length = text.length;
  for (let index = 0; index < length; index++) {
    if (text.charCodeAt(index) > 0x7f) return -1;
  }
  return headSize(length) + length;
}

/** Below this length a loop in JS beats a call into Buffer's native string writer. */
const SHORT_TEXT = 64;

/** Writes a text string that asciiTextSize accepted. */
export function writeAsciiText(target: Buffer, offset: number, text: string): number {
  const length = text.length;
  const start = writeHead(target, offset, MAJOR_TEXT, length);
  if (length >= SHORT_TEXT) return start + target.write(text, start, length, 'latin1');
  for (let index = 0; index < length; index++) target[start + index] = text.charCodeAt(index);
  return start + length;
}

export function writeBytes(target: Buffer, offset: number, bytes: Uint8Array): number {
  const start = writeHead(target, offset, MAJOR_BYTES, bytes.length);
  target.set(bytes, start);
  return start + bytes.length;
}

/** A position in a buffer being read; `offset` moves on as items are read. */
export interface CborCursor {
  readonly bytes: Buffer;
  offset: number;
}

/**
 * Reads a head of the given major type with a definite argument that fits a safe integer, or returns -1 for
 * anything else (another type, an indefinite length, a truncated head), so that the caller can fall back.
 */
export function readHead(cursor: CborCursor, major: number): number {
  const { bytes } = cursor;
  const offset = cursor.offset;
  if (offset >= bytes.length) return -1;
  const initial = bytes[offset];
  if (initial >> 5 !== major) return -1;
  const info = initial & 0x1f;
  if (info < 24) {
    cursor.offset = offset + 1;
    return info;
  }
  if (info === 24 && offset + 2 <= bytes.length) {
    cursor.offset = offset + 2;
    return bytes[offset + 1];
  }
  if (info === 25 && offset + 3 <= bytes.length) {
    cursor.offset = offset + 3;
    return bytes.readUInt16BE(offset + 1);
  }
  if (info === 26 && offset + 5 <= bytes.length) {
    cursor.offset = offset + 5;
    return bytes.readUInt32BE(offset + 1);
  }
  return -1;
}

/** Reads an ASCII text string, or returns undefined (cursor unspecified) for anything else. */
export function readAsciiText(cursor: CborCursor): string | undefined {
  const length = readHead(cursor, MAJOR_TEXT);
  if (length < 0) return undefined;
  const { bytes } = cursor;
  const start = cursor.offset;
  const end = start + length;
  if (end > bytes.length) return undefined;
  for (let index = start; index < end; index++) {
    if (bytes[index] > 0x7f) return undefined;
  }
  cursor.offset = end;
  return bytes.toString('latin1', start, end);
}

/** Reads a byte string as a view of the buffer, or returns undefined for anything else. */
export function readBytes(cursor: CborCursor): Buffer | undefined {
  const length = readHead(cursor, MAJOR_BYTES);
  if (length < 0) return undefined;
  const start = cursor.offset;
  const end = start + length;
  if (end > cursor.bytes.length) return undefined;
  cursor.offset = end;
  return cursor.bytes.subarray(start, end);
}

/** True when `key` (ASCII) is the text string at the cursor; moves past it only then. */
export function readKey(cursor: CborCursor, key: string): boolean {
  const { bytes, offset } = cursor;
  const length = key.length;
  if (length >= 24 || bytes[offset] !== ((MAJOR_TEXT << 5) | length) || offset + 1 + length > bytes.length) return false;
  for (let index = 0; index < length; index++) {
    if (bytes[offset + 1 + index] !== key.charCodeAt(index)) return false;
  }
  cursor.offset = offset + 1 + length;
  return true;
}
