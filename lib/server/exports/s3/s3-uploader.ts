// Where an S3 export task's file goes. Without an S3 endpoint it is copied under the export folder as
// s3/<bucket>/<key>; with one (an S3-compatible server, path-style) it is uploaded for real, signed with SigV4,
// in one PUT up to the multipart threshold and in parts above it.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ExportFailedError } from '../export-errors';
import { encodeS3Path, signS3Request, type AwsCredentials } from './s3-signing';

/** A task that cannot succeed as given (no such bucket, refused): final, reported as Failure, not retried. */
export class S3TaskFailure extends Error {
  readonly code = 'S3TaskFailed';
}

interface S3Upload {
  file: string;
  size: number;
  bucket: string;
  key: string;
  userMetadata?: Record<string, string>;
  /** Above this size, a multipart upload. */
  multipartThresholdBytes: number;
}

export interface S3Uploader {
  /** Resolves with where the object now is, in words. */
  upload(upload: S3Upload): Promise<string>;
}

export class LocalFolderUploader implements S3Uploader {
  constructor(private readonly exportDir: string) {}

  async upload(upload: S3Upload): Promise<string> {
    const bucketFolder = path.resolve(this.exportDir, 's3', upload.bucket);
    const target = path.resolve(bucketFolder, upload.key);
    if (!target.startsWith(bucketFolder + path.sep) || upload.key.endsWith('/')) {
      throw new S3TaskFailure(`key ${upload.key} does not name a file inside the bucket folder ${bucketFolder}`);
    }
    const temporary = `${target}.${process.pid}.partial`;
    try {
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.copyFile(upload.file, temporary);
      await fs.promises.rename(temporary, target);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
      throw new ExportFailedError(`could not copy ${upload.file} to ${target}: ${(error as Error).message}`);
    }
    return target;
  }
}

export interface S3EndpointSettings {
  endpoint: URL;
  region: string;
  credentials: AwsCredentials;
  /** Part size of multipart uploads (STREAM_MANAGER_EXPORTER_S3_DESTINATION_MULTIPART_UPLOAD_MIN_PART_SIZE_BYTES). */
  minPartSizeBytes: number;
  requestTimeoutMs?: number;
}

interface S3Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_PARTS = 10_000;

export class S3EndpointUploader implements S3Uploader {
  constructor(private readonly settings: S3EndpointSettings) {}

  async upload(upload: S3Upload): Promise<string> {
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(upload.userMetadata ?? {})) metadata[`x-amz-meta-${name.toLowerCase()}`] = value;
    if (upload.size <= upload.multipartThresholdBytes) {
      const response = await this.request('PUT', upload, {}, { ...metadata, 'content-length': String(upload.size) }, fs.createReadStream(upload.file));
      this.check(response, 'PUT', upload);
    } else {
      await this.multipart(upload, metadata);
    }
    return `s3://${upload.bucket}/${upload.key} at ${this.settings.endpoint.origin}`;
  }

  private async multipart(upload: S3Upload, metadata: Record<string, string>): Promise<void> {
    const created = await this.request('POST', upload, { uploads: '' }, metadata);
    this.check(created, 'CreateMultipartUpload', upload);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)?.[1];
    if (!uploadId) throw new ExportFailedError(`CreateMultipartUpload for s3://${upload.bucket}/${upload.key} gave no UploadId`);
    const partSize = Math.max(this.settings.minPartSizeBytes, Math.ceil(upload.size / MAX_PARTS));
    const etags: string[] = [];
    try {
      const handle = await fs.promises.open(upload.file, 'r');
      try {
        for (let offset = 0, number = 1; offset < upload.size; offset += partSize, number += 1) {
          const length = Math.min(partSize, upload.size - offset);
          const buffer = Buffer.alloc(length);
          await handle.read(buffer, 0, length, offset);
          const part = await this.request('PUT', upload, { partNumber: String(number), uploadId }, { 'content-length': String(length) }, buffer);
          this.check(part, `UploadPart ${number}`, upload);
          etags.push(String(part.headers.etag ?? ''));
        }
      } finally {
        await handle.close();
      }
      const body = `<CompleteMultipartUpload>${etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const completed = await this.request('POST', upload, { uploadId }, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }, Buffer.from(body));
      this.check(completed, 'CompleteMultipartUpload', upload);
      if (/<Error>/.test(completed.body)) throw new ExportFailedError(`CompleteMultipartUpload for s3://${upload.bucket}/${upload.key} failed: ${completed.body.slice(0, 300)}`);
    } catch (error) {
      await this.request('DELETE', upload, { uploadId }, {}).catch(() => undefined);
      throw error;
    }
  }

  private check(response: S3Response, action: string, upload: S3Upload): void {
    if (response.status >= 200 && response.status < 300) return;
    const code = /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1] ?? '';
    const reason = `${action} s3://${upload.bucket}/${upload.key} was answered ${response.status} ${code}`.trim();
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new S3TaskFailure(reason);
    throw new ExportFailedError(reason);
  }

  private request(method: string, upload: S3Upload, query: Record<string, string>, headers: Record<string, string>, body?: Buffer | Readable): Promise<S3Response> {
    const base = this.settings.endpoint;
    const url = new URL(`${base.origin}${base.pathname.replace(/\/$/, '')}/${encodeS3Path(upload.bucket, false)}/${encodeS3Path(upload.key, true)}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const signed = signS3Request({ method, url, headers }, this.settings.credentials, this.settings.region, new Date());
    const transport = url.protocol === 'https:' ? https : http;
    const timeout = this.settings.requestTimeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers: signed, timeout }, (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < 64 * 1024) chunks.push(chunk);
          kept += chunk.length;
        });
        response.on('error', (error) => reject(new ExportFailedError(`${method} ${url.href}: ${error.message}`)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeout} ms`)));
      request.on('error', (error) => reject(new ExportFailedError(`${method} ${url.origin}: ${error.message}`)));
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else {
        body.on('error', (error) => request.destroy(error));
        body.pipe(request);
      }
    });
  }
}
