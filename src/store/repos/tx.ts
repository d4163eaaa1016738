import type { Db, Queryable } from '../db.ts';

function canTransact(db: Queryable): db is Db {
  return typeof (db as Partial<Db>).transaction === 'function';
}

/**
 * Runs `fn` in a transaction when `db` is a database; when it is already a transaction (or any bare
 * Queryable) `fn` runs on it directly, joining the caller's transaction.
 */
export async function inTransaction<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return canTransact(db) ? db.transaction(fn) : fn(db);
}
