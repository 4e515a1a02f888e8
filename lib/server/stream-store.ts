// All streams of a server, and where File streams live on disk. A stream's folder is named after a hash of its
// name, never the name itself, so names such as `.`, `..` or `CON` stay inside the store.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCbor, encodeCbor } from '../protocol/cbor';
import { Persistence } from '../protocol/enums';
import { InvalidRequestError, ResourceNotFoundError, UpdateNotAllowedError } from '../protocol/errors';
import { DEFAULT_MAX_SIZE, DEFAULT_STREAM_SEGMENT_SIZE, type MessageStreamDefinition, type MessageStreamInfo } from '../protocol/model';
import type { Logger } from '../common/logger';
import { MessageStream, numberField, type FileStorage } from './message-stream';
import { diskFailure } from './disk-failure';
import { FileHandles } from './log/file-handles';
import { ReadBlockPool } from './log/read-blocks';
import type { ServerExports } from './exports/server-exports';
import type { StreamExports } from './exports/stream-exports';

const DEFINITION_FILE = 'definition.cbor';
/** A deleted stream's folder is first renamed to this prefix (atomic), then removed; leftovers go at the next open. */
const DELETED_PREFIX = 'deleted-';

function streamFolderName(name: string): string {
  return `stream-${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 40)}`;
}

interface StoreEntry {
  stream: MessageStream;
  exports: StreamExports;
  folderName: string;
}

export class StreamStore {
  private readonly entries = new Map<string, StoreEntry>();
  private readonly streamsFolder: string;
  /** Read handles of every File stream's segments, bounded together. */
  private readonly handles = new FileHandles();
  /**
   * Blocks lent to reads whose reply is built at once (the reply copies the payloads out before anything else runs):
   * reads that drain a backlog then reuse the same memory batch after batch.
   */
  readonly readBlocks = new ReadBlockPool();

  private constructor(
    storeDir: string,
    private readonly exports: ServerExports,
    private readonly logger: Logger,
  ) {
    this.streamsFolder = path.join(storeDir, 'streams');
  }

  /** Opens the store, creating its folder, and loads every File stream in it. */
  static open(storeDir: string, exports: ServerExports, logger: Logger): StreamStore {
    const store = new StreamStore(storeDir, exports, logger);
    fs.mkdirSync(store.streamsFolder, { recursive: true });
    for (const folderName of fs.readdirSync(store.streamsFolder).sort()) {
      if (folderName.startsWith(DELETED_PREFIX)) store.removeDeletedFolder(folderName);
      if (!folderName.startsWith('stream-')) continue;
      try {
        store.load(folderName);
      } catch (error) {
        logger.error(`skipped stream folder ${folderName}: ${(error as Error).message}`);
      }
    }
    return store;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  get(name: string): MessageStream {
    const entry = this.entries.get(name);
    if (!entry) throw new ResourceNotFoundError(`stream ${name} does not exist`);
    return entry.stream;
  }

  create(requested: MessageStreamDefinition): void {
    if (this.entries.has(requested.name)) {
      throw new InvalidRequestError(`Stream with name ${requested.name} already exists`);
    }
    const definition = withServerDefaults(requested);
    checkSizes(definition);
    const folderName = streamFolderName(definition.name);
    let directory: string | undefined;
    if (definition.persistence === Persistence.File) {
      directory = path.join(this.streamsFolder, folderName);
      try {
        fs.rmSync(directory, { recursive: true, force: true });
        fs.mkdirSync(directory, { recursive: true });
        writeDefinition(directory, definition);
      } catch (error) {
        throw diskFailure(`could not create stream ${definition.name} in ${this.streamsFolder}`, error);
      }
    }
    const stream = new MessageStream(definition, directory === undefined ? undefined : this.storage(directory));
    this.entries.set(definition.name, { stream, exports: this.exports.forStream(stream, folderName, directory), folderName });
  }

  update(requested: MessageStreamDefinition, now: number): void {
    const entry = this.entries.get(requested.name);
    if (!entry) throw new ResourceNotFoundError(`stream ${requested.name} does not exist`);
    const definition = withServerDefaults(requested);
    if (definition.persistence !== entry.stream.persistence) {
      throw new UpdateNotAllowedError(
        `persistence of stream ${definition.name} cannot change (from ${Persistence[entry.stream.persistence]} to ${Persistence[definition.persistence as Persistence]})`,
      );
    }
    checkSizes(definition);
    const maxSize = numberField(definition.maxSize, DEFAULT_MAX_SIZE);
    if (maxSize < entry.stream.totalBytes) {
      throw new InvalidRequestError(`maxSize ${maxSize} is smaller than the ${entry.stream.totalBytes} bytes stream ${definition.name} holds now`);
    }
    for (const kind of Object.values(definition.exportDefinition ?? {})) {
      for (const config of kind as { identifier: string; startSequenceNumber?: number | bigint }[]) {
        const start = config.startSequenceNumber;
        if (start !== undefined && Number(start) > Math.max(0, entry.stream.newestSequenceNumber + 1)) {
          throw new InvalidRequestError(`export ${config.identifier}: startSequenceNumber ${start} is beyond the stream's newest sequence number ${entry.stream.newestSequenceNumber}`);
        }
      }
    }
    if (entry.stream.isFile) {
      try {
        writeDefinition(path.join(this.streamsFolder, entry.folderName), definition);
      } catch (error) {
        throw diskFailure(`could not update stream ${definition.name} on disk`, error);
      }
    }
    entry.stream.applyDefinition(definition, now);
    entry.exports.configure(definition.exportDefinition);
  }

  delete(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) throw new ResourceNotFoundError(`stream ${name} does not exist`);
    if (entry.stream.isFile) {
      // Renamed first, so that a disk that refuses leaves the stream whole and still served.
      const deletedName = `${DELETED_PREFIX}${entry.folderName}-${Date.now()}`;
      try {
        fs.renameSync(path.join(this.streamsFolder, entry.folderName), path.join(this.streamsFolder, deletedName));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw diskFailure(`could not delete stream ${name} from disk`, error);
      }
      this.removeDeletedFolder(deletedName);
    }
    this.entries.delete(name);
    this.exports.release(entry.exports);
    entry.stream.destroy();
  }

