/** A copy fit for msg and JSON: 64-bit integers beyond 2^53 become decimal strings, Buffers stay Buffers. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(jsonSafe);
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, jsonSafe(field)]));
}
