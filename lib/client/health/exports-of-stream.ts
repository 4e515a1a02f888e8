// The exports of a described stream: each export of its definition with its status, then statuses whose export
// is no longer in the definition (what the exporter still reports of an export that was removed).
import { EXPORT_KINDS, type ExportKind, type ExportStatus, type MessageStreamInfo } from '../../protocol/model';

interface DescribedExport {
  identifier: string;
  /** Undefined for a status without an export in the definition. */
  kind?: ExportKind;
  disabled: boolean;
  status?: ExportStatus;
}

export function exportsOfStream(info: MessageStreamInfo): DescribedExport[] {
  const statuses = new Map((info.exportStatuses ?? []).map((status) => [status.exportConfigIdentifier ?? '', status]));
  const exportDefinition = info.definition?.exportDefinition ?? {};
  const described: DescribedExport[] = [];
  for (const kind of EXPORT_KINDS) {
    for (const config of exportDefinition[kind] ?? []) {
      described.push({ identifier: config.identifier, kind, disabled: config.disabled === true, status: statuses.get(config.identifier) });
      statuses.delete(config.identifier);
    }
  }
  for (const [identifier, status] of statuses) described.push({ identifier, disabled: false, status });
  return described;
}
