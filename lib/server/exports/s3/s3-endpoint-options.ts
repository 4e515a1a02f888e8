// The S3-compatible endpoint as a server option: a URL and credentials (for a local S3-compatible server, its own).
import type { S3EndpointSettings } from './s3-uploader';

export const DEFAULT_MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

export interface S3EndpointOptions {
  /** Base URL, e.g. http://127.0.0.1:4568; buckets are addressed path-style under it. */
  url: string;
  /** Default us-east-1. */
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function s3EndpointSettings(options: S3EndpointOptions, minPartSizeBytes: number): S3EndpointSettings {
  return {
    endpoint: new URL(options.url),
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, sessionToken: options.sessionToken },
    minPartSizeBytes,
  };
}
