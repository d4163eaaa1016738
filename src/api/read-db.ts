import { NotFoundError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import type { AppDeps } from './deps.ts';

/**
 * Which store a route reads from. With a read replica (`DATABASE_READ_URL`, `AppDeps.readDb`) the routes that
 * only read use it. Whatever writes stays on the primary (`deps.db`): POST/PUT/DELETE, the admin routes, the
 * ConfigStore (admin reads must see a change at once), and the GETs that store something —
 * `/api/risk/stress` (saves the sample portfolio on first use), `/api/quality/report` when it validates, and
 * the chat routes (each call records history that `/api/chat/history` must show). A replica trails its
 * primary by the replication delay, so a list read there (e.g. `/api/jobs/runs` right after a manual run) may
 * miss a row written a moment ago; by-id reads of rows a client creates through this API go through
 * {@link readOrPrimary}.
 */
export function readerOf(deps: Pick<AppDeps, 'db' | 'readDb'>): Db {
  return deps.readDb ?? deps.db;
}

/**
 * Read-your-writes for a row the client may have just created (e.g. `POST /api/backtests`, then
 * `GET /api/backtests/:id`): `read` runs on the replica, and when the replica has not got the row yet
 * (`read` throws NotFoundError) it runs again on the primary. Only a miss costs the second query; without a
 * replica `read` runs once on the primary.
 */
export async function readOrPrimary<T>(
  deps: Pick<AppDeps, 'db' | 'readDb'>,
  read: (db: Db) => Promise<T>,
): Promise<T> {
  const replica = readerOf(deps);
  try {
    return await read(replica);
  } catch (err) {
    if (replica === deps.db || !(err instanceof NotFoundError)) throw err;
    return read(deps.db);
  }
}
