// How sm out creates a missing stream: from the dialog's definition, with the export its Payload setting needs
// (SiteWise, or an S3 task executor with its status stream, which is created first so that no status is lost).
import type { StreamManagerClient } from '../../lib/client/client';
import { StrategyOnFull, Persistence } from '../../lib/protocol/enums';
import { errorCodeOf } from '../../lib/protocol/errors';
import type { MessageStreamDefinition } from '../../lib/protocol/model';
import { withMatchingExport, type OutPayloadMode, type OutPayloadSettings } from './out-payload';

const createIgnoringExisting = (client: StreamManagerClient, definition: MessageStreamDefinition): Promise<boolean> =>
  client.createMessageStream(definition).then(
    () => true,
    (error: unknown) => {
      // Another writer created it a moment before: Stream Manager answers InvalidRequest, "already exists".
      if (errorCodeOf(error) === 'InvalidRequest' && /already exists/.test((error as Error).message)) return true;
      throw error;
    },
  );

export async function createOutStream(client: StreamManagerClient, definition: MessageStreamDefinition, mode: OutPayloadMode, settings: OutPayloadSettings): Promise<boolean> {
  const exportDefinition = withMatchingExport(mode, settings, definition.exportDefinition);
  const complete: MessageStreamDefinition = exportDefinition ? { ...definition, exportDefinition } : definition;
  for (const executor of complete.exportDefinition?.s3TaskExecutor ?? []) {
    const statusStream = executor.statusConfig?.statusStreamName;
    if (statusStream && mode === 's3task') {
      await createIgnoringExisting(client, { name: statusStream, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File, maxSize: 16 * 1024 * 1024 });
    }
  }
  return createIgnoringExisting(client, complete);
}
