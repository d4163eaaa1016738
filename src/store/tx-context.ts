import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './db.ts';

/**
 * Makes every driver treat calls made inside a `transaction` callback the same way: `db.query`,
 * `db.exec` and `db.copyRows` join the open transaction (instead of taking another pooled connection, or
 * waiting forever for the one session of the embedded store), and a nested `db.transaction` becomes a
 * savepoint that rolls back alone when its callback throws.
 */
export class TxContext {
  readonly #als = new AsyncLocalStorage<Queryable>();
  #savepoints = 0;

  /** The transaction the caller runs inside, if any. */
  current(): Queryable | undefined {
    return this.#als.getStore();
  }

  /** Runs `fn(tx)` with `tx` as the current transaction. */
  run<T>(tx: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#als.run(tx, () => fn(tx));
  }

  /** A transaction inside a transaction: a savepoint of the outer one. */
  async nested<T>(tx: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const name = `mp_sp_${++this.#savepoints}`;
    await tx.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(tx);
      await tx.exec(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await tx.exec(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }
}
