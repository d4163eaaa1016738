import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * PGlite is one Postgres session. When the owner process also serves it on a socket, its own queries and
 * the socket clients' messages share that session, so a transaction of one side must never see statements
 * of the other. The gate is a mutex over the session: the owner takes it per query or for a whole
 * transaction; the socket server takes it per protocol message and keeps it while a client's transaction
 * is open. It is re-entrant within the async context that holds it (a `db.query` called inside a
 * `db.transaction` callback runs inside that transaction instead of deadlocking).
 */
export class SessionGate {
  #tail: Promise<void> = Promise.resolve();
  #holder: symbol | null = null;
  readonly #context = new AsyncLocalStorage<symbol>();

  /** Waits for the session and returns the function that releases it. Not re-entrant. */
  async acquire(): Promise<() => void> {
    let release = (): void => {};
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }

  /** Runs `fn` holding the session; nested calls from inside `fn` run at once. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#holder !== null && this.#context.getStore() === this.#holder) return fn();
    const release = await this.acquire();
    const token = Symbol('session-holder');
    this.#holder = token;
    try {
      return await this.#context.run(token, fn);
    } finally {
      this.#holder = null;
      release();
    }
  }
}
