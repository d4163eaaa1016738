import { ChatBusyError } from '../errors.ts';

/** Counts chat runs in flight; a run over the limit is refused at once, never queued behind a slow one. */
export class ConcurrencyLimiter {
  #inFlight = 0;

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a slot or throws ChatBusyError; the returned function gives it back (once). */
  acquire(max: number): () => void {
    if (this.#inFlight >= Math.max(1, max)) {
      throw new ChatBusyError(
        `${this.#inFlight} chat queries are running (chat.max_concurrent = ${max}); retry when one finishes`,
      );
    }
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
    };
  }
}
