// Every listener a node attaches to an emitter it does not own (its client, its own input), recorded so that close
// removes them all at once: nothing stays attached across a redeploy, and a throwing handler cannot break the emitter.
import type { EventEmitter } from 'node:events';

interface Attached {
  emitter: EventEmitter;
  event: string;
  listener: (...args: unknown[]) => void;
}

export class ListenerSet {
  private attached: Attached[] = [];

  /** `onError` hears what a handler threw; the emitter never does. */
  constructor(private readonly onError: (error: unknown, event: string) => void) {}

  on<Args extends unknown[]>(emitter: EventEmitter, event: string, handler: (...args: Args) => void): void {
    // The emitter passes what the event carries; Args is the caller's word for it.
    const listener = (...args: unknown[]): void => {
      try {
        handler(...(args as Args));
      } catch (error) {
        this.onError(error, event);
      }
    };
    emitter.on(event, listener);
    this.attached.push({ emitter, event, listener });
  }

  removeAll(): void {
    for (const { emitter, event, listener } of this.attached) emitter.removeListener(event, listener);
    this.attached = [];
  }
}
