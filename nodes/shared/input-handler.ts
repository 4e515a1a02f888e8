// How a msg reaching a flow node becomes work, and how whatever goes wrong with it reaches a Catch node: the node's
// handler checks the msg and runs it; this calls done exactly once, with an error that carries a stable `code`
// (Node-RED copies message and code into msg.error and routes the msg to the Catch nodes of its scope).
import type { NodeMessage, NodeMessageInFlow } from 'node-red';
import { StreamManagerError } from '../../lib/protocol/errors';
import type { SmConfigNode } from './config-contract';
import { requestFailureReason, withReason, type RequestOperation } from './failure-reason';
import type { FlowNodeStatus } from './node-status';

export type SendMsgs = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]) => void;
export type Done = (error?: Error) => void;
export type InputListener = (msg: NodeMessageInFlow, send: SendMsgs, done: Done) => void;

/** Does the work and says once when it is done: with an error, a failed request. */
type StartedWork<Msg, Input> = (input: Input, msg: Msg, send: SendMsgs, finished: Done) => void;

/**
 * How the handler does the work: `run` with a promise, or `start` with a callback. `start` is for nodes that hold
 * many msgs at once until their work is done (sm out's queue holds tens of thousands while Stream Manager is away or
 * slow): a promise per msg, with its reactions, doubled what each queued msg kept in memory, and the garbage
 * collector's work with it.
 */
type HandlerWork<Msg, Input> =
  | {
      /**
       * Does it. A throw before it returns is bad input too; a rejection of the promise it returns is a failed
       * request, reported with its reason ("stream missing") in front of the message.
       */
      run(input: Input, msg: Msg, send: SendMsgs): Promise<void> | void;
      start?: never;
    }
  | {
      /** Starts it. A throw before it returns is bad input too; `finished(error)` is a failed request, as for run. */
      start: StartedWork<Msg, Input>;
      run?: never;
    };

export type InputHandler<Msg extends NodeMessageInFlow, Input> = HandlerWork<Msg, Input> & {
  /** Reads what the msg asks for; a throw is bad input, reported as it is. */
  check(msg: Msg): Input;
  /** The kind of request the work makes, where it tells what an error code means; `other` when not given. */
  operation?(input: Input): RequestOperation;
};

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
  const succeeded = (done: Done): void => {
    status.succeeded();
    done();
  };
  const failed = (error: unknown, input: Input, done: Done): void => {
    const failure = asStreamManagerError(error);
    const text = configNode.reasonText(requestFailureReason(failure, handler.operation?.(input)));
    if (showsFailure(failure, status.connected)) status.showFailure(text);
    done(withReason(failure, text));
  };
  return (msg, send, done) => {
    let input: Input;
    let work: Promise<void> | void;
    let finished = false;
    try {
      input = handler.check(msg as Msg);
      if (handler.start) {
        handler.start(input, msg as Msg, send, (error) => {
          if (finished) return;
          finished = true;
          if (error) failed(error, input, done);
          else succeeded(done);
        });
        return;
      }
      work = handler.run(input, msg as Msg, send);
    } catch (error) {
      if (finished) return;
      finished = true;
      done(asStreamManagerError(error));
      return;
    }
    if (!work) return succeeded(done);
    // Exactly one of the two runs, and only when nothing was thrown: done is called once.
    work.then(
      () => succeeded(done),
      (error: unknown) => failed(error, input, done),
    );
  };
}
