/**
 * The backends repository tests run on, each opened fresh and migrated:
 * - by default the embedded PGlite store and the machine's PostgreSQL 15 (a throwaway database per test
 *   file on `MARKETPIPE_TEST_PG_URL`, default postgres://postgres@127.0.0.1:5432/postgres, dropped after);
 * - with `{ all: true }` every backend of the store's shared list (test/store/backends.ts), adding the PGlite
 *   build bundling TimescaleDB (hypertables) and the embedded store reached through its owner's socket.
 * PostgreSQL is left out, with a warning, when the server does not answer.
 */
import pg from 'pg';
import { BACKENDS, PG_ADMIN_URL } from '../../../test/store/backends.ts';
import type { Db } from '../db.ts';
import { migrate } from '../migrate.ts';

export interface TestBackend {
  name: string;
  /** Opens a fresh, migrated, empty store. */
  open(): Promise<Db>;
  /** Closes it and removes what `open` created. */
  dispose(db: Db): Promise<void>;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `area` names the caller (kept for the callers that pass it; databases are named by the shared list). */
export async function testBackends(_area: string, opts: { all?: boolean } = {}): Promise<TestBackend[]> {
  const wanted = opts.all
    ? BACKENDS
    : BACKENDS.filter((b) => b.name === 'pglite' || b.name === 'postgres-15');
  const reachable = await postgresReachable();
  // PostgreSQL is part of every run (CI starts it); leaving it out must be an explicit, visible choice.
  if (!reachable && process.env.MARKETPIPE_TEST_SKIP_PG !== '1') {
    throw new Error(
      `test-backends: PostgreSQL at ${PG_ADMIN_URL} is not reachable (start it, or set MARKETPIPE_TEST_SKIP_PG=1 to run on PGlite only)`,
    );
  }
  if (!reachable) process.stderr.write('test-backends: MARKETPIPE_TEST_SKIP_PG=1, PostgreSQL left out\n');
  return wanted
    .filter((b) => reachable || b.name !== 'postgres-15')
    .map((b) => {
      const teardowns = new Map<Db, () => Promise<void>>();
      return {
        // 'postgres' as before, so test names stay stable for callers.
        name: b.name === 'postgres-15' ? 'postgres' : b.name,
        async open() {
          const { db, teardown } = await b.open();
          teardowns.set(db, teardown);
          await migrate(db);
          return db;
        },
        async dispose(db) {
          await teardowns.get(db)?.();
        },
      };
    });
}
