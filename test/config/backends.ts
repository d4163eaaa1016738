import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';

/**
 * The stores the config tests run on: PGlite in memory, and a throwaway database on the machine's
 * PostgreSQL (created per test file, dropped after).
 */
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

export interface Backend {
  name: 'pglite' | 'postgres';
  open(): Promise<TestStore>;
}

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const pglite: Backend = {
  name: 'pglite',
  async open() {
    const db = await openPglite();
    await migrate(db);
    // PGlite lives in one process: a second handle is the same instance, with close() left to the owner.
    const other = async (): Promise<Db> => ({ ...db, close: async () => undefined });
    return { db, other, drop: () => db.close() };
  },
};

function randomDbName(area: string): string {
  return `mp_${area}_${randomBytes(5).toString('hex')}`;
}

/** Runs one statement on the server's maintenance database. */
async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const postgres: Backend = {
  name: 'postgres',
  async open() {
    const name = randomDbName('config');
    await adminQuery(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const dbUrl = url.toString();
    const db = await openPostgres(dbUrl, { connectTimeoutMs: 2000 });
    await migrate(db);
    return {
      db,
      url: dbUrl,
      name,
      other: () => openPostgres(dbUrl, { connectTimeoutMs: 2000 }),
      async drop() {
        await db.close().catch(() => undefined);
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  },
};

/** Makes a test database refuse connections and drops the open ones (the database "dies"). */
export async function blockDatabase(name: string): Promise<void> {
  await adminQuery(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
  await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
}

/** Lets the test database accept connections again (the database "comes back"). */
export async function unblockDatabase(name: string): Promise<void> {
  await adminQuery(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
}

export const BACKENDS: Backend[] = [pglite, postgres];
