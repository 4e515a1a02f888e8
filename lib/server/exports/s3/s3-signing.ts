// How a request to an S3-compatible endpoint is addressed and signed (SigV4, by the aws4 package). The payload is
// not signed (x-amz-content-sha256 UNSIGNED-PAYLOAD, which S3 accepts over any transport), so a large file streams.
import * as aws4 from 'aws4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface S3Request {
  method: string;
  url: URL;
  /** Lower-case names; each one is signed. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body; default UNSIGNED-PAYLOAD. */
  payloadHash?: string;
}

/** An option of aws4.sign that its type declarations leave out. */
interface SignedHeaderChoice {
  extraHeadersToInclude: Record<string, boolean>;
}

/** One path segment (a bucket, or a key with keepSlash) as S3 encodes it: all but A-Z a-z 0-9 - _ . ~ escaped. */
export function encodeS3Path(text: string, keepSlash: boolean): string {
  const segment = (part: string): string => encodeURIComponent(part).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? text.split('/').map(segment).join('/') : segment(text);
}

/** The headers to send: the request's own plus host, x-amz-date, x-amz-content-sha256, the token and Authorization. */
export function signS3Request(request: S3Request, credentials: AwsCredentials, region: string, now: Date): Record<string, string> {
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.url.host,
    'x-amz-date': now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''),
    'x-amz-content-sha256': request.payloadHash ?? 'UNSIGNED-PAYLOAD',
  };
  const options: aws4.Request & SignedHeaderChoice = {
    method: request.method,
    host: request.url.host,
    path: `${request.url.pathname}${request.url.search}`,
    service: 's3',
    region,
    headers,
    // aws4 leaves some headers (range, user-agent, ...) out of the signature by default; ours are all signed.
    extraHeadersToInclude: Object.fromEntries(Object.keys(request.headers).map((name) => [name, true])),
  };
  const signed = aws4.sign(options, credentials);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}
