/** The `status` of every response (protocol.md §2.2). */
export enum ResponseStatusCode {
  Success = 0,
  UnknownFailure = 1,
  Unauthorized = 2,
  InvalidRequest = 3,
  RequestPayloadTooLarge = 4,
  ResourceNotFound = 5,
  ServerTimeout = 6,
  ResponsePayloadTooLarge = 7,
  UnsupportedConnectVersion = 8,
  UnexpectedOperation = 9,
  UnsupportedProtocolVersion = 10,
  InvalidProtocolVersion = 11,
  FailedToConnect = 12,
  NotEnoughMessages = 13,
  MessageStoreReadError = 14,
  OutOfMemoryError = 15,
  UpdateFailed = 16,
  UpdateNotAllowed = 17,
  UnknownOperation = 18,
}

/** The status name for a code, or `Unrecognized` for a number this protocol version does not define. */
export function statusName(code: number): string {
  return ResponseStatusCode[code] ?? 'Unrecognized';
}
