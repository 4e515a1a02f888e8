// sm out with Payload "IoT SiteWise value" or "S3 upload task": turns each msg into the entries or the task to append,
// groups one property's values within the node's window, warns when a task's file cannot be read here, and tells the
// node when each msg's appends are acknowledged. Bad input throws at once (a Validation error for the msg alone).
import type { NodeMessage } from 'node-red';
import { localFileProblem, serializeS3UploadTask, serializeSiteWiseEntry, buildSiteWiseEntry, SiteWiseGrouper, type SiteWiseGroup } from '../../lib/client/payloads';
import type { Int64, S3ExportTaskDefinition } from '../../lib/protocol/model';
import type { AppendJob } from './append-queue';
import { jsonSafe } from './json-safe';
import { s3TaskOf, siteWiseEntryPayloads, siteWisePropertyOf, siteWiseValuesOf, type OutMessage, type OutPayloadMode, type OutPayloadSettings } from './out-payload';

type Send = (msg: NodeMessage) => void;
type Done = (error?: Error) => void;

interface Ticket {
  msg: OutMessage & { stream?: unknown; sequenceNumber?: unknown };
  send: Send;
  done: Done;
}

export interface AppendedTask {
  stream: string;
  sequenceNumber: Int64;
  task: S3ExportTaskDefinition;
  msg: OutMessage;
  send: Send;
}

interface OutPayloadAppenderOptions {
  mode: OutPayloadMode;
  settings: OutPayloadSettings;
  windowMs: number;
  push(job: AppendJob): void;
  succeeded(msg: OutMessage, send: Send, done: Done): void;
  failed(error: Error, done: Done): void;
  /** Told when a task's file cannot be read where Node-RED runs (why, in a few words). */
  warnUnreadable(problem: string): void;
  /** Told of every S3 task once it is appended (before the msg is sent on). */
  taskAppended?(task: AppendedTask): void;
}

export class OutPayloadAppender {
  private readonly grouper?: SiteWiseGrouper<Ticket>;

  constructor(private readonly options: OutPayloadAppenderOptions) {
    if (options.mode === 'sitewise' && options.windowMs > 0) {
      this.grouper = new SiteWiseGrouper<Ticket>(options.windowMs, (group) => this.appendGroup(group));
    }
  }

  /** Builds what the msg stands for and queues it; throws a Validation error when the msg cannot become one. */
  handle(stream: string, msg: OutMessage, send: Send, done: Done): void {
    if (this.options.mode === 's3task') {
      this.appendTask(stream, msg, send, done);
      return;
    }
    const receivedAt = Date.now();
    const property = siteWisePropertyOf(msg, this.options.settings);
    const values = siteWiseValuesOf(msg, this.options.settings, receivedAt);
    if (this.grouper && !Array.isArray(msg.payload)) {
      // Check the entry now, so a msg that cannot be part of any entry fails alone.
      buildSiteWiseEntry(property, values, receivedAt);
      this.grouper.add(stream, property, values, { msg, send, done });
      return;
    }
    const payloads = siteWiseEntryPayloads(property, values, receivedAt);
    this.options.push({
      stream,
      payloads,
      resolve: (sequenceNumbers) => {
        msg.stream = stream;
        if (Array.isArray(msg.payload)) (msg as { sequenceNumbers?: unknown[] }).sequenceNumbers = sequenceNumbers.map(jsonSafe);
        else (msg as { sequenceNumber?: unknown }).sequenceNumber = jsonSafe(sequenceNumbers[0]);
        this.options.succeeded(msg, send, done);
      },
      reject: (error) => this.options.failed(error, done),
    });
  }

  /** Closes every open group now (the node is stopping): their entries are appended before the queue stops. */
  flush(): void {
    this.grouper?.flush();
  }

  private appendGroup(group: SiteWiseGroup<Ticket>): void {
    let payload: Buffer;
    try {
      payload = serializeSiteWiseEntry(buildSiteWiseEntry(group.property, group.values, Date.now()));
    } catch (error) {
      // A value may have aged out of SiteWise's window while its group was open.
      for (const ticket of group.tickets) this.options.failed(error as Error, ticket.done);
      return;
    }
    this.options.push({
      stream: group.stream,
      payloads: [payload],
      resolve: ([sequenceNumber]) => {
        for (const ticket of group.tickets) {
          ticket.msg.stream = group.stream;
          ticket.msg.sequenceNumber = jsonSafe(sequenceNumber);
          this.options.succeeded(ticket.msg, ticket.send, ticket.done);
        }
      },
      reject: (error) => {
        for (const ticket of group.tickets) this.options.failed(error, ticket.done);
      },
    });
  }

  private appendTask(stream: string, msg: OutMessage, send: Send, done: Done): void {
    const task = s3TaskOf(msg, this.options.settings);
    const payload = serializeS3UploadTask(task);
    void localFileProblem(task.inputUrl).then((problem) => {
      // Stream Manager may run in another filesystem (a container), so this is a warning, not an error.
      if (problem) this.options.warnUnreadable(problem);
    });
    this.options.push({
      stream,
      payloads: [payload],
      resolve: ([sequenceNumber]) => {
        msg.stream = stream;
        (msg as { sequenceNumber?: unknown }).sequenceNumber = jsonSafe(sequenceNumber);
        this.options.taskAppended?.({ stream, sequenceNumber, task, msg, send });
        this.options.succeeded(msg, send, done);
      },
      reject: (error) => this.options.failed(error, done),
    });
  }
}
