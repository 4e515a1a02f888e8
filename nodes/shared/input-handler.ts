// How a msg reaching a flow node becomes work, and how whatever goes wrong with it reaches a Catch node: the node's
// handler checks the msg and runs it; this calls done exactly once, with an error that carries a stable `code`
// (Node-RED copies message and code into msg.error and routes the msg to the Catch nodes of its scope).
import type { NodeMessage, NodeMessageInFlow } from 'node-red';
import { StreamManagerError } from '../../lib/protocol/errors';
import type { SmConfigNode } from './config-contract';
import { requestFailureReason, withReason, type RequestOperation } from './failure-reason';
import type { FlowNodeStatus } from './node-status';

export type SendMsgs = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]) => void;
type Done = (error?: Error) => void;
export type InputListener = (msg: NodeMessageInFlow, send: SendMsgs, done: Done) => void;

export interface InputHandler<Msg extends NodeMessageInFlow, Input> {
  /** Reads what the msg asks for; a throw is bad input, reported as it is. */
  check(msg: Msg): Input;
  /**
   * Does it. A throw before it returns is bad input too; a rejection of the promise it returns is a failed request,
   * reported with its reason ("stream missing") in front of the message.
   */
  run(input: Input, msg: Msg, send: SendMsgs): Promise<void> | void;
  /** The kind of request `run` makes, where it tells what an error code means; `other` when not given. */
  operation?(input: Input): RequestOperation;
}

/** Whether a failed request's reason replaces the status until the next success (it is always in msg.error). */
export type ShowsFailure = (error: StreamManagerError, connected: boolean) => boolean;

export function asStreamManagerError(error: unknown): StreamManagerError {
  if (error instanceof StreamManagerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StreamManagerError(message, 'UnknownFailure', { cause: error });
}

export function inputListener<Msg extends NodeMessageInFlow, Input>(
  handler: InputHandler<Msg, Input>,
  configNode: SmConfigNode,
  status: FlowNodeStatus,
  showsFailure: ShowsFailure,
): InputListener {
  return (msg, send, done) => {
    let finished = false;
    const finish = (error?: Error): void => {
      if (finished) return;
      finished = true;
      done(error);
    };
    const failed = (error: unknown, input: Input): void => {
      const failure = asStreamManagerError(error);
      const text = configNode.reasonText(requestFailureReason(failure, handler.operation?.(input)));
      if (showsFailure(failure, status.connected)) status.showFailure(text);
      finish(withReason(failure, text));
    };
    let input: Input;
    let work: Promise<void> | void;
    try {
      input = handler.check(msg as Msg);
      work = handler.run(input, msg as Msg, send);
    } catch (error) {
      return finish(asStreamManagerError(error));
    }
    Promise.resolve(work).then(
      () => {
        status.succeeded();
        finish();
      },
      (error: unknown) => failed(error, input),
    );
  };
}
