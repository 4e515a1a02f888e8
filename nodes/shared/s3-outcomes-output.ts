// sm out's second output with "S3 upload task": one msg per appended task once its upload has ended, carrying the
// original msg's properties and msg.s3 = { bucket, key, status, message }. The waiting tasks outlive the node (see
// S3OutcomeTracker), so outcomes that arrive after a redeploy or a restart of Node-RED still come out.
import type { Node, NodeMessage } from 'node-red';
import type { StreamManagerClient } from '../../lib/client/client';
import { S3OutcomeTracker } from '../../lib/client/payloads';
import type { AppendedTask } from './out-payload-appender';

type StoredMsg = Record<string, unknown>;

/** A msg kept with its task is at most this large as JSON; a larger one is kept without its payload. */
const MAX_KEPT_MSG_BYTES = 16 * 1024;

function keptProperties(msg: object): StoredMsg {
  const { _msgid: _ignored, ...rest } = msg as StoredMsg;
  try {
    const text = JSON.stringify(rest);
    if (Buffer.byteLength(text) <= MAX_KEPT_MSG_BYTES) return JSON.parse(text) as StoredMsg;
    const { payload: _payload, ...withoutPayload } = rest;
    const smaller = JSON.stringify(withoutPayload);
    return Buffer.byteLength(smaller) <= MAX_KEPT_MSG_BYTES ? (JSON.parse(smaller) as StoredMsg) : {};
  } catch {
    return {};
  }
}

export class S3OutcomesOutput {
  private readonly tracker: S3OutcomeTracker<StoredMsg>;

  constructor(
    private readonly node: Node,
    client: StreamManagerClient,
    statusStream: string,
    private readonly texts: { full(): string; warning(text: string): string },
  ) {
    this.tracker = new S3OutcomeTracker<StoredMsg>({
      client,
      statusStream,
      name: node.id,
      onOutcome: (task, status) => {
        const msg = { ...task.context, s3: { bucket: task.bucket, key: task.key, status: status.status, message: status.message ?? '' } };
        node.send([null, msg as NodeMessage]);
      },
      onWarning: (text) => node.warn(texts.warning(text)),
    });
    this.tracker.start().catch((error: unknown) => node.warn(texts.warning((error as Error).message)));
  }

  taskAppended(appended: AppendedTask): void {
    const tracked = this.tracker.track({
      stream: appended.stream,
      sequenceNumber: Number(appended.sequenceNumber),
      bucket: appended.task.bucket,
      key: appended.task.key,
      inputUrl: appended.task.inputUrl,
      context: keptProperties(appended.msg),
    });
    if (!tracked) this.node.warn(this.texts.full());
  }

  stop(): Promise<void> {
    return this.tracker.stop();
  }
}