  describe(name: string): MessageStreamInfo {
    const entry = this.entries.get(name);
    if (!entry) throw new ResourceNotFoundError(`stream ${name} does not exist`);
    return {
      definition: entry.stream.definition,
      storageStatus: entry.stream.storageStatus(),
      exportStatuses: entry.exports.statuses(),
    };
  }

  /** Time-based work: expired segments go. (Exports run on their own scheduler.) */
  tick(now: number): void {
    for (const entry of this.entries.values()) {
      try {
        entry.stream.tick(now);
      } catch (error) {
        // One stream's trouble (a disk error) must not stop the others or the server.
        this.logger.error(`stream ${entry.stream.name}: housekeeping failed: ${(error as Error).message}`);
      }
    }
  }

  close(): void {
    for (const entry of this.entries.values()) {
      try {
        entry.stream.close();
      } catch (error) {
        this.logger.error(`could not close stream ${entry.stream.name}: ${(error as Error).message}`);
      }
    }
    this.handles.closeAll();
  }

  private storage(directory: string): FileStorage {
    return { directory, handles: this.handles, logger: this.logger };
  }

  private removeDeletedFolder(folderName: string): void {
    try {
      fs.rmSync(path.join(this.streamsFolder, folderName), { recursive: true, force: true });
    } catch (error) {
      this.logger.warn(`could not remove ${folderName}, the folder of a deleted stream (removed at the next start): ${(error as Error).message}`);
    }
  }

  private load(folderName: string): void {
    const directory = path.join(this.streamsFolder, folderName);
    const definitionFile = path.join(directory, DEFINITION_FILE);
    if (!fs.existsSync(definitionFile)) {
      this.logger.warn(`removing stream folder ${folderName}: it has no definition (a create that did not finish)`);
      fs.rmSync(directory, { recursive: true, force: true });
      return;
    }
    const definition = decodeCbor(fs.readFileSync(definitionFile)) as MessageStreamDefinition;
    const stream = new MessageStream(definition, this.storage(directory));
    this.entries.set(definition.name, { stream, exports: this.exports.forStream(stream, folderName, directory), folderName });
  }
}

/** The definition as the server keeps it: persistence File when left out, as the real server does. */
function withServerDefaults(definition: MessageStreamDefinition): MessageStreamDefinition {
  return {
    ...definition,
    maxSize: definition.maxSize ?? DEFAULT_MAX_SIZE,
    streamSegmentSize: definition.streamSegmentSize ?? DEFAULT_STREAM_SEGMENT_SIZE,
    persistence: definition.persistence ?? Persistence.File,
  };
}

function checkSizes(definition: MessageStreamDefinition): void {
  const maxSize = numberField(definition.maxSize, DEFAULT_MAX_SIZE);
  const segmentSize = numberField(definition.streamSegmentSize, DEFAULT_STREAM_SEGMENT_SIZE);
  if (segmentSize > maxSize) {
    throw new InvalidRequestError(`streamSegmentSize ${segmentSize} must not be larger than maxSize ${maxSize}`);
  }
}

function writeDefinition(directory: string, definition: MessageStreamDefinition): void {
  const file = path.join(directory, DEFINITION_FILE);
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, encodeCbor(definition));
  const fd = fs.openSync(temporary, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temporary, file);
}
