// Turns whatever went wrong with a msg into an error with a stable `code`, reported so that a Catch node gets
// msg.error.message and msg.error.code (Node-RED copies an own `code` property of the error into msg.error).
import type { Node, NodeMessage } from 'node-red';
import { StreamManagerError } from '../../lib/protocol/errors';
import type { SmConfigNode } from './config-contract';
import { requestFailureReason, withReason } from './failure-reason';

export function asStreamManagerError(error: unknown): StreamManagerError {
  if (error instanceof StreamManagerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StreamManagerError(message, 'UnknownFailure', { cause: error });
}

/** Reports a failed msg: red status with the code, then done(err) (Node-RED routes it to Catch nodes). */
export function reportInputError(node: Node, error: unknown, done: (error?: Error) => void, showStatus = true): void {
  const failure = asStreamManagerError(error);
  if (showStatus) node.status({ fill: 'red', shape: 'dot', text: `${failure.code}: ${shorten(failure.message)}` });
  done(failure);
}

/**
 * Reports a failed request: the reason in a few words ("stream missing", "refused: full") on a red status, unless
 * `showStatus` is false, and at the start of msg.error.message; then done(err).
 */
export function reportRequestFailure(node: Node, configNode: SmConfigNode, error: unknown, done: (error?: Error) => void, showStatus = true): void {
  const failure = asStreamManagerError(error);
  const text = configNode.reasonText(requestFailureReason(failure));
  if (showStatus) node.status({ fill: 'red', shape: 'dot', text });
  done(withReason(failure, text));
}

export function reportError(node: Node, error: unknown, msg: NodeMessage): void {
  node.error(asStreamManagerError(error), msg);
}

function shorten(text: string, length = 60): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}
