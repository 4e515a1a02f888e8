// How msg payloads become message bytes (sm out) and message bytes become msg payloads (sm in).
import { decodeS3ExportStatus } from '../../lib/client/payloads/s3-export-status';
import { ValidationError } from '../../lib/protocol/errors';

/** Buffer as is, string as UTF-8, any other JSON value as JSON text; null and undefined are refused. */
export function payloadToBytes(payload: unknown, field = 'msg.payload'): Buffer {
  if (payload === undefined || payload === null) {
    throw new ValidationError(field, payload, 'is required: a Buffer, a string or a JSON value to append');
  }
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  let text: string | undefined;
  try {
    text = JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (error) {
    throw new ValidationError(field, payload, `must be serializable as JSON (${(error as Error).message})`);
  }
  if (text === undefined) throw new ValidationError(field, payload, 'must be a Buffer, a string or a JSON value');
  return Buffer.from(text, 'utf8');
}

/** `s3status`: an S3 export's status message as plain fields (status, message, bucket, key, ...). */
export type PayloadFormat = 'buffer' | 'utf8' | 'json' | 'auto' | 's3status';
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['buffer', 'utf8', 'json', 'auto', 's3status'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes message bytes as the node says; `auto`: JSON when it parses, text when valid UTF-8, else the Buffer. */
export function bytesToPayload(bytes: Uint8Array, format: PayloadFormat): unknown {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'buffer':
      return buffer;
    case 'utf8':
      return buffer.toString('utf8');
    case 'json':
      try {
        return JSON.parse(buffer.toString('utf8')) as unknown;
      } catch (error) {
        throw new ValidationError('payload', buffer, `must be JSON text to decode it as JSON (${(error as Error).message})`);
      }
    case 's3status':
      return decodeS3ExportStatus(buffer);
    case 'auto': {
      let text: string;
      try {
        text = utf8.decode(buffer);
      } catch {
        return buffer;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
  }
}
