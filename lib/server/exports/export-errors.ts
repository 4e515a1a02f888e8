// Why an export attempt failed. The batch is kept and tried again after a back-off; `delivered` counts the messages
// at the start of the batch that did reach the destination (one request per message), so they are not sent twice.
export class ExportFailedError extends Error {
  readonly code = 'ExportFailed';

  constructor(
    message: string,
    readonly delivered = 0,
  ) {
    super(message);
    this.name = 'ExportFailedError';
  }
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
