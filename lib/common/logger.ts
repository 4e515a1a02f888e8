// Where the client and the server report what they skipped, retried or recovered from; both take any object with
// these four methods (console, Node-RED's node log, pino and the like).
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
