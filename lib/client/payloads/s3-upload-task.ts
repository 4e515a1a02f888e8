// S3ExportTaskDefinition documents from a local file path, a bucket and a key (with !{timestamp:...} placeholders),
// checked with the SDKs' rules and S3's limits on user metadata.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ValidationError } from '../../protocol/errors';
import { validateAndSerializeToJsonBytes } from '../../protocol/json-helpers';
import type { S3ExportTaskDefinition } from '../../protocol/model';
import { s3ExportTaskDefinitionSchema, validateObject } from '../../protocol/validation';

/** S3 keeps at most 2 KB of user-defined metadata per object (keys and values, as UTF-8). */
const S3_MAX_USER_METADATA_BYTES = 2048;
const RESERVED_METADATA_PREFIX = '$aws-gg-';

interface S3UploadTaskInput {
  /** An absolute path, or a file: URL. */
  file: string;
  bucket: string;
  key: string;
  userMetadata?: Record<string, string>;
}

function fileUrl(file: unknown): string {
  if (typeof file !== 'string' || file.trim() === '') throw new ValidationError('file', file, 'must name a file: an absolute path such as /var/data/report.csv, or a file: URL');
  if (file.startsWith('file:')) {
    try {
      new URL(file);
    } catch {
      throw new ValidationError('file', file, 'is not a valid file: URL');
    }
    return file;
  }
  if (!path.isAbsolute(file)) {
    throw new ValidationError('file', file, 'must be an absolute path (Stream Manager runs in another working folder), such as /var/data/report.csv');
  }
  return pathToFileURL(file).href;
}

function checkUserMetadata(metadata: unknown): Record<string, string> | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new ValidationError('userMetadata', metadata, 'must be an object of text keys and text values');
  let bytes = 0;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new ValidationError(`userMetadata.${key}`, value, 'must be text');
    if (key.toLowerCase().startsWith(RESERVED_METADATA_PREFIX)) throw new ValidationError(`userMetadata.${key}`, key, `is reserved: keys starting ${RESERVED_METADATA_PREFIX} belong to Greengrass`);
    if (key.toLowerCase().startsWith('x-amz-meta-')) throw new ValidationError(`userMetadata.${key}`, key, 'must be given without the x-amz-meta- prefix (Stream Manager adds it)');
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    result[key] = value;
  }
  if (bytes > S3_MAX_USER_METADATA_BYTES) throw new ValidationError('userMetadata', metadata, `is ${bytes} bytes: S3 keeps at most ${S3_MAX_USER_METADATA_BYTES} bytes of user metadata per object`);
  return Object.keys(result).length > 0 ? result : undefined;
}

/** A checked S3ExportTaskDefinition, its keys in the order of the SDK's asMap(). */
export function buildS3UploadTask(input: S3UploadTaskInput): S3ExportTaskDefinition {
  const task: S3ExportTaskDefinition = { inputUrl: fileUrl(input.file), bucket: input.bucket, key: input.key };
  const userMetadata = checkUserMetadata(input.userMetadata);
  if (userMetadata) task.userMetadata = userMetadata;
  validateObject(s3ExportTaskDefinitionSchema, task, '', { unknownKeys: 'refuse' });
  return task;
}

/** The task as the SDKs' validateAndSerializeToJsonBytes writes it. */
export function serializeS3UploadTask(task: S3ExportTaskDefinition): Buffer {
  return validateAndSerializeToJsonBytes('S3ExportTaskDefinition', task);
}

/**
 * Why the file cannot be read here, or undefined when it can. Stream Manager may see another filesystem (a container),
 * so this is advice, not a rule.
 */
export async function localFileProblem(inputUrl: string): Promise<string | undefined> {
  let file: string;
  try {
    const url = new URL(inputUrl);
    if (url.protocol !== 'file:') return `${inputUrl} is not a file: URL`;
    file = fileURLToPath(url);
  } catch {
    return `${inputUrl} is not a URL`;
  }
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) return `${file} is not a regular file`;
    await fs.promises.access(file, fs.constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${file} does not exist here`;
    if (code === 'EACCES') return `${file} cannot be read here (no permission)`;
    return `${file} cannot be read here: ${(error as Error).message}`;
  }
}
