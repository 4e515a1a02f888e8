// The CBOR codec of the protocol, on cbor-x. Payloads are maps with text keys; unset fields are left out;
// 64-bit integers stay exact (protocol.md §1.4).
import { Decoder, Encoder, setSizeLimits } from 'cbor-x';

/** Bounds on what a decoded map or array may claim, so a hostile length cannot make the decoder allocate it. */
const MAX_DECODED_COLLECTION_SIZE = 16_000_000;
setSizeLimits({
  maxArraySize: MAX_DECODED_COLLECTION_SIZE,
  maxMapSize: MAX_DECODED_COLLECTION_SIZE,
  maxObjectSize: MAX_DECODED_COLLECTION_SIZE,
});

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, variableMapSize: true, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

// cbor-x writes an integral number outside the 32-bit range as a float; the protocol wants an integer there.
const LARGEST_INT_CBOR_X_WRITES_AS_INT = 0xffff_ffff;
const SMALLEST_INT_CBOR_X_WRITES_AS_INT = -0x1_0000_0000;

/**
 * A copy of `value` as it goes on the wire: keys whose value is undefined or null are dropped and integral
 * numbers beyond 32 bits become bigints, so that cbor-x writes them as CBOR integers.
 */
function toWireValue(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (value > LARGEST_INT_CBOR_X_WRITES_AS_INT || value < SMALLEST_INT_CBOR_X_WRITES_AS_INT)) {
      return BigInt(value);
    }
    return value;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(toWireValue);
  const wire: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined && field !== null) wire[key] = toWireValue(field);
  }
  return wire;
}

export function encodeCbor(value: object): Buffer {
  return encoder.encode(toWireValue(value));
}

/** cbor-x gives every 8-byte integer as a bigint; the model wants numbers wherever they are exact. */
function fromWireValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = fromWireValue(value[index]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = fromWireValue(record[key]);
  return record;
}

/** Decodes one CBOR data item; throws when the bytes are not well-formed CBOR. */
export function decodeCbor(bytes: Uint8Array): unknown {
  return fromWireValue(decoder.decode(bytes));
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
